//! An HTTP/1.1 call's body read before the service answers.
//!
//! Over HTTP/1.1 a request and its answer share one connection, one after the other. When a
//! service answers before it has read the body (the token interceptor's UNAUTHENTICATED, an
//! unknown method's UNIMPLEMENTED, a message over the size limit, the gateway's UNAVAILABLE),
//! hyper closes the connection with the rest of the body unread; the client, still writing,
//! gets a broken pipe (`write EPIPE` in connect-es) instead of the status. [`WholeBodyLayer`]
//! reads the body of an HTTP/1.1 gRPC or gRPC-Web call into memory first, up to a bound, and
//! hands the service the bytes. A body over the bound goes on as it came (what was read, then
//! the rest, unread by this layer), so the service refuses it as it would anyway. HTTP/2
//! requests pass untouched: their streams are independent, and an early answer there loses
//! nothing. The reading waits at most [`LONGEST_BODY_READ`] for a slow client: then what came is
//! handed on with the rest still to come, and the service's own bounds (its deadline, the
//! gateway's call deadline) take over.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::{Bytes, BytesMut};
use http::{Request, Version};
use http_body::Frame;
use http_body_util::BodyExt;

/// The longest the layer waits for a body: a client that sends it slower than this holds the
/// call no longer than the service's own bounds allow.
pub const LONGEST_BODY_READ: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads HTTP/1.1 gRPC request bodies of up to `limit` bytes before the inner service runs
/// (see the module's documentation).
#[derive(Debug, Clone, Copy)]
pub struct WholeBodyLayer {
    limit: usize,
}

impl WholeBodyLayer {
    /// Bodies of up to `limit` bytes are read whole.
    pub fn new(limit: usize) -> WholeBodyLayer {
        WholeBodyLayer { limit }
    }

    /// The bound for a service whose messages are at most `largest_message` bytes: the
    /// gRPC-Web text (base64) body of one such message with its 5-byte frame header, so every
    /// request the service would accept is read whole in either encoding.
    pub fn for_messages(largest_message: usize) -> WholeBodyLayer {
        WholeBodyLayer::new((largest_message + 5).div_ceil(3) * 4)
    }
}

impl<S> tower::Layer<S> for WholeBodyLayer {
    type Service = WholeBody<S>;

    fn layer(&self, inner: S) -> WholeBody<S> {
        WholeBody {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`WholeBodyLayer`].
#[derive(Debug, Clone)]
pub struct WholeBody<S> {
    inner: S,
    limit: usize,
}

/// Whether `request` is a gRPC or gRPC-Web call over HTTP/1.x.
fn is_http1_call<B>(request: &Request<B>) -> bool {
    request.version() < Version::HTTP_2 && super::is_grpc(request.headers())
}

impl<S, B> tower::Service<Request<B>> for WholeBody<S>
where
    S: tower::Service<Request<axum::body::Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<axum::BoxError> + Send,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if !is_http1_call(&request) {
            return Box::pin(self.inner.call(request.map(axum::body::Body::new)));
        }
        // The clone that was made ready is the one called, after the body is read.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let limit = self.limit;
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = read_up_to(body, limit, LONGEST_BODY_READ).await;
            inner
                .call(Request::from_parts(parts, axum::body::Body::new(body)))
                .await
        })
    }
}

/// `body` read until its end, until more than `limit` bytes came or until `patience` passed:
/// what was read, and the rest (if any) to be read by whoever reads the result. A frame that
/// is not data (HTTP/1.1 trailers) ends the reading too and is passed on.
async fn read_up_to<B>(mut body: B, limit: usize, patience: std::time::Duration) -> Resumed<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    let deadline = tokio::time::Instant::now() + patience;
    let mut read = BytesMut::new();
    loop {
        if body.is_end_stream() {
            return Resumed::read(read.freeze(), None);
        }
        // Dropping an unfinished `frame()` takes nothing out of the body.
        let Ok(frame) = tokio::time::timeout_at(deadline, body.frame()).await else {
            return Resumed::partly(read.freeze(), body);
        };
        match frame {
            None => return Resumed::read(read.freeze(), None),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    read.extend_from_slice(&data);
                    if read.len() > limit {
                        return Resumed::partly(read.freeze(), body);
                    }
                }
                Err(frame) => {
                    return Resumed::read(read.freeze(), Some(Ok(frame)));
                }
            },
            // The client's body broke off (it went away, or sent a bad chunk): the service
            // gets what came, then the error, as it would have.
            Some(Err(e)) => return Resumed::read(read.freeze(), Some(Err(e))),
        }
    }
}

/// A body already read (all of it, or its start), then whatever was left of it.
struct Resumed<B: http_body::Body> {
    read: Option<Bytes>,
    /// The last frame or error met while reading, passed on after `read`.
    last: Option<Result<Frame<Bytes>, B::Error>>,
    rest: Option<B>,
}

impl<B: http_body::Body> Resumed<B> {
    fn read(read: Bytes, last: Option<Result<Frame<Bytes>, B::Error>>) -> Resumed<B> {
        Resumed {
            read: (!read.is_empty()).then_some(read),
            last,
            rest: None,
        }
    }

    fn partly(read: Bytes, rest: B) -> Resumed<B> {
        Resumed {
            read: Some(read),
            last: None,
            rest: Some(rest),
        }
    }
}

// Nothing in it is ever pinned but `rest`, which is Unpin: the error kept in `last` is only
// moved out.
impl<B: http_body::Body + Unpin> Unpin for Resumed<B> {}

impl<B> http_body::Body for Resumed<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        if let Some(read) = this.read.take() {
            return Poll::Ready(Some(Ok(Frame::data(read))));
        }
        if let Some(last) = this.last.take() {
            return Poll::Ready(Some(last));
        }
        match &mut this.rest {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.read.is_none()
            && self.last.is_none()
            && self.rest.as_ref().is_none_or(|rest| rest.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let read = self.read.as_ref().map_or(0, |r| r.len() as u64);
        match &self.rest {
            // A body read whole has an exact size (with trailers or an error still to come,
            // they add no data).
            None => http_body::SizeHint::with_exact(read),
            // A new hint, the upper bound set first: `set_lower` asserts the lower bound is
            // not above the upper one, which an exact hint of the rest would break.
            Some(rest) => {
                let rest = rest.size_hint();
                let mut hint = http_body::SizeHint::new();
                if let Some(upper) = rest.upper() {
                    hint.set_upper(upper.saturating_add(read));
                }
                hint.set_lower(rest.lower().saturating_add(read));
                hint
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use http_body::Body as _;
    use http_body_util::{Full, StreamBody};

    fn chunks(
        parts: &[&'static [u8]],
    ) -> impl http_body::Body<Data = Bytes, Error = std::io::Error> + Unpin {
        let frames: Vec<Result<Frame<Bytes>, std::io::Error>> = parts
            .iter()
            .map(|p| Ok(Frame::data(Bytes::from_static(p))))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole_and_one_over_goes_on_as_it_came() {
        let whole = read_up_to(chunks(&[b"abc", b"def"]), 6, LONGEST_BODY_READ).await;
        assert!(whole.rest.is_none());
        assert_eq!(whole.size_hint().exact(), Some(6));
        assert_eq!(whole.collect().await.unwrap().to_bytes(), "abcdef");

        let over = read_up_to(chunks(&[b"abc", b"def", b"ghi"]), 5, LONGEST_BODY_READ).await;
        assert_eq!(over.read.as_deref(), Some(&b"abcdef"[..]));
        assert!(over.rest.is_some());
        assert_eq!(over.collect().await.unwrap().to_bytes(), "abcdefghi");

        let empty = read_up_to(Full::new(Bytes::new()), 5, LONGEST_BODY_READ).await;
        assert!(empty.is_end_stream());
    }

    #[tokio::test]
    async fn a_body_over_the_limit_with_an_exact_size_says_its_whole_size() {
        // `Full` has an exact size hint: what is left after the first read has one too.
        let over = read_up_to(
            Full::new(Bytes::from_static(b"abcdefgh")),
            4,
            LONGEST_BODY_READ,
        )
        .await;
        assert_eq!(over.size_hint().exact(), Some(8));
        let partly = Resumed::partly(
            Bytes::from_static(b"abc"),
            Full::new(Bytes::from_static(b"defgh")),
        );
        assert_eq!(partly.size_hint().exact(), Some(8));
        assert_eq!(partly.collect().await.unwrap().to_bytes(), "abcdefgh");
    }

    #[tokio::test]
    async fn a_body_that_stalls_is_handed_on_after_the_patience_with_the_rest_to_come() {
        let (mut send, receive) = futures_channel_like();
        send(Bytes::from_static(b"abc"));
        let patience = std::time::Duration::from_millis(200);
        let started = tokio::time::Instant::now();
        let stalled = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            read_up_to(receive, 1 << 20, patience),
        )
        .await
        .expect("the reading gives up after its patience");
        assert!(started.elapsed() >= patience);
        assert_eq!(stalled.read.as_deref(), Some(&b"abc"[..]));
        assert!(stalled.rest.is_some(), "the rest is still to come");
    }

    /// A body whose frames are sent one by one and which never ends by itself.
    fn futures_channel_like() -> (
        impl FnMut(Bytes),
        impl http_body::Body<Data = Bytes, Error = std::io::Error> + Unpin,
    ) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
        let stream = tokio_stream::wrappers::UnboundedReceiverStream::new(receiver)
            .map(|b| Ok::<_, std::io::Error>(Frame::data(b)));
        // The sender is kept alive by the closure, so the body never ends.
        let send = move |b: Bytes| {
            let _ = sender.send(b);
        };
        (send, StreamBody::new(stream))
    }
}
