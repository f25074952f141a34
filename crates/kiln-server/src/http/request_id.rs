//! Request IDs, as the real API sends them: every response carries `x-request-id` (the
//! client's own, when it sent a usable one, or a new UUID) and `x-server-trace-id` (new for
//! each request, unless a server behind this one, kiln gateway's upstream, sent its own). The Node SDK's `ApiError` reads both; the Go SDK and Terraform print them.
//!
//! [`RequestIdLayer`] wraps the whole router. It also writes both IDs into the request's
//! headers, so the layers and handlers inside (the request log, [`crate::http::calls`]) see the same
//! ones, and logs the requests that are not gRPC (static files, `/healthz`, the admin reset).

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use http::{HeaderValue, Request, Response};

/// The request ID header (sent by SDKs, echoed back).
pub const REQUEST_ID: &str = "x-request-id";
/// The server trace ID header (made for each request).
pub const SERVER_TRACE_ID: &str = "x-server-trace-id";

/// The longest client request ID echoed back; a longer one, or one with other than visible
/// ASCII characters, is replaced with a new one.
const LONGEST_REQUEST_ID: usize = 128;

/// The client's request ID if it is one to echo.
fn usable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= LONGEST_REQUEST_ID
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// A new ID: a random (v4) UUID.
fn new_uuid() -> HeaderValue {
    HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("a UUID is ASCII")
}

/// A new trace ID: 32 lowercase hex digits.
fn new_trace_id() -> HeaderValue {
    HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string()).expect("hex is ASCII")
}

/// Marks a gRPC-Web request (a request extension), for the layers inside gRPC-Web, which see
/// every call as native gRPC.
#[derive(Debug, Clone, Copy)]
pub struct GrpcWeb;

/// Whether `request` is a gRPC or gRPC-Web call (logged by [`crate::http::calls`] instead).
fn is_grpc<B>(request: &Request<B>) -> bool {
    super::is_grpc(request.headers())
}

/// Adds request IDs to every request and response (see the module's documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestIdLayer;

impl<S> tower::Layer<S> for RequestIdLayer {
    type Service = RequestIds<S>;

    fn layer(&self, inner: S) -> RequestIds<S> {
        RequestIds { inner }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Debug, Clone)]
pub struct RequestIds<S> {
    inner: S,
}

impl<S, B, R> tower::Service<Request<B>> for RequestIds<S>
where
    S: tower::Service<Request<B>, Response = Response<R>>,
    S::Future: Send + 'static,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<R>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let request_id = request
            .headers()
            .get(REQUEST_ID)
            .filter(|v| usable(v))
            .cloned()
            .unwrap_or_else(new_uuid);
        let trace_id = new_trace_id();
        if super::is_grpc_web(request.headers()) {
            request.extensions_mut().insert(GrpcWeb);
        }
        let headers = request.headers_mut();
        headers.insert(REQUEST_ID, request_id.clone());
        headers.insert(SERVER_TRACE_ID, trace_id.clone());
        let plain_http = (!is_grpc(&request))
            .then(|| (request.method().clone(), request.uri().path().to_owned()));
        let started = Instant::now();
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
            let headers = response.headers_mut();
            headers.insert(REQUEST_ID, request_id.clone());
            // A trace ID already there is a server's behind this one (kiln gateway's upstream),
            // the one its operators can look up.
            if !headers.contains_key(SERVER_TRACE_ID) {
                headers.insert(SERVER_TRACE_ID, trace_id.clone());
            }
            if let Some((method, path)) = plain_http {
                tracing::info!(
                    target: "kiln::request",
                    http_method = %method,
                    path = %path,
                    status = response.status().as_u16(),
                    latency_ms = millis(started.elapsed()),
                    request_id = %String::from_utf8_lossy(request_id.as_bytes()),
                    trace_id = %String::from_utf8_lossy(trace_id.as_bytes()),
                    "http request"
                );
            }
            Ok(response)
        })
    }
}

/// Milliseconds, with a fraction, for the log (this layer's and the call layer's lines).
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}
