//! CORS for the origins a config names (a same-origin page needs none).

/// CORS for the configured origins: what a gRPC-Web page sends, and the response headers it
/// must be able to read (status, error details, the poll interval).
pub fn cors(
    origins: &[String],
) -> Result<tower_http::cors::CorsLayer, http::header::InvalidHeaderValue> {
    use http::{HeaderName, HeaderValue, Method};
    let origins = origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<Vec<_>, _>>()?;
    let names = |list: &[&'static str]| {
        list.iter()
            .map(|h| HeaderName::from_static(h))
            .collect::<Vec<_>>()
    };
    Ok(tower_http::cors::CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers(names(&[
            "content-type",
            "x-grpc-web",
            "x-user-agent",
            "grpc-timeout",
            "authorization",
            "idempotency-key",
            "x-request-id",
            "x-client-trace-id",
        ]))
        .expose_headers(names(&[
            "grpc-status",
            "grpc-message",
            "grpc-status-details-bin",
            "x-operation-poll-interval",
            "x-request-id",
            "x-server-trace-id",
        ])))
}
