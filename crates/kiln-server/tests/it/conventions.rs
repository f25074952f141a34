//! The real API's manners on the wire and what people expect of an emulator: grpc-message
//! encoded as the gRPC spec says, request IDs, the subject in `created_by`, grpc-web-text
//! through the gateway, health, reflection, TLS (with the official Node SDK), the admin
//! reset and seed files.

use std::net::SocketAddr;

use base64::Engine as _;
use kiln_core::proto::yandex::cloud::{
    compute::v1::{
        CreateImageRequest, GetImageRequest, ListDisksRequest, ListImagesRequest,
        ListSnapshotsRequest, create_image_request::Source,
    },
    operation::GetOperationRequest,
};
use kiln_grpc::{
    compute::{
        disk_service_client::DiskServiceClient, image_service_client::ImageServiceClient,
        snapshot_service_client::SnapshotServiceClient,
    },
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{Config, DEV_FOLDER, DEV_SUBJECT, DEV_TOKEN, Grant, Tokens};
use prost::Message;
use tonic::Code;

use super::{authed, fresh_dir, from_disk, http1_bytes, image_id, start, start_with, wait_done};

/// Sends `head` and `body` over HTTP/1.1 and reads until the server closes; the response's head
/// exactly as it came (not lower-cased) and its body.
async fn http1_raw(addr: SocketAddr, head: &[u8], body: &[u8]) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    (
        String::from_utf8_lossy(&response[..split]).into_owned(),
        response[split..].to_vec(),
    )
}

/// The raw value of header `name` in a response head (names compared without case).
fn raw_header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// An invalid Create over gRPC-Web (HTTP/1.1); the `grpc-message` exactly as sent.
async fn grpc_message_of(addr: SocketAddr, path: &str, message: &[u8], token: &str) -> String {
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(message);
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/grpc-web+proto\r\n\
         x-grpc-web: 1\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let (head, _) = http1_raw(addr, head.as_bytes(), &body).await;
    // An error is a trailers-only answer: its status is in the headers.
    raw_header(&head, "grpc-message").unwrap_or_else(|| panic!("{head}"))
}

/// A gRPC-Web call over HTTP/1.1 (`text`: application/grpc-web-text, base64 both ways) with
/// these extra header lines; the status line, lower-cased headers and the decoded body.
async fn grpc_web(
    addr: SocketAddr,
    path: &str,
    message: &[u8],
    extra: &str,
    text: bool,
) -> (String, String, Vec<u8>) {
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(message);
    // Google's grpc-web client asks for a text answer with `accept`.
    let extra = if text {
        format!("{extra}accept: application/grpc-web-text\r\n")
    } else {
        extra.to_owned()
    };
    let (content_type, body) = if text {
        (
            "application/grpc-web-text",
            base64::engine::general_purpose::STANDARD
                .encode(&body)
                .into_bytes(),
        )
    } else {
        ("application/grpc-web+proto", body)
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: {content_type}\r\nx-grpc-web: 1\r\n\
         {extra}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let (status, headers, body) = http1_bytes(addr, head.as_bytes(), &body).await;
    let body = if text {
        // Each part of a text response is base64 of its own.
        let text = String::from_utf8(body).unwrap();
        let mut decoded = Vec::new();
        for part in text.split_inclusive('=').filter(|p| !p.trim().is_empty()) {
            decoded.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(part.trim())
                    .unwrap_or_else(|e| panic!("{e}: {part:?}")),
            );
        }
        decoded
    } else {
        body
    };
    (status, headers, body)
}

/// The trailer frame of a gRPC-Web response body, as its raw text.
fn trailer_text(body: &[u8]) -> String {
    let mut at = 0;
    while at + 5 <= body.len() {
        let len = u32::from_be_bytes(body[at + 1..at + 5].try_into().unwrap()) as usize;
        if body[at] & 0x80 != 0 {
            return String::from_utf8_lossy(&body[at + 5..at + 5 + len]).into_owned();
        }
        at += 5 + len;
    }
    panic!("no trailer frame in {body:?}")
}

fn header<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

/// A Create whose name breaks the API's pattern (its message has spaces, `(` and `)`).
fn invalid_create() -> Vec<u8> {
    CreateImageRequest {
        folder_id: DEV_FOLDER.into(),
        name: "not valid".into(),
        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
        ..Default::default()
    }
    .encode_to_vec()
}

#[tokio::test]
async fn grpc_message_on_the_wire_is_percent_encoded_only_where_the_spec_says() {
    let server = start(fresh_dir("grpc-message"), 1 << 30).await;
    let create = "/yandex.cloud.compute.v1.ImageService/Create";
    let message = grpc_message_of(server.addr, create, &invalid_create(), DEV_TOKEN).await;
    assert!(
        message.contains(
            "may only contain lowercase Latin letters, digits, hyphens and underscores \
             (it has a space)"
        ),
        "spaces, ( and ) go as they are: {message}"
    );
    assert!(
        !message.contains("%20") && !message.contains("%3F"),
        "{message}"
    );
    // A message with a `%` and non-ASCII text: both encoded, as the spec says; `?`, `{` and
    // `}` are printable ASCII and go as they are.
    let get = GetImageRequest {
        image_id: "100%-café?{x}".into(),
    }
    .encode_to_vec();
    let path = "/yandex.cloud.compute.v1.ImageService/Get";
    let message = grpc_message_of(server.addr, path, &get, DEV_TOKEN).await;
    assert!(message.contains("100%25-caf%C3%A9?{x}"), "{message}");
    // An unauthenticated call (answered by the interceptor) too.
    let message = grpc_message_of(server.addr, path, &get, "nobody's token").await;
    assert_eq!(message, "unknown token");
    // And over native gRPC (HTTP/2): the header block as the client's HTTP/2 layer got it.
    let message = h2_grpc_message(server.addr, create, &invalid_create()).await;
    assert!(message.contains("(it has a space)"), "{message}");
    assert!(!message.contains('%'), "{message}");
}

/// One unary call over HTTP/2 with the h2 crate (no gRPC library in between); the raw
/// `grpc-message` value of its answer (headers of a trailers-only answer, or trailers).
async fn h2_grpc_message(addr: SocketAddr, path: &str, message: &[u8]) -> String {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {DEV_TOKEN}"))
        .body(())
        .unwrap();
    let (response, mut send) = client.send_request(request, false).unwrap();
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(message);
    send.send_data(body.into(), true).unwrap();
    let response = response.await.unwrap();
    if let Some(value) = response.headers().get("grpc-message") {
        return String::from_utf8(value.as_bytes().to_vec()).unwrap();
    }
    let mut body = response.into_body();
    while body.data().await.is_some() {}
    let trailers = body.trailers().await.unwrap().unwrap();
    String::from_utf8(trailers["grpc-message"].as_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn every_response_carries_a_request_id_echoed_or_made_and_a_server_trace_id() {
    let server = start(fresh_dir("request-id"), 1 << 30).await;
    let auth = format!("authorization: Bearer {DEV_TOKEN}\r\n");
    let get = GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    }
    .encode_to_vec();
    let path = "/yandex.cloud.compute.v1.ImageService/Get";
    let echoed = format!("{auth}x-request-id: my-request-7\r\n");
    let (_, headers, _) = grpc_web(server.addr, path, &get, &echoed, false).await;
    assert_eq!(
        header(&headers, "x-request-id"),
        Some("my-request-7"),
        "{headers}"
    );
    let trace = header(&headers, "x-server-trace-id").unwrap();
    assert!(
        trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()),
        "{trace}"
    );
    // None sent, or one not fit to echo (too long): a new UUID.
    let too_long = format!("{auth}x-request-id: {}\r\n", "x".repeat(200));
    for extra in [auth.clone(), too_long] {
        let (_, headers, _) = grpc_web(server.addr, path, &get, &extra, false).await;
        let made = header(&headers, "x-request-id").unwrap();
        assert_eq!(made.len(), 36, "{made}");
        assert_eq!(&made[14..15], "4", "a v4 UUID: {made}");
        assert_ne!(header(&headers, "x-server-trace-id"), Some(trace));
    }
    // Errors, HTTP routes and native gRPC have them too.
    let (_, headers, _) = grpc_web(server.addr, path, &get, "", false).await;
    assert!(header(&headers, "grpc-status") == Some("16"), "{headers}");
    assert!(header(&headers, "x-request-id").is_some(), "{headers}");
    let (status, headers, _) = http1_bytes(
        server.addr,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-request-id: probe-1\r\nconnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert_eq!(header(&headers, "x-request-id"), Some("probe-1"));
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut request = authed(GetImageRequest {
        image_id: "fd8nosuchimage000000".into(),
    });
    request
        .metadata_mut()
        .insert("x-request-id", "grpc-request-1".parse().unwrap());
    let status = images.get(request).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(
        status.metadata().get("x-request-id").unwrap(),
        "grpc-request-1"
    );
    assert!(status.metadata().get("x-server-trace-id").is_some());
}

#[tokio::test]
async fn operations_name_the_tokens_subject_and_done_ones_only_say_create_image() {
    let mut tokens = Tokens::development();
    tokens.0.insert(
        "team-token".into(),
        Grant {
            folders: vec![DEV_FOLDER.into()],
            subject: "ajeteam0robot0000001".into(),
        },
    );
    let server = start_with(Config {
        copy_rate: 400 << 30,
        tokens,
        ..Config::development(fresh_dir("created-by"))
    })
    .await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let started = images
        .create(authed(from_disk("by-dev")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(started.created_by, DEV_SUBJECT);
    let done = wait_done(&mut operations, &started.id).await;
    assert_eq!(done.description, "Create image");
    assert_eq!(done.created_by, DEV_SUBJECT);
    let mut team = tonic::Request::new(from_disk("by-team"));
    team.metadata_mut()
        .insert("authorization", "Bearer team-token".parse().unwrap());
    let by_team = images.create(team).await.unwrap().into_inner();
    assert_eq!(by_team.created_by, "ajeteam0robot0000001");
    let listed = images
        .list_operations(authed(
            kiln_core::proto::yandex::cloud::compute::v1::ListImageOperationsRequest {
                image_id: image_id(&started),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.operations[0].description, "Create image");
    let again = operations
        .get(authed(GetOperationRequest {
            operation_id: started.id,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.description, "Create image");
}

#[tokio::test]
async fn grpc_web_text_works_directly_and_through_the_gateway() {
    let upstream = start(fresh_dir("web-text"), 1 << 30).await;
    let upstream_addr = upstream.addr;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway_addr = listener.local_addr().unwrap();
    let gateway = tokio::spawn(async move {
        let config = kiln_server::Gateway {
            upstream: format!("http://{upstream_addr}"),
            ..Default::default()
        };
        kiln_server::gateway(listener, &config).await.unwrap();
    });
    let get = GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    }
    .encode_to_vec();
    let auth = format!("authorization: Bearer {DEV_TOKEN}\r\nx-request-id: text-1\r\n");
    for addr in [upstream_addr, gateway_addr] {
        let (status, headers, body) = grpc_web(
            addr,
            "/yandex.cloud.compute.v1.ImageService/Get",
            &get,
            &auth,
            true,
        )
        .await;
        assert!(status.starts_with("http/1.1 200"), "{addr}: {status}");
        assert!(
            header(&headers, "content-type")
                .is_some_and(|t| t.starts_with("application/grpc-web-text")),
            "{headers}"
        );
        assert!(
            !body.is_empty() && body[0] == 0,
            "{addr}: a message frame first: {headers} {body:?}"
        );
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        let image =
            kiln_core::proto::yandex::cloud::compute::v1::Image::decode(&body[5..5 + len]).unwrap();
        assert_eq!(image.name, "ubuntu-2404-base");
        assert!(trailer_text(&body).contains("grpc-status:0"), "{addr}");
        assert_eq!(
            header(&headers, "x-request-id"),
            Some("text-1"),
            "{addr}: {headers}"
        );
    }
    gateway.abort();
}

#[tokio::test]
async fn health_answers_without_a_token_over_grpc_and_http() {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    let server = start(fresh_dir("health"), 1 << 30).await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in [
        "",
        "yandex.cloud.compute.v1.ImageService",
        "yandex.cloud.operation.OperationService",
        "yandex.cloud.compute.v1.DiskService",
        "yandex.cloud.compute.v1.SnapshotService",
    ] {
        let answer = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("{service}: {e}"))
            .into_inner();
        assert_eq!(answer.status(), ServingStatus::Serving, "{service}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "no.such.Service".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    let (status, headers, body) = http1_bytes(
        server.addr,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(
        header(&headers, "content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(body, b"ok\n");
}

#[tokio::test]
async fn reflection_lists_every_service_and_serves_their_files_with_dependencies() {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let server = start(fresh_dir("reflection"), 1 << 30).await;
    let mut client = ServerReflectionClient::new(server.channel.clone());
    // One stream, as grpcurl uses it: each request answered in turn.
    let ask = |request: MessageRequest| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let (send, receive) = tokio::sync::mpsc::channel(4);
    let mut answers = client
        .server_reflection_info(tokio_stream::wrappers::ReceiverStream::new(receive))
        .await
        .unwrap()
        .into_inner();
    send.send(ask(MessageRequest::ListServices(String::new())))
        .await
        .unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) =
        answers.message().await.unwrap().unwrap().message_response
    else {
        panic!("a service list")
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "yandex.cloud.compute.v1.DiskService",
            "yandex.cloud.compute.v1.ImageService",
            "yandex.cloud.compute.v1.SnapshotService",
            "yandex.cloud.endpoint.ApiEndpointService",
            "yandex.cloud.operation.OperationService",
        ]
    );
    // Every service's file and everything it imports, as a client resolves them.
    let mut files = prost_types::FileDescriptorSet::default();
    let mut wanted: Vec<MessageRequest> = names
        .iter()
        .map(|n| MessageRequest::FileContainingSymbol(n.clone()))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let Some(request) = wanted.pop() else { break };
        send.send(ask(request)).await.unwrap();
        let Some(MessageResponse::FileDescriptorResponse(found)) =
            answers.message().await.unwrap().unwrap().message_response
        else {
            panic!("a file")
        };
        for bytes in found.file_descriptor_proto {
            let file = prost_types::FileDescriptorProto::decode(bytes.as_slice()).unwrap();
            if seen.insert(file.name().to_owned()) {
                wanted.extend(
                    file.dependency
                        .iter()
                        .filter(|d| !seen.contains(*d))
                        .map(|d| MessageRequest::FileByFilename(d.clone())),
                );
                files.file.push(file);
            }
        }
    }
    assert!(wanted.is_empty());
    let pool = prost_reflect::DescriptorPool::from_file_descriptor_set(files).unwrap();
    let create = pool
        .get_service_by_name("yandex.cloud.compute.v1.ImageService")
        .unwrap()
        .methods()
        .find(|m| m.name() == "Create")
        .unwrap();
    assert_eq!(
        create.input().full_name(),
        "yandex.cloud.compute.v1.CreateImageRequest"
    );
    assert_eq!(
        create.output().full_name(),
        "yandex.cloud.operation.Operation"
    );
    // The older v1alpha protocol (older grpcurl and Postman) lists them too.
    let mut alpha =
        tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient::new(
            server.channel.clone(),
        );
    let request = tonic_reflection::pb::v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest::ListServices(
                String::new(),
            ),
        ),
    };
    let mut answers = alpha
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let answer = format!("{:?}", answers.message().await.unwrap().unwrap());
    assert!(
        answer.contains("yandex.cloud.compute.v1.ImageService"),
        "{answer}"
    );
}

/// `POST /_kiln/reset` with `authorization` (if any); the status line.
async fn reset(addr: SocketAddr, token: Option<&str>) -> String {
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /_kiln/reset HTTP/1.1\r\nhost: x\r\n{auth}content-length: 0\r\nconnection: close\r\n\r\n"
    );
    http1_bytes(addr, head.as_bytes(), b"").await.0
}

async fn image_names(
    images: &mut ImageServiceClient<tonic::transport::Channel>,
    token: &str,
) -> Vec<String> {
    let mut request = tonic::Request::new(ListImagesRequest {
        folder_id: DEV_FOLDER.into(),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let mut names: Vec<String> = images
        .list(request)
        .await
        .unwrap()
        .into_inner()
        .images
        .into_iter()
        .map(|i| i.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_admin_reset_restores_the_seed_in_development_mode_only() {
    // 4 GiB/s: the Create from the 20 GiB disk ends in 5 s, the one from the 100 GiB disk is
    // still running when the reset comes.
    let server = start(fresh_dir("reset"), 4 << 30).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let done = images
        .create(authed(from_disk("made-before-reset")))
        .await
        .unwrap()
        .into_inner();
    wait_done(&mut operations, &done.id).await;
    let large = |name: &str| CreateImageRequest {
        source: Some(Source::DiskId("fhm0dev0disk0data001".into())),
        ..from_disk(name)
    };
    let mut keyed = authed(large("keyed"));
    keyed
        .metadata_mut()
        .insert("idempotency-key", "reset-key-1".parse().unwrap());
    let keyed_op = images.create(keyed).await.unwrap().into_inner();
    assert!(!keyed_op.done);
    assert_eq!(
        image_names(&mut images, DEV_TOKEN).await,
        ["keyed", "made-before-reset", "ubuntu-2404-base"]
    );
    assert!(reset(server.addr, None).await.starts_with("http/1.1 401"));
    assert!(
        reset(server.addr, Some("dev-tokenx"))
            .await
            .starts_with("http/1.1 401")
    );
    assert_eq!(image_names(&mut images, DEV_TOKEN).await.len(), 3);
    assert!(
        reset(server.addr, Some(DEV_TOKEN))
            .await
            .starts_with("http/1.1 200")
    );
    assert_eq!(
        image_names(&mut images, DEV_TOKEN).await,
        ["ubuntu-2404-base"]
    );
    let gone = operations
        .get(authed(GetOperationRequest {
            operation_id: done.id,
        }))
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    // The running one is gone too, and its copy stopped (its image does not come back).
    let gone = operations
        .get(authed(GetOperationRequest {
            operation_id: keyed_op.id.clone(),
        }))
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    let gone = images
        .get(authed(GetImageRequest {
            image_id: image_id(&keyed_op),
        }))
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    // The key is forgotten too: the same key starts a new operation.
    let mut keyed = authed(large("keyed"));
    keyed
        .metadata_mut()
        .insert("idempotency-key", "reset-key-1".parse().unwrap());
    let after = images.create(keyed).await.unwrap().into_inner();
    assert_ne!(after.id, keyed_op.id);
    assert_eq!(
        image_names(&mut images, DEV_TOKEN).await,
        ["keyed", "ubuntu-2404-base"]
    );

    // With configured tokens: refused, nothing changes.
    let shared = start_with(Config {
        tokens: Tokens::from_folders(
            [("team-token".to_owned(), vec![DEV_FOLDER.to_owned()])].into(),
        ),
        ..Config::development(fresh_dir("reset-shared"))
    })
    .await;
    assert!(
        reset(shared.addr, Some(DEV_TOKEN))
            .await
            .starts_with("http/1.1 403")
    );
    assert!(
        reset(shared.addr, Some("team-token"))
            .await
            .starts_with("http/1.1 403")
    );
    let mut shared_images = ImageServiceClient::new(shared.channel.clone());
    assert_eq!(
        image_names(&mut shared_images, "team-token").await,
        ["ubuntu-2404-base"]
    );
}

#[tokio::test]
async fn a_seed_file_models_a_folder_and_the_reset_returns_to_it() {
    let seed = kiln_server::seed::from_json(
        r#"{"folderId": "team-folder",
            "disks": [{"id": "fhm1team0disk0base01", "name": "base", "size": "21474836480"}],
            "snapshots": [{"id": "fd81team0snap0base01", "name": "base-nightly",
                           "sourceDiskId": "fhm1team0disk0base01", "diskSize": "21474836480"}],
            "images": [{"id": "fd81team0image0base1", "name": "golden", "family": "team-base",
                        "minDiskSize": "10737418240"}]}"#,
    )
    .unwrap();
    let mut tokens = Tokens::development();
    tokens
        .0
        .get_mut(DEV_TOKEN)
        .unwrap()
        .folders
        .push("team-folder".into());
    let server = start_with(Config {
        copy_rate: 400 << 30,
        tokens,
        seed: Some(seed),
        ..Config::development(fresh_dir("seed"))
    })
    .await;
    let folder = || "team-folder".to_owned();
    let mut disks = DiskServiceClient::new(server.channel.clone());
    let listed = disks
        .list(authed(ListDisksRequest {
            folder_id: folder(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.disks.len(), 1);
    assert_eq!(listed.disks[0].size, 20 << 30);
    let mut snapshots = SnapshotServiceClient::new(server.channel.clone());
    let listed = snapshots
        .list(authed(ListSnapshotsRequest {
            folder_id: folder(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.snapshots[0].source_disk_id, "fhm1team0disk0base01");
    let mut images = ImageServiceClient::new(server.channel.clone());
    let started = images
        .create(authed(CreateImageRequest {
            folder_id: folder(),
            name: "from-seed".into(),
            source: Some(Source::SnapshotId("fd81team0snap0base01".into())),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let mut operations = OperationServiceClient::new(server.channel.clone());
    wait_done(&mut operations, &started.id).await;
    assert!(
        reset(server.addr, Some(DEV_TOKEN))
            .await
            .starts_with("http/1.1 200")
    );
    let listed = images
        .list(authed(ListImagesRequest {
            folder_id: folder(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = listed.images.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["golden"]);
    // The built-in development folder is not seeded.
    assert_eq!(
        image_names(&mut images, DEV_TOKEN).await,
        Vec::<String>::new()
    );
}

#[test]
fn a_bad_seed_file_gets_an_error_naming_the_record_and_field() {
    let check = |json: &str, expected: &str| match kiln_server::seed::from_json(json) {
        Ok(_) => panic!("{json} was accepted"),
        Err(e) => assert!(e.to_string().contains(expected), "{json}: {e}"),
    };
    check("[]", "must be a JSON object");
    check("{\"disk\": []}", "disk: unknown key");
    check(
        "{\"disks\": [{\"id\": \"d1\", \"size\": \"0\"}]}",
        "disks[0].size: must be between 4194304 and 4398046511104 bytes, got 0",
    );
    check(
        "{\"disks\": [{\"id\": \"D 1\", \"size\": \"4194304\"}]}",
        "disks[0].id: must be 1 to 50 characters",
    );
    check(
        "{\"disks\": [{\"id\": \"d1\", \"size\": \"4194304\"}, {\"id\": \"d1\", \"size\": \"4194304\"}]}",
        "disks[1].id: d1 is used twice",
    );
    check(
        "{\"disks\": [{\"id\": \"d1\", \"size\": \"4194304\", \"name\": \"Bad\"}]}",
        "disks[0].name: may only contain lowercase Latin letters",
    );
    check(
        "{\"disks\": [{\"id\": \"d1\", \"sizes\": \"4194304\"}]}",
        "disks[0]:",
    );
    check(
        "{\"snapshots\": [{\"id\": \"s1\", \"diskSize\": \"4194304\", \"sourceDiskId\": \"nope\"}]}",
        "snapshots[0].sourceDiskId: nope is not a disk of the seed",
    );
    check(
        "{\"folderId\": \"a\", \"images\": [{\"id\": \"i1\", \"folderId\": \"b\", \"minDiskSize\": \"4194304\"}]}",
        "images[0].folderId: the seed is for folder a",
    );
    check(
        "{\"images\": [{\"id\": \"i1\", \"minDiskSize\": \"4194304\", \"status\": \"CREATING\"}]}",
        "images[0].status: a seeded image is READY, got CREATING",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_node_sdk_connects_over_tls_with_only_its_endpoint_overridden() {
    let dir = fresh_dir("node-sdk-tls");
    let certificate = kiln_server::tls::dev_certificate(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        copy_rate: 400 << 30,
        tls: Some(certificate.clone()),
        ..Config::development(dir)
    };
    let server = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let endpoint = format!("localhost:{port}");
    let ca = certificate.ca.clone();
    let out = tokio::task::spawn_blocking(move || {
        super::node::run(
            "node_sdk.mjs",
            &[&endpoint, DEV_SUBJECT],
            &[("NODE_EXTRA_CA_CERTS", ca.as_path())],
        )
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", super::node::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("node sdk: 3 passed"),
        "{}",
        super::node::text(&out)
    );
    // Without trusting the authority the SDK refuses the certificate: TLS is really checked.
    let endpoint = format!("localhost:{port}");
    let out = tokio::task::spawn_blocking(move || {
        super::node::run("node_sdk.mjs", &[&endpoint, DEV_SUBJECT], &[])
    })
    .await
    .unwrap();
    assert!(!out.status.success(), "{}", super::node::text(&out));
    server.abort();
}

/// kiln gateway on a free loopback port in front of `upstream`; its address.
async fn gateway_for(upstream: String, upstream_ca: Option<Vec<u8>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let config = kiln_server::Gateway {
            upstream,
            upstream_ca,
            ..Default::default()
        };
        kiln_server::gateway(listener, &config).await.unwrap();
    });
    addr
}

/// `connect.mjs` against these base URLs (gRPC-Web and gRPC each), trusting `ca` if given.
async fn connect_es(urls: Vec<String>, ca: Option<std::path::PathBuf>) {
    let count = urls.len();
    let out = tokio::task::spawn_blocking(move || {
        let (dir, _) = super::node::install();
        let descriptors = dir.join("kiln.binpb");
        std::fs::write(&descriptors, kiln_core::FILE_DESCRIPTOR_SET).unwrap();
        let mut args = vec![
            descriptors.to_str().unwrap().to_owned(),
            DEV_SUBJECT.to_owned(),
        ];
        args.extend(urls.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &std::path::Path)> = ca
            .as_deref()
            .map(|ca| ("NODE_EXTRA_CA_CERTS", ca))
            .into_iter()
            .collect();
        super::node::run("connect.mjs", &args, &env)
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", super::node::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("connect-es: 4 passed"),
        "{}",
        super::node::text(&out)
    );
    // Early refusals over gRPC-Web on HTTP/1.1, four kinds five times at each URL.
    let refusals = format!("connect-es refusals: {} passed", count * 4 * 5);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&refusals),
        "{}",
        super::node::text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_es_over_grpc_web_and_grpc_directly_and_through_the_gateway() {
    let upstream = start(fresh_dir("connect-es"), 400 << 30).await;
    let gateway = gateway_for(format!("http://{}", upstream.addr), None).await;
    connect_es(
        vec![
            format!("http://{}", upstream.addr),
            format!("http://{gateway}"),
        ],
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_es_over_tls_directly_and_through_a_gateway_trusting_the_development_authority() {
    let dir = fresh_dir("connect-es-tls");
    let certificate = kiln_server::tls::dev_certificate(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        copy_rate: 400 << 30,
        tls: Some(certificate.clone()),
        ..Config::development(dir)
    };
    tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let ca = std::fs::read(&certificate.ca).unwrap();
    let gateway = gateway_for(format!("https://localhost:{port}"), Some(ca)).await;
    connect_es(
        vec![
            format!("https://localhost:{port}"),
            format!("http://{gateway}"),
        ],
        Some(certificate.ca.clone()),
    )
    .await;
}

#[tokio::test]
async fn seeded_ids_have_the_length_of_created_ones_and_snapshots_name_their_disk() {
    let server = start(fresh_dir("seed-shapes"), 400 << 30).await;
    let mut disks = DiskServiceClient::new(server.channel.clone());
    let disks = disks
        .list(authed(ListDisksRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .disks;
    let mut snapshots = SnapshotServiceClient::new(server.channel.clone());
    let snapshots = snapshots
        .list(authed(ListSnapshotsRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .snapshots;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let seeded = images
        .list(authed(ListImagesRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .images;
    let created = images
        .create(authed(from_disk("shape")))
        .await
        .unwrap()
        .into_inner();
    let length = image_id(&created).len();
    assert_eq!(length, 20);
    assert_eq!(created.id.len(), length);
    let ids = disks
        .iter()
        .map(|d| &d.id)
        .chain(snapshots.iter().map(|s| &s.id))
        .chain(seeded.iter().map(|i| &i.id));
    for id in ids {
        assert_eq!(id.len(), length, "{id}");
    }
    assert_eq!((disks.len(), snapshots.len()), (3, 2));
    for snapshot in &snapshots {
        assert!(
            disks.iter().any(|d| d.id == snapshot.source_disk_id),
            "{snapshot:?}"
        );
    }
}

#[tokio::test]
async fn reflection_and_health_work_through_the_gateway() {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let upstream = start(fresh_dir("gateway-reflection"), 1 << 30).await;
    let gateway = gateway_for(format!("http://{}", upstream.addr), None).await;
    let channel = tonic::transport::Channel::from_shared(format!("http://{gateway}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ServerReflectionClient::new(channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::FileContainingSymbol(
            "yandex.cloud.compute.v1.ImageService".into(),
        )),
    };
    let mut answers = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let Some(MessageResponse::FileDescriptorResponse(found)) =
        answers.message().await.unwrap().unwrap().message_response
    else {
        panic!("a file")
    };
    let file = prost_types::FileDescriptorProto::decode(found.file_descriptor_proto[0].as_slice())
        .unwrap();
    assert_eq!(file.name(), "yandex/cloud/compute/v1/image_service.proto");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let answer = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        answer.status(),
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
}
