//! `kiln gateway`: lets a browser reach a real endpoint. It accepts gRPC-Web (HTTP/1.1) and
//! native gRPC on one port and forwards every call, whatever its service, to a native gRPC
//! upstream (TLS for `https://`). Metadata such as `authorization`, `idempotency-key` and request
//! IDs passes through untouched, and so do response headers and trailers (status, message,
//! `grpc-status-details-bin`), which gRPC-Web clients receive in the body's trailer frame.

use std::{convert::Infallible, path::PathBuf};

use tokio::net::TcpListener;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tower::{Layer, Service, ServiceExt};

/// How `kiln gateway` runs.
#[derive(Debug, Clone, Default)]
pub struct Gateway {
    /// Where calls go (`http://` or `https://`).
    pub upstream: String,
    /// `(service prefix, upstream)` pairs: a call whose service name (`yandex.cloud.operation.
    /// OperationService`) starts with the prefix goes there instead; the longest prefix wins. The
    /// real API serves operations from another host than images.
    pub routes: Vec<(String, String)>,
    /// The built console, served from the same origin with a runtime config naming it.
    pub web_dir: Option<PathBuf>,
    /// Origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// Certificate authorities (PEM) trusted for `https://` upstreams besides the webpki
    /// roots (`kiln serve --tls`'s development authority).
    pub upstream_ca: Option<Vec<u8>>,
}

fn channel(upstream: &str, ca: Option<&[u8]>) -> Result<Channel, tonic::transport::Error> {
    let mut endpoint = Endpoint::from_shared(upstream.to_owned())?;
    if upstream.starts_with("https://") {
        let mut tls = ClientTlsConfig::new().with_webpki_roots();
        if let Some(ca) = ca {
            tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(ca));
        }
        endpoint = endpoint.tls_config(tls)?;
    }
    Ok(endpoint.connect_lazy())
}

/// Serves the gateway on `listener`.
pub async fn gateway(
    listener: TcpListener,
    config: &Gateway,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let ca = config.upstream_ca.as_deref();
    let default = channel(&config.upstream, ca)?;
    let mut routes = config
        .routes
        .iter()
        .map(|(prefix, url)| Ok((prefix.clone(), channel(url, ca)?)))
        .collect::<Result<Vec<_>, tonic::transport::Error>>()?;
    routes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    let forward = tower::service_fn(move |request: http::Request<tonic::body::Body>| {
        // A grpc-web-text body is decoded from base64 on the way, so it is shorter than its
        // size hint says; hyper would send that as the length and fail the call.
        let request = request.map(|body| tonic::body::Body::new(UnknownSize(body)));
        let service = request.uri().path().trim_start_matches('/');
        let service = service.split('/').next().unwrap_or_default();
        let mut channel = routes
            .iter()
            .find(|(prefix, _)| service.starts_with(prefix.as_str()))
            .map_or(&default, |(_, c)| c)
            .clone();
        async move {
            // tower's contract: a service is called only once it says it is ready.
            let ready = tower::ServiceExt::ready(&mut channel).await;
            let response = match async { ready?.call(request).await }.await {
                Ok(response) => response.map(tonic::body::Body::new),
                Err(e) => unavailable(&format!("upstream unavailable: {e}")),
            };
            Ok::<_, Infallible>(response)
        }
    });
    // gRPC-Web wraps the forwarding only: over everything it would refuse plain HTTP/1.1 GETs.
    let grpc = tonic_web::GrpcWebLayer::new().layer(forward);
    let files = config
        .web_dir
        .as_deref()
        .map(crate::http::files::static_files);
    let dispatch = tower::service_fn(move |request: http::Request<axum::body::Body>| {
        let grpc = grpc.clone();
        let files = files.clone();
        async move {
            let is_grpc = request
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/grpc"));
            let response = match files {
                Some(files) if !is_grpc => files
                    .oneshot(request)
                    .await
                    .map(|r| r.map(axum::body::Body::new))
                    .unwrap_or_else(|e| match e {}),
                _ => {
                    let request = request.map(tonic::body::Body::new);
                    grpc.oneshot(request)
                        .await
                        .map(|r| r.map(axum::body::Body::new))
                        .unwrap_or_else(|e| match e {})
                }
            };
            Ok::<_, Infallible>(response)
        }
    });
    let mut router = axum::Router::new();
    if config.web_dir.is_some() {
        // No tokens of its own: the config names only this origin.
        router =
            crate::http::console_config::with_console_config(router, &crate::Tokens::default());
    }
    let mut router = router.fallback_service(dispatch);
    if !config.cors_origins.is_empty() {
        router = router.layer(crate::http::cors::cors(&config.cors_origins)?);
    }
    tonic::transport::Server::builder()
        .accept_http1(true)
        .add_routes(router.into())
        .serve_with_incoming(crate::http::listener::tokio_stream_listener(listener))
        .await?;
    Ok(())
}

/// A body whose size is not known in advance (whatever its inner body's hint says).
struct UnknownSize(tonic::body::Body);

impl http_body::Body for UnknownSize {
    type Data = bytes::Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, tonic::Status>>> {
        std::pin::Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }
}

/// A gRPC answer with status UNAVAILABLE (14) and `message`, in headers only.
fn unavailable(message: &str) -> http::Response<tonic::body::Body> {
    let mut response = http::Response::new(tonic::body::Body::empty());
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert("grpc-status", http::HeaderValue::from_static("14"));
    let encoded = crate::http::calls::encode_grpc_message(message);
    if let Ok(value) = http::HeaderValue::from_str(&encoded) {
        headers.insert("grpc-message", value);
    }
    response
}
