//! Manners at the edges: an HTTP/1.1 call whose body comes late still gets its status, and
//! `kiln gateway` ends the calls an upstream never answers, naming it, with request IDs on
//! its own answers and passed on to the upstream.

use std::{net::SocketAddr, time::Duration};

use kiln_core::proto::yandex::cloud::compute::v1::GetImageRequest;
use kiln_grpc::compute::image_service_client::ImageServiceClient;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::{Code, transport::Channel};

use super::{authed, fresh_dir, start};

/// The longest any call in these tests may take before the test fails instead of waiting.
const PATIENCE: Duration = Duration::from_secs(30);

/// A gRPC-Web `ImageService/Get` body (one frame).
fn get_frame() -> Vec<u8> {
    let message = GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    }
    .encode_to_vec();
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(&message);
    body
}

/// Sends an HTTP/1.1 gRPC-Web POST of `path` with `headers`: the head, then after a pause
/// (during which nothing may come back) the body. The answer's lower-cased head.
async fn slow_post(addr: SocketAddr, path: &str, headers: &str) -> String {
    let body = get_frame();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/grpc-web+proto\r\n\
         x-grpc-web: 1\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut early = [0u8; 1];
    let answered_early =
        tokio::time::timeout(Duration::from_millis(500), stream.read(&mut early)).await;
    assert!(
        answered_early.is_err(),
        "{path}: the server answered (or closed) before the body came: {answered_early:?}"
    );
    stream.write_all(&body).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response))
        .await
        .expect("the answer comes")
        .unwrap();
    let text = String::from_utf8_lossy(&response).to_lowercase();
    let end = text.find("\r\n\r\n").unwrap_or(text.len());
    text[..end].to_owned()
}

#[tokio::test]
async fn an_http1_call_whose_body_comes_late_still_gets_its_status() {
    let server = start(fresh_dir("slow-body"), 400 << 30).await;
    let head = slow_post(server.addr, "/yandex.cloud.compute.v1.ImageService/Get", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("grpc-status: 16"), "{head}");
    let head = slow_post(
        server.addr,
        "/yandex.cloud.compute.v1.ImageService/NoSuchMethod",
        "authorization: Bearer dev-token\r\n",
    )
    .await;
    assert!(head.contains("grpc-status: 12"), "{head}");
    let head = slow_post(
        server.addr,
        "/yandex.cloud.compute.v1.ImageService/Get",
        "authorization: Bearer dev-token\r\n",
    )
    .await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    server.task.abort();
}

/// A TCP listener that accepts every connection and never answers (the sockets are held).
async fn silent_upstream() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (addr, task)
}

/// A small upstream serving `router` over gRPC's HTTP/2 on a port of its own.
async fn tiny_upstream(router: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_routes(tonic::service::Routes::from(router))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap()
    });
    (upstream, task)
}

/// `kiln gateway` in front of `upstream` with this deadline and connect timeout.
async fn gateway(
    upstream: String,
    call_deadline: Duration,
    connect_timeout: Option<Duration>,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = kiln_server::Gateway {
        upstream,
        call_deadline: Some(call_deadline),
        connect_timeout,
        ..Default::default()
    };
    let task = tokio::spawn(async move { kiln_server::gateway(listener, &config).await.unwrap() });
    (addr, task)
}

/// A native gRPC `ImageService/Get` through `gateway` with `x-request-id: request_id`.
async fn native_get(gateway: SocketAddr, request_id: &str) -> tonic::Status {
    let channel = Channel::from_shared(format!("http://{gateway}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut request = authed(GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    });
    request
        .metadata_mut()
        .insert("x-request-id", request_id.parse().unwrap());
    tokio::time::timeout(PATIENCE, ImageServiceClient::new(channel).get(request))
        .await
        .expect("the call ends")
        .unwrap_err()
}

/// A gRPC-Web `ImageService/Get` over HTTP/1.1 through `gateway`: the answer's lower-cased
/// head (with the percent-decoded `grpc-message` as sent, it is plain ASCII here).
async fn web_get(gateway: SocketAddr, request_id: &str) -> String {
    let body = get_frame();
    let head = format!(
        "POST /yandex.cloud.compute.v1.ImageService/Get HTTP/1.1\r\nhost: {gateway}\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         authorization: Bearer dev-token\r\nx-request-id: {request_id}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let (status, head, _) = tokio::time::timeout(
        PATIENCE,
        super::http1_bytes(gateway, head.as_bytes(), &body),
    )
    .await
    .expect("the call ends");
    assert!(status.starts_with("http/1.1 200"), "{status}");
    head
}

#[tokio::test]
async fn a_silent_upstream_ends_at_the_gateway_deadline_naming_it() {
    let (upstream, held) = silent_upstream().await;
    let (addr, task) = gateway(format!("http://{upstream}"), Duration::from_secs(2), None).await;
    let named = format!("the upstream http://{upstream} did not answer within 2 s");

    let status = native_get(addr, "edge-native-1").await;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert_eq!(status.message(), named);
    assert_eq!(
        status.metadata().get("x-request-id").unwrap(),
        "edge-native-1"
    );

    let head = web_get(addr, "edge-web-1").await;
    assert!(head.contains("grpc-status: 4\r\n"), "{head}");
    assert!(
        head.contains(&format!("grpc-message: {}", named.to_lowercase())),
        "{head}"
    );
    assert!(head.contains("x-request-id: edge-web-1\r\n"), "{head}");
    task.abort();
    held.abort();
}

/// An upstream whose accept queue is full: the kernel drops the gateway's SYNs, so only the
/// connect timeout ends the wait (the call's deadline here is far longer).
#[tokio::test]
async fn an_upstream_that_never_completes_a_connection_hits_the_connect_timeout() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let upstream = socket.local_addr().unwrap();
    let listener = socket.listen(1).unwrap();
    // Fill the accept queue; the first connect that does not complete shows it is full.
    let mut held = Vec::new();
    let mut full = false;
    for _ in 0..64 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(upstream),
        )
        .await
        {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("connect: {e}"),
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    assert!(full, "the accept queue never filled");
    let (addr, task) = gateway(
        format!("http://{upstream}"),
        Duration::from_secs(120),
        Some(Duration::from_millis(500)),
    )
    .await;
    let status = native_get(addr, "edge-connect-1").await;
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(
        status.message(),
        format!("the upstream http://{upstream} did not accept a connection within 0.5 s")
    );
    assert_eq!(
        status.metadata().get("x-request-id").unwrap(),
        "edge-connect-1"
    );
    drop(listener);
    task.abort();
}

/// The gateway's own UNAVAILABLE carries a request ID (a new one when the client sent none),
/// and a client's request ID reaches the upstream with the deadline, and comes back.
#[tokio::test]
async fn request_ids_on_the_gateways_answers_and_at_the_upstream() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (addr, task) = gateway(format!("http://{closed}"), Duration::from_secs(5), None).await;
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let status = tokio::time::timeout(
        PATIENCE,
        ImageServiceClient::new(channel).get(authed(GetImageRequest {
            image_id: "x".into(),
        })),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    let made = status.metadata().get("x-request-id").unwrap();
    assert_eq!(made.len(), 36, "{made:?}");
    assert!(
        status.message().contains(&format!("http://{closed}")),
        "{status:?}"
    );
    task.abort();

    // A tiny upstream that records what it was sent and answers UNIMPLEMENTED.
    let (seen, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let router = axum::Router::new().fallback(move |headers: http::HeaderMap| {
        let seen = seen.clone();
        async move {
            let _ = seen.send(headers);
            (
                [("content-type", "application/grpc"), ("grpc-status", "12")],
                "",
            )
        }
    });
    let (upstream, upstream_task) = tiny_upstream(router).await;
    let (addr, task) = gateway(format!("http://{upstream}"), Duration::from_secs(7), None).await;
    let status = native_get(addr, "edge-upstream-1").await;
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    assert_eq!(
        status.metadata().get("x-request-id").unwrap(),
        "edge-upstream-1"
    );
    let headers = tokio::time::timeout(PATIENCE, seen_rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(headers.get("x-request-id").unwrap(), "edge-upstream-1");
    assert_eq!(headers.get("grpc-timeout").unwrap(), "7000m");
    assert!(headers.get("x-server-trace-id").is_none(), "{headers:?}");
    let head = web_get(addr, "edge-upstream-2").await;
    assert!(head.contains("x-request-id: edge-upstream-2\r\n"), "{head}");
    let headers = seen_rx.recv().await.unwrap();
    assert_eq!(headers.get("x-request-id").unwrap(), "edge-upstream-2");
    task.abort();
    upstream_task.abort();
}

/// An upstream that sends its answer's headers and then nothing: the gateway's deadline ends
/// the answer too, with DEADLINE_EXCEEDED trailers naming the upstream.
#[tokio::test]
async fn an_upstream_that_stops_after_its_headers_ends_at_the_gateway_deadline() {
    let router = axum::Router::new().fallback(|| async {
        let never = futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>();
        (
            [("content-type", "application/grpc")],
            axum::body::Body::from_stream(never),
        )
    });
    let (upstream, upstream_task) = tiny_upstream(router).await;
    let (addr, task) = gateway(format!("http://{upstream}"), Duration::from_secs(2), None).await;
    let named = format!("the upstream http://{upstream} did not finish its answer within 2 s");

    let status = native_get(addr, "edge-headers-1").await;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert_eq!(status.message(), named);

    // Over gRPC-Web the status comes in the body's trailer frame.
    let body = get_frame();
    let head = format!(
        "POST /yandex.cloud.compute.v1.ImageService/Get HTTP/1.1\r\nhost: {addr}\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         authorization: Bearer dev-token\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let (status, _, answer) =
        tokio::time::timeout(PATIENCE, super::http1_bytes(addr, head.as_bytes(), &body))
            .await
            .expect("the call ends");
    assert!(status.starts_with("http/1.1 200"), "{status}");
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.contains("grpc-status:4"), "{answer}");
    task.abort();
    upstream_task.abort();
}
