//! The listener's accepted connections, as both servers take them.

/// The accepted connections of `listener`, with Nagle's algorithm off: a response's headers,
/// message and trailers are separate small writes, and Nagle against the client's delayed ACK
/// would hold each unary call for about 40 ms.
pub fn tokio_stream_listener(
    listener: tokio::net::TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt;
    tokio_stream::wrappers::TcpListenerStream::new(listener)
        .map(|stream| stream.and_then(|s| s.set_nodelay(true).map(|()| s)))
}
