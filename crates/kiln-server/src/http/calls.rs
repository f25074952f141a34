//! What every gRPC call goes through, around each service (inside gRPC-Web, so it sees native
//! gRPC trailers):
//!
//! - `grpc-message` encoded as the gRPC spec says (PROTOCOL-HTTP2.md, "Percent-Encoded"): only
//!   bytes outside 0x20–0x7E and `%` itself are percent-encoded. tonic also encodes space,
//!   `?`, `{`, `}` and others, which grpc-js (`decodeURI`) leaves partly undecoded (`%3F`), so
//!   the message tonic wrote is decoded and encoded again, in headers (trailers-only answers)
//!   and trailers alike.
//! - An error answered with headers only (tonic's "trailers-only" form) is sent over native
//!   gRPC as grpc-go sends it when headers were set: a header frame (with the request IDs),
//!   then the status in trailers. grpc-js reports headers only from such a frame, and the Node
//!   SDK's `ApiError` (with `requestId` and `serverTraceId`) needs them. gRPC-Web answers keep
//!   the trailers-only form browsers' clients read.
//! - The request log: one line per call when it ends, with the method, the status code, the
//!   latency and the request IDs ([`crate::http::request_id`]); never a token or a message body.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::BodyExt;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode, percent_encode};

use crate::http::request_id::{GrpcWeb, REQUEST_ID, SERVER_TRACE_ID, millis};

/// The headers of a status, moved into trailers when an error is split.
const STATUS_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// What the gRPC spec percent-encodes in `grpc-message`: bytes outside 0x20–0x7E (controls
/// and DEL here; `percent_encode` always encodes non-ASCII bytes) and `%`.
const GRPC_MESSAGE: &AsciiSet = &CONTROLS.add(b'%');

/// `value` (a `grpc-message` as tonic encoded it) encoded as the spec says.
pub fn respec(value: &HeaderValue) -> Option<HeaderValue> {
    let decoded: Vec<u8> = percent_decode(value.as_bytes()).collect();
    let encoded = percent_encode(&decoded, GRPC_MESSAGE).to_string();
    HeaderValue::from_str(&encoded).ok()
}

/// `message` as a `grpc-message` value, encoded as the spec says.
pub fn encode_grpc_message(message: &str) -> String {
    percent_encode(message.as_bytes(), GRPC_MESSAGE).to_string()
}

/// `grpc-message` in `headers` re-encoded as the spec says, if there is one.
fn fix_message(headers: &mut HeaderMap) {
    if let Some(value) = headers.get("grpc-message")
        && let Some(fixed) = respec(value)
    {
        headers.insert("grpc-message", fixed);
    }
}

/// The name of a gRPC status code, as the spec spells it (`INVALID_ARGUMENT`).
pub fn code_name(code: &str) -> &'static str {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    code.parse::<usize>()
        .ok()
        .and_then(|n| NAMES.get(n).copied())
        .unwrap_or("UNKNOWN")
}

/// One call's log line, written once when its status is known.
struct CallLog {
    method: String,
    request_id: String,
    trace_id: String,
    started: Instant,
    written: bool,
}

impl CallLog {
    fn write(&mut self, headers: &HeaderMap) {
        let Some(code) = headers.get("grpc-status").and_then(|v| v.to_str().ok()) else {
            return;
        };
        if std::mem::replace(&mut self.written, true) {
            return;
        }
        let code = code_name(code);
        let latency_ms = millis(self.started.elapsed());
        if code == "OK" {
            tracing::info!(
                target: "kiln::request",
                method = %self.method,
                code,
                latency_ms,
                request_id = %self.request_id,
                trace_id = %self.trace_id,
                "call"
            );
        } else {
            tracing::warn!(
                target: "kiln::request",
                method = %self.method,
                code,
                latency_ms,
                request_id = %self.request_id,
                trace_id = %self.trace_id,
                "call"
            );
        }
    }
}

impl Drop for CallLog {
    /// A call whose response ended without a status (the client went away).
    fn drop(&mut self) {
        if !self.written {
            tracing::info!(
                target: "kiln::request",
                method = %self.method,
                code = "CANCELLED",
                latency_ms = millis(self.started.elapsed()),
                request_id = %self.request_id,
                trace_id = %self.trace_id,
                "call ended without a status"
            );
        }
    }
}

/// Wraps a gRPC service with the call's manners (see the module's documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct CallLayer;

impl<S> tower::Layer<S> for CallLayer {
    type Service = Calls<S>;

    fn layer(&self, inner: S) -> Calls<S> {
        Calls { inner }
    }
}

/// The service of [`CallLayer`].
#[derive(Debug, Clone)]
pub struct Calls<S> {
    inner: S,
}

impl<S: tonic::server::NamedService> tonic::server::NamedService for Calls<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B, R> tower::Service<Request<B>> for Calls<S>
where
    S: tower::Service<Request<B>, Response = Response<R>>,
    S::Future: Send + 'static,
    R: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    R::Error: Into<tonic::codegen::StdError>,
{
    type Response = Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        let grpc_web = request.extensions().get::<GrpcWeb>().is_some();
        let mut log = CallLog {
            method: request.uri().path().to_owned(),
            request_id: header(REQUEST_ID),
            trace_id: header(SERVER_TRACE_ID),
            started: Instant::now(),
            written: false,
        };
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            let (mut parts, body) = response.into_parts();
            fix_message(&mut parts.headers);
            // A trailers-only answer (every error) has its status in the headers.
            log.write(&parts.headers);
            if !grpc_web && parts.headers.contains_key("grpc-status") {
                let mut trailers = HeaderMap::new();
                for name in STATUS_HEADERS {
                    if let Some(value) = parts.headers.remove(name) {
                        trailers.insert(name, value);
                    }
                }
                drop(body);
                let body = StatusOnly(Some(trailers));
                return Ok(Response::from_parts(parts, tonic::body::Body::new(body)));
            }
            let body = body.map_frame(move |frame| match frame.into_trailers() {
                Ok(mut trailers) => {
                    fix_message(&mut trailers);
                    log.write(&trailers);
                    http_body::Frame::trailers(trailers)
                }
                Err(frame) => frame,
            });
            Ok(Response::from_parts(parts, tonic::body::Body::new(body)))
        })
    }
}

/// A body of trailers only, of no known length: an exact hint of 0 would make hyper send
/// `content-length: 0`, and a proxy reading that (kiln gateway's hyper) would end the body
/// before the trailers.
struct StatusOnly(Option<HeaderMap>);

impl http_body::Body for StatusOnly {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        Poll::Ready(self.0.take().map(|t| Ok(http_body::Frame::trailers(t))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_message_is_encoded_only_where_the_spec_says() {
        let check = |tonic_wrote: &str, expected: &str| {
            let value = HeaderValue::from_str(tonic_wrote).unwrap();
            assert_eq!(respec(&value).unwrap(), expected, "{tonic_wrote}");
        };
        // What tonic writes for `must match [a-z]{0,61}? ok` and friends.
        check("must%20match%20%7Ba%7D%3F%20ok", "must match {a}? ok");
        check("100%25", "100%25");
        check("caf%C3%A9", "caf%C3%A9");
        check("line%0Abreak%7F", "line%0Abreak%7F");
        check("plain", "plain");
    }

    #[test]
    fn status_codes_have_their_spec_names() {
        assert_eq!(code_name("0"), "OK");
        assert_eq!(code_name("3"), "INVALID_ARGUMENT");
        assert_eq!(code_name("16"), "UNAUTHENTICATED");
        assert_eq!(code_name("17"), "UNKNOWN");
        assert_eq!(code_name("x"), "UNKNOWN");
    }
}
