//! `kiln gateway`: lets a browser reach a real endpoint. It accepts gRPC-Web (HTTP/1.1) and
//! native gRPC on one port and forwards every call, whatever its service, to a native gRPC
//! upstream (TLS for `https://`). Metadata such as `authorization`, `idempotency-key` and request
//! IDs passes through untouched, and so do response headers and trailers (status, message,
//! `grpc-status-details-bin`), which gRPC-Web clients receive in the body's trailer frame.

use std::convert::Infallible;

use tokio::net::TcpListener;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tower::Service;

/// Serves the gateway on `listener`, forwarding to `upstream` (`http://` or `https://`).
pub async fn gateway(
    listener: TcpListener,
    upstream: &str,
    cors_origins: &[String],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut endpoint = Endpoint::from_shared(upstream.to_owned())?;
    if upstream.starts_with("https://") {
        endpoint = endpoint.tls_config(ClientTlsConfig::new().with_webpki_roots())?;
    }
    let channel = endpoint.connect_lazy();
    let forward = tower::service_fn(move |request: http::Request<axum::body::Body>| {
        let mut channel: Channel = channel.clone();
        async move {
            let request = request.map(tonic::body::Body::new);
            // tower's contract: a service is called only once it says it is ready.
            let ready = tower::ServiceExt::ready(&mut channel).await;
            let response = match async { ready?.call(request).await }.await {
                Ok(response) => response.map(axum::body::Body::new),
                Err(e) => unavailable(&format!("upstream unavailable: {e}")),
            };
            Ok::<_, Infallible>(response)
        }
    });
    let mut router = axum::Router::new().fallback_service(forward);
    if !cors_origins.is_empty() {
        router = router.layer(crate::cors(cors_origins)?);
    }
    tonic::transport::Server::builder()
        .accept_http1(true)
        .layer(tonic_web::GrpcWebLayer::new())
        .add_routes(router.into())
        .serve_with_incoming(crate::tokio_stream_listener(listener))
        .await?;
    Ok(())
}

/// A gRPC answer with status UNAVAILABLE (14) and `message`, in headers only.
fn unavailable(message: &str) -> http::Response<axum::body::Body> {
    let mut response = http::Response::new(axum::body::Body::empty());
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert("grpc-status", http::HeaderValue::from_static("14"));
    let encoded: String = message
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b' ' || b == b'.' || b == b':' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(value) = http::HeaderValue::from_str(&encoded) {
        headers.insert("grpc-message", value);
    }
    response
}
