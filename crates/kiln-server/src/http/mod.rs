//! What every HTTP request meets around the gRPC handlers, and the emulator's conventions
//! beside them: request IDs and the request log, each call's wire manners, health,
//! reflection, HTTP/1.1 bodies read before an answer, the development reset, the console's files and runtime config, CORS, TLS.

pub mod calls;
pub mod console_config;
pub mod cors;
pub mod files;
pub mod health;
pub mod listener;
pub mod reflection;
pub mod request_id;
pub mod reset;
pub mod tls;

/// Whether `headers` are a gRPC call's, native or gRPC-Web (`application/grpc...`).
pub fn is_grpc(headers: &http::HeaderMap) -> bool {
    content_type(headers).is_some_and(|t| t.starts_with("application/grpc"))
}

/// Whether `headers` are a gRPC-Web call's (`application/grpc-web...`).
pub fn is_grpc_web(headers: &http::HeaderMap) -> bool {
    content_type(headers).is_some_and(|t| t.starts_with("application/grpc-web"))
}

fn content_type(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}
pub mod whole_body;
