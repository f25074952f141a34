//! `kiln gateway`: lets a browser reach a real endpoint. It accepts gRPC-Web (HTTP/1.1) and
//! native gRPC on one port and forwards every call, whatever its service, to a native gRPC
//! upstream (TLS for `https://`). Metadata such as `authorization`, `idempotency-key` and request
//! IDs passes through untouched, and so do response headers and trailers (status, message,
//! `grpc-status-details-bin`), which gRPC-Web clients receive in the body's trailer frame.
//!
//! Every wait has an end: connecting to an upstream gives up after
//! [`Gateway::connect_timeout`], and a call the upstream does not answer ends after
//! [`Gateway::call_deadline`] (the client's own `grpc-timeout` applies when shorter), with a
//! status naming the upstream. Like `kiln serve`, every answer carries `x-request-id` (the
//! client's, or a new one, which also goes to the upstream so both logs show it) and each call
//! is logged once ([`crate::http::request_id`], [`crate::http::calls`]); an HTTP/1.1 call's
//! body is read before the gateway answers ([`crate::http::whole_body`]).

use std::{convert::Infallible, path::PathBuf, time::Duration};

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
    /// How long a call may wait for the upstream's answer when the client set no shorter
    /// `grpc-timeout` ([`DEFAULT_CALL_DEADLINE`] when `None`). It is also sent upstream as the
    /// call's `grpc-timeout` when the client sent none.
    pub call_deadline: Option<Duration>,
    /// How long connecting to an upstream may take ([`DEFAULT_CONNECT_TIMEOUT`] when `None`).
    pub connect_timeout: Option<Duration>,
}

/// The default of [`Gateway::call_deadline`].
pub const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(30);
/// The default of [`Gateway::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request message read whole before forwarding over HTTP/1.1 (in either gRPC-Web
/// encoding); a larger one is forwarded as it comes (the upstream's limit is its own).
const LARGEST_BUFFERED_MESSAGE: usize = 256 << 10;

/// One upstream: its address, for messages, and the channel to it.
#[derive(Clone)]
struct Upstream {
    url: String,
    channel: Channel,
}

fn upstream(
    url: &str,
    ca: Option<&[u8]>,
    connect_timeout: Duration,
) -> Result<Upstream, GatewayError> {
    let channel = channel(url, ca, connect_timeout).map_err(|source| GatewayError::Upstream {
        url: url.to_owned(),
        source,
    })?;
    Ok(Upstream {
        url: url.to_owned(),
        channel,
    })
}

fn channel(
    upstream: &str,
    ca: Option<&[u8]>,
    connect_timeout: Duration,
) -> Result<Channel, tonic::transport::Error> {
    let mut endpoint = Endpoint::from_shared(upstream.to_owned())?.connect_timeout(connect_timeout);
    if upstream.starts_with("https://") {
        let mut tls = ClientTlsConfig::new().with_webpki_roots();
        if let Some(ca) = ca {
            tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(ca));
        }
        endpoint = endpoint.tls_config(tls)?;
    }
    Ok(endpoint.connect_lazy())
}

/// Why the gateway could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// An upstream's address or TLS settings are not usable.
    #[error("the upstream {url} is not usable")]
    Upstream {
        /// The upstream as configured.
        url: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
    /// A CORS origin is not a valid header value.
    #[error("a CORS origin is not a valid header value")]
    Cors(#[from] http::header::InvalidHeaderValue),
    /// The server stopped with an error.
    #[error("the server failed")]
    Serve(#[source] tonic::transport::Error),
}

/// Serves the gateway on `listener`.
pub async fn gateway(listener: TcpListener, config: &Gateway) -> Result<(), GatewayError> {
    let ca = config.upstream_ca.as_deref();
    let connect_timeout = config.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let deadline = config.call_deadline.unwrap_or(DEFAULT_CALL_DEADLINE);
    let default = upstream(&config.upstream, ca, connect_timeout)?;
    let mut routes = config
        .routes
        .iter()
        .map(|(prefix, url)| Ok((prefix.clone(), upstream(url, ca, connect_timeout)?)))
        .collect::<Result<Vec<_>, GatewayError>>()?;
    routes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    let forward = tower::service_fn(move |request: http::Request<tonic::body::Body>| {
        // A grpc-web-text body is decoded from base64 on the way, so it is shorter than its
        // size hint says; hyper would send that as the length and fail the call.
        let mut request = request.map(|body| tonic::body::Body::new(UnknownSize(body)));
        let service = request.uri().path().trim_start_matches('/');
        let service = service.split('/').next().unwrap_or_default();
        let Upstream { url, mut channel } = routes
            .iter()
            .find(|(prefix, _)| service.starts_with(prefix.as_str()))
            .map_or(&default, |(_, u)| u)
            .clone();
        let headers = request.headers_mut();
        // The trace ID is this gateway's own (in its log and, unless the upstream sends
        // its own, on the answer); the request ID goes on, so the upstream logs it too.
        headers.remove(crate::http::request_id::SERVER_TRACE_ID);
        // The upstream learns the deadline; a client's own `grpc-timeout` goes on as sent.
        if !headers.contains_key("grpc-timeout")
            && let Ok(value) = http::HeaderValue::from_str(&format!("{}m", deadline.as_millis()))
        {
            headers.insert("grpc-timeout", value);
        }
        async move {
            // tower's contract: a service is called only once it says it is ready. Both
            // waits (connecting included) end at the deadline; the client's own
            // `grpc-timeout`, when shorter, ends the call earlier (tonic's server).
            let call = async {
                let ready = tower::ServiceExt::ready(&mut channel).await;
                ready?.call(request).await
            };
            let started = std::time::Instant::now();
            let silent = || {
                status_answer(
                    tonic::Code::DeadlineExceeded,
                    &format!(
                        "the upstream {url} did not answer within {}",
                        seconds(started.elapsed())
                    ),
                )
            };
            let response = match tokio::time::timeout(deadline, call).await {
                // The rest of the answer (its messages and trailers) ends at the deadline too.
                Ok(Ok(response)) => {
                    let left = deadline.saturating_sub(started.elapsed());
                    let message = format!(
                        "the upstream {url} did not finish its answer within {}",
                        seconds(deadline)
                    );
                    response.map(|body| {
                        tonic::body::Body::new(Deadlined::new(
                            tonic::body::Body::new(body),
                            left,
                            message,
                        ))
                    })
                }
                // The channel's own deadline (the request's `grpc-timeout`).
                Ok(Err(e)) if caused_by::<tonic::TimeoutExpired>(&e).is_some() => silent(),
                Ok(Err(e))
                    if caused_by::<std::io::Error>(&e)
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut) =>
                {
                    unavailable(&format!(
                        "the upstream {url} did not accept a connection within {}",
                        seconds(connect_timeout)
                    ))
                }
                Ok(Err(e)) => unavailable(&format!(
                    "the upstream {url} is unavailable: {}",
                    error_chain(&e)
                )),
                Err(_) => silent(),
            };
            Ok::<_, Infallible>(response)
        }
    });
    // gRPC-Web wraps the forwarding only: over everything it would refuse plain HTTP/1.1 GETs.
    // Inside it, each call's log line, as `kiln serve` writes them.
    let grpc = tonic_web::GrpcWebLayer::new().layer(crate::http::calls::CallLayer.layer(forward));
    let files = config
        .web_dir
        .as_deref()
        .map(crate::http::files::static_files);
    let dispatch = tower::service_fn(move |request: http::Request<axum::body::Body>| {
        let grpc = grpc.clone();
        let files = files.clone();
        async move {
            let is_grpc = crate::http::is_grpc(request.headers());
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
        router = crate::http::console_config::with_console_config(
            router,
            &crate::api::auth::Tokens::default(),
        );
    }
    // An HTTP/1.1 call's body is read before the gateway answers (its own refusals too), and
    // every answer has request IDs, as `kiln serve` does it.
    let dispatch = crate::http::whole_body::WholeBodyLayer::for_messages(LARGEST_BUFFERED_MESSAGE)
        .layer(dispatch);
    let mut router = router
        .fallback_service(dispatch)
        .layer(crate::http::request_id::RequestIdLayer);
    if !config.cors_origins.is_empty() {
        router = router.layer(crate::http::cors::cors(&config.cors_origins)?);
    }
    tonic::transport::Server::builder()
        .accept_http1(true)
        // Idle HTTP/2 connections found dead by pings, as `kiln serve` does.
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(Duration::from_secs(10)))
        .add_routes(router.into())
        .serve_with_incoming(crate::http::listener::tokio_stream_listener(listener))
        .await
        .map_err(GatewayError::Serve)
}

/// An upstream's answer body that ends at the call's deadline: when the deadline passes before
/// the upstream's trailers, the body ends with DEADLINE_EXCEEDED trailers and a sentence.
struct Deadlined {
    inner: tonic::body::Body,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    message: String,
    ended: bool,
}

impl Deadlined {
    fn new(inner: tonic::body::Body, left: Duration, message: String) -> Deadlined {
        Deadlined {
            inner,
            deadline: Box::pin(tokio::time::sleep(left)),
            message,
            ended: false,
        }
    }
}

impl http_body::Body for Deadlined {
    type Data = bytes::Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, tonic::Status>>> {
        use std::{future::Future, task::Poll};
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.ended = frame.is_trailers();
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => {
                this.ended = true;
                Poll::Ready(other)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    this.ended = true;
                    let mut trailers = http::HeaderMap::new();
                    trailers.insert(
                        "grpc-status",
                        http::HeaderValue::from(tonic::Code::DeadlineExceeded as i32),
                    );
                    let encoded = crate::http::calls::encode_grpc_message(&this.message);
                    if let Ok(value) = http::HeaderValue::from_str(&encoded) {
                        trailers.insert("grpc-message", value);
                    }
                    Poll::Ready(Some(Ok(http_body::Frame::trailers(trailers))))
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.is_end_stream()
    }
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

/// `error` and its sources, `: `-separated (tonic's transport errors say little alone).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

/// The first error of type `E` in `error`'s chain (itself included).
fn caused_by<'a, E: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// `d` in seconds for a message, to a tenth: `30 s`, `2.5 s`.
fn seconds(d: Duration) -> String {
    let tenths = (d.as_millis() + 50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{} s", tenths / 10)
    } else {
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

/// A gRPC answer with status UNAVAILABLE (14) and `message`, in headers only.
fn unavailable(message: &str) -> http::Response<tonic::body::Body> {
    status_answer(tonic::Code::Unavailable, message)
}

/// A gRPC answer with status `code` and `message`, in headers only.
fn status_answer(code: tonic::Code, message: &str) -> http::Response<tonic::body::Body> {
    let mut response = http::Response::new(tonic::body::Body::empty());
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert("grpc-status", http::HeaderValue::from(code as i32));
    let encoded = crate::http::calls::encode_grpc_message(message);
    if let Ok(value) = http::HeaderValue::from_str(&encoded) {
        headers.insert("grpc-message", value);
    }
    response
}
