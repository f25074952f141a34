//! The local service end to end: a real server on loopback, a real SQLite file, the generated
//! tonic clients.

use std::{path::PathBuf, time::Duration};

use kiln_core::{
    proto::{
        google::rpc,
        yandex::cloud::{
            compute::v1::{
                CreateImageMetadata, CreateImageRequest, DeleteImageRequest, GetImageRequest,
                Image, ListDisksRequest, ListImagesRequest, create_image_request::Source,
                hardware_generation, image,
            },
            operation::{CancelOperationRequest, GetOperationRequest, Operation, operation},
        },
    },
    validate::{Outcome, validate_str},
};
use kiln_grpc::{
    compute::{disk_service_client::DiskServiceClient, image_service_client::ImageServiceClient},
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN};
use prost::Message;
use tonic::{Code, Request, transport::Channel};
use tonic_types::StatusExt;

mod conventions;
mod edges;
mod files;
mod fuzz;
mod gateway;
mod import;
mod limits;
mod node;
mod races;
mod readme;
mod sdk;
mod tenants;

const GIB: u64 = 1 << 30;

pub(crate) struct Server {
    addr: std::net::SocketAddr,
    channel: Channel,
    data_dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

async fn start(data_dir: PathBuf, copy_rate: u64) -> Server {
    start_with(Config {
        copy_rate,
        ..Config::development(data_dir)
    })
    .await
}

/// `kiln serve` with `config` on a free loopback port, and a channel to it.
async fn start_with(config: Config) -> Server {
    let data_dir = config.data_dir.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        kiln_server::serve(config, listener).await.unwrap();
    });
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    Server {
        addr,
        channel,
        data_dir,
        task,
    }
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-server-{name}-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::Instant::now())
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

fn authed<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {DEV_TOKEN}").parse().unwrap(),
    );
    request
}

fn from_disk(name: &str) -> CreateImageRequest {
    CreateImageRequest {
        folder_id: DEV_FOLDER.into(),
        name: name.into(),
        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
        ..Default::default()
    }
}

async fn wait_done(operations: &mut OperationServiceClient<Channel>, id: &str) -> Operation {
    for _ in 0..500 {
        let operation = operations
            .get(authed(GetOperationRequest {
                operation_id: id.into(),
            }))
            .await
            .unwrap()
            .into_inner();
        if operation.done {
            return operation;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operation {id} did not finish");
}

fn image_id(operation: &Operation) -> String {
    CreateImageMetadata::decode(operation.metadata.as_ref().unwrap().value.as_slice())
        .unwrap()
        .image_id
}

#[tokio::test]
async fn create_from_a_disk_runs_as_an_operation_and_ends_with_a_ready_image() {
    let server = start(fresh_dir("create"), 200 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let response = images.create(authed(from_disk("web-1"))).await.unwrap();
    assert_eq!(
        response
            .metadata()
            .get("x-operation-poll-interval")
            .unwrap(),
        "1"
    );
    let started = response.into_inner();
    assert!(!started.done);
    assert_eq!(started.id.len(), 20, "{}", started.id);
    assert_eq!(
        started.metadata.as_ref().unwrap().type_url,
        "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata"
    );
    let id = image_id(&started);
    let creating = images
        .get(authed(GetImageRequest {
            image_id: id.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(creating.status(), image::Status::Creating);

    let done = wait_done(&mut operations, &started.id).await;
    let Some(operation::Result::Response(any)) = done.result else {
        panic!("response expected: {done:?}")
    };
    assert_eq!(
        any.type_url,
        "type.googleapis.com/yandex.cloud.compute.v1.Image"
    );
    let image = Image::decode(any.value.as_slice()).unwrap();
    assert_eq!(
        (image.id.as_str(), image.status()),
        (id.as_str(), image::Status::Ready)
    );
    assert_eq!(image.storage_size, 20 * GIB as i64);
    assert_eq!(image.min_disk_size, 20 * GIB as i64);
    // Inherited from the disk: Gen 1.2.
    assert!(matches!(
        image.hardware_generation.unwrap().features,
        Some(hardware_generation::Features::LegacyFeatures(f)) if f.pci_topology == 2
    ));
    let listed = images
        .list(authed(ListImagesRequest {
            folder_id: DEV_FOLDER.into(),
            filter: "name=\"web-1\"".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.images.len(), 1);
    assert_eq!(listed.images[0].status(), image::Status::Ready);
    server.task.abort();
}

#[tokio::test]
async fn an_invalid_request_gets_bad_request_details_matching_kiln_validate() {
    let server = start(fresh_dir("invalid"), 200 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let request = CreateImageRequest {
        folder_id: DEV_FOLDER.into(),
        name: "Bad Name".into(),
        labels: [("Team".to_owned(), "web".to_owned())].into(),
        ..Default::default()
    };
    let status = images.create(authed(request)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let got: Vec<(String, String)> = details
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| (v.field.clone(), v.description.clone()))
        .collect();
    let Outcome::Invalid { violations } = validate_str(
        "yandex.cloud.compute.v1.CreateImageRequest",
        r#"{"folderId":"dev-folder","labels":{"Team":"web"},"name":"Bad Name"}"#,
    ) else {
        panic!("invalid expected")
    };
    let mut want: Vec<(String, String)> = violations
        .into_iter()
        .map(|v| (v.field, v.message))
        .collect();
    let mut got_sorted = got.clone();
    want.sort();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
    assert_eq!(got.len(), 3, "{got:?}");
    server.task.abort();
}

#[tokio::test]
async fn cancel_stops_the_copy_and_removes_the_image() {
    let server = start(fresh_dir("cancel"), GIB).await; // 20 GiB at 1 GiB/s: 20 s
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let started = images
        .create(authed(from_disk("to-cancel")))
        .await
        .unwrap()
        .into_inner();
    let id = image_id(&started);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let running = operations
        .get(authed(GetOperationRequest {
            operation_id: started.id.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!running.done);
    assert!(
        running.description.starts_with("Create image: ")
            && running.description.ends_with(" of 20.0 GiB)"),
        "progress shows in the description: {}",
        running.description
    );
    let cancelled = operations
        .cancel(authed(CancelOperationRequest {
            operation_id: started.id.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(cancelled.done);
    let Some(operation::Result::Error(rpc::Status { code, .. })) = cancelled.result else {
        panic!("{cancelled:?}")
    };
    assert_eq!(code, rpc::Code::Cancelled as i32);
    let gone = images
        .get(authed(GetImageRequest { image_id: id }))
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    // Cancelling a finished operation returns it unchanged.
    let again = operations
        .cancel(authed(CancelOperationRequest {
            operation_id: started.id.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again, cancelled);
    server.task.abort();
}

#[tokio::test]
async fn auth_checks_token_and_folder() {
    let server = start(fresh_dir("auth"), 200 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let anonymous = images
        .create(Request::new(from_disk("x")))
        .await
        .unwrap_err();
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    let mut wrong = Request::new(from_disk("x"));
    wrong
        .metadata_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    assert_eq!(
        images.create(wrong).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    let other_folder = CreateImageRequest {
        folder_id: "someone-elses".into(),
        ..from_disk("x")
    };
    assert_eq!(
        images
            .create(authed(other_folder))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    let mut disks = DiskServiceClient::new(server.channel.clone());
    let listed = disks
        .list(authed(ListDisksRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.disks.len(), 3);
    server.task.abort();
}

#[tokio::test]
async fn names_are_unique_and_min_disk_size_covers_the_source() {
    let server = start(fresh_dir("rules"), 200 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    images.create(authed(from_disk("taken"))).await.unwrap();
    let duplicate = images.create(authed(from_disk("taken"))).await.unwrap_err();
    assert_eq!(duplicate.code(), Code::AlreadyExists);
    let small = CreateImageRequest {
        min_disk_size: 10 * GIB as i64,
        ..from_disk("small")
    };
    let error = images.create(authed(small)).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(
        error.message(),
        format!(
            "Minimal disk size should be greater or equal than {}",
            20 * GIB
        )
    );
    let missing = CreateImageRequest {
        source: Some(Source::SnapshotId("fd8nosuchsnapshot000".into())),
        ..from_disk("m")
    };
    assert_eq!(
        images.create(authed(missing)).await.unwrap_err().code(),
        Code::NotFound
    );
    server.task.abort();
}

/// `n` Creates sent at once, each on its own task; their outcomes in the order sent.
async fn creates_at_once(
    channel: &Channel,
    n: usize,
    request: impl Fn() -> Request<CreateImageRequest>,
) -> Vec<Result<Operation, tonic::Status>> {
    let attempts: Vec<_> = (0..n)
        .map(|_| {
            let mut images = ImageServiceClient::new(channel.clone());
            let request = request();
            tokio::spawn(async move { images.create(request).await.map(|r| r.into_inner()) })
        })
        .collect();
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.unwrap());
    }
    outcomes
}

#[tokio::test]
async fn concurrent_creates_of_one_name_make_one_image() {
    let server = start(fresh_dir("same-name"), 200 * GIB).await;
    let mut created = 0;
    for attempt in creates_at_once(&server.channel, 12, || authed(from_disk("twin"))).await {
        match attempt {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(e.code(), Code::AlreadyExists, "{e:?}"),
        }
    }
    assert_eq!(created, 1);
    let mut images = ImageServiceClient::new(server.channel.clone());
    let listed = images
        .list(authed(ListImagesRequest {
            folder_id: DEV_FOLDER.into(),
            filter: "name=\"twin\"".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.images.len(), 1);
    server.task.abort();
}

#[tokio::test]
async fn concurrent_creates_with_one_idempotency_key_start_one_operation() {
    let server = start(fresh_dir("same-key"), 200 * GIB).await;
    let keyed = |request: CreateImageRequest| {
        let mut request = authed(request);
        request
            .metadata_mut()
            .insert("idempotency-key", "8d1f6c2e-same-key".parse().unwrap());
        request
    };
    let mut ids = Vec::new();
    for attempt in creates_at_once(&server.channel, 12, || keyed(from_disk("keyed"))).await {
        ids.push(attempt.unwrap().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let mut images = ImageServiceClient::new(server.channel.clone());
    let other = images
        .create(keyed(from_disk("another")))
        .await
        .unwrap_err();
    assert_eq!(other.code(), Code::InvalidArgument, "{other:?}");
    server.task.abort();
}

#[tokio::test]
async fn a_restart_resumes_unfinished_operations() {
    let dir = fresh_dir("restart");
    let server = start(dir.clone(), GIB / 4).await; // 80 s: still running when the server stops
    let mut images = ImageServiceClient::new(server.channel.clone());
    let started = images
        .create(authed(from_disk("survivor")))
        .await
        .unwrap()
        .into_inner();
    server.task.abort();
    let _ = server.task.await;
    let restarted = start(server.data_dir.clone(), 400 * GIB).await;
    let mut operations = OperationServiceClient::new(restarted.channel.clone());
    let done = wait_done(&mut operations, &started.id).await;
    assert!(
        matches!(done.result, Some(operation::Result::Response(_))),
        "{done:?}"
    );
    let mut images = ImageServiceClient::new(restarted.channel.clone());
    let deleted = images
        .delete(authed(DeleteImageRequest {
            image_id: image_id(&started),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(deleted.done);
    restarted.task.abort();
    std::fs::remove_dir_all(dir).ok();
}

/// gRPC-Web over plain HTTP/1.1 on the same port, as a browser sends it: framed request body,
/// message and trailers framed in the response body.
#[tokio::test]
async fn grpc_web_over_http1_on_the_same_port() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::development(fresh_dir("grpc-web"));
    let task = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });

    let (status, headers, payload) = grpc_web_get_seeded_image(addr).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(
        headers.contains("content-type: application/grpc-web+proto"),
        "{headers}"
    );
    assert_eq!(payload[0], 0, "a message frame first");
    let len = u32::from_be_bytes(payload[1..5].try_into().unwrap()) as usize;
    let image = Image::decode(&payload[5..5 + len]).unwrap();
    assert_eq!(
        (image.name.as_str(), image.status()),
        ("ubuntu-2404-base", image::Status::Ready)
    );
    let trailer = &payload[5 + len..];
    assert_eq!(trailer[0], 0x80, "then the trailer frame");
    assert!(String::from_utf8_lossy(&trailer[5..]).contains("grpc-status:0"));
    task.abort();
}

/// `ImageService.Get` of the seeded image as a browser sends it over gRPC-Web (HTTP/1.1, framed
/// body, the development token); the status line, lower-cased headers and the response body.
async fn grpc_web_get_seeded_image(addr: std::net::SocketAddr) -> (String, String, Vec<u8>) {
    let message = GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    }
    .encode_to_vec();
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(&message);
    let head = format!(
        "POST /yandex.cloud.compute.v1.ImageService/Get HTTP/1.1\r\nhost: {addr}\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\nauthorization: Bearer {DEV_TOKEN}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    http1_bytes(addr, head.as_bytes(), &body).await
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
}

#[tokio::test]
async fn update_changes_masked_fields_and_list_operations_shows_the_history() {
    use kiln_core::proto::yandex::cloud::compute::v1::{
        ListImageOperationsRequest, UpdateImageRequest,
    };
    let server = start(fresh_dir("update"), 400 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let created = images
        .create(authed(from_disk("before")))
        .await
        .unwrap()
        .into_inner();
    wait_done(&mut operations, &created.id).await;
    let id = image_id(&created);
    let update = UpdateImageRequest {
        image_id: id.clone(),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["name".into(), "labels".into()],
        }),
        name: "after".into(),
        description: "not in the mask".into(),
        labels: [("env".to_owned(), "prod".to_owned())].into(),
        ..Default::default()
    };
    let updated = images.update(authed(update)).await.unwrap().into_inner();
    assert!(updated.done);
    let image = images
        .get(authed(GetImageRequest {
            image_id: id.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (image.name.as_str(), image.description.as_str()),
        ("after", "")
    );
    assert_eq!(image.labels.get("env").map(String::as_str), Some("prod"));
    let too_small = UpdateImageRequest {
        image_id: id.clone(),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["min_disk_size".into()],
        }),
        min_disk_size: 4 * GIB as i64,
        ..Default::default()
    };
    assert_eq!(
        images.update(authed(too_small)).await.unwrap_err().code(),
        Code::InvalidArgument
    );
    let history = images
        .list_operations(authed(ListImageOperationsRequest {
            image_id: id,
            page_size: 1,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.operations.len(), 1);
    assert_eq!(history.operations[0].id, created.id);
    assert!(!history.next_page_token.is_empty());
    server.task.abort();
}

#[tokio::test]
async fn quotas_answer_resource_exhausted() {
    let server = start_with(Config {
        copy_rate: GIB, // 20 s per copy: they stay running
        quotas: kiln_server::Quotas {
            running_operations_per_folder: 2,
            images_per_folder: 32,
        },
        ..Config::development(fresh_dir("quota"))
    })
    .await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let first = images
        .create(authed(from_disk("q1")))
        .await
        .unwrap()
        .into_inner();
    images.create(authed(from_disk("q2"))).await.unwrap();
    let third = images.create(authed(from_disk("q3"))).await.unwrap_err();
    assert_eq!(third.code(), Code::ResourceExhausted);
    // An operation that ends gives its place back, and only one.
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let cancelled = operations
        .cancel(authed(CancelOperationRequest {
            operation_id: first.id,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(cancelled.done, "{cancelled:?}");
    images.create(authed(from_disk("q3"))).await.unwrap();
    let fourth = images.create(authed(from_disk("q4"))).await.unwrap_err();
    assert_eq!(fourth.code(), Code::ResourceExhausted);
    server.task.abort();
}

/// A plain HTTP/1.1 request; the status line, the lower-cased headers and the body.
async fn http1(addr: std::net::SocketAddr, request: &str) -> (String, String, Vec<u8>) {
    http1_bytes(addr, request.as_bytes(), &[]).await
}

/// An HTTP/1.1 request head and body; the status line, the lower-cased headers and the body.
async fn http1_bytes(
    addr: std::net::SocketAddr,
    head: &[u8],
    body: &[u8],
) -> (String, String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let status = head.lines().next().unwrap().to_owned();
    let mut body = response[split..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, head, body)
}

#[tokio::test]
async fn serves_the_console_files_and_cors_for_configured_origins_only() {
    let web_dir = fresh_dir("web");
    std::fs::write(
        web_dir.join("index.html"),
        "<!doctype html><title>Kiln</title>",
    )
    .unwrap();
    std::fs::write(web_dir.join("app.js"), "x".repeat(4000)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        web_dir: Some(web_dir),
        cors_origins: vec!["http://127.0.0.1:5173".into()],
        ..Config::development(fresh_dir("web-data"))
    };
    let task = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let get =
        |path: &str| format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    let (status, _, body) = http1(addr, &get("/index.html")).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert_eq!(body, b"<!doctype html><title>Kiln</title>");
    let (status, _, _) = http1(addr, &get("/missing.js")).await;
    assert!(status.starts_with("http/1.1 404"), "{status}");
    // The console's runtime config: development mode names the well-known folder and token.
    let (status, head, body) = http1(addr, &get("/kiln-config.json")).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"{"endpoint":"","folderId":"dev-folder","token":"dev-token"}"#
    );
    // A file without a precompressed sibling goes out gzipped on the fly to browsers that ask.
    let (_, plain, _) = http1(addr, &get("/index.html")).await;
    assert!(!plain.contains("content-encoding"), "{plain}");
    let (_, gzipped, body) = http1(
        addr,
        &format!("GET /app.js HTTP/1.1\r\nhost: {addr}\r\naccept-encoding: gzip\r\nconnection: close\r\n\r\n"),
    )
    .await;
    assert!(gzipped.contains("content-encoding: gzip"), "{gzipped}");
    assert!(
        body.len() < 200,
        "4000 bytes of x compress well: {}",
        body.len()
    );
    let preflight = |origin: &str| {
        format!(
            "OPTIONS /yandex.cloud.compute.v1.ImageService/Create HTTP/1.1\r\nhost: {addr}\r\norigin: {origin}\r\n\
             access-control-request-method: POST\r\naccess-control-request-headers: content-type,x-grpc-web,authorization\r\n\
             connection: close\r\n\r\n"
        )
    };
    let (_, allowed, _) = http1(addr, &preflight("http://127.0.0.1:5173")).await;
    assert!(
        allowed.contains("access-control-allow-origin: http://127.0.0.1:5173"),
        "{allowed}"
    );
    let (_, denied, _) = http1(addr, &preflight("http://evil.example")).await;
    assert!(!denied.contains("access-control-allow-origin"), "{denied}");
    task.abort();
}

/// Cancel racing completion: whichever wins, the operation and the image agree (done with the
/// image READY, or CANCELLED with the image gone), never both or neither.
#[tokio::test]
async fn cancel_racing_completion_leaves_a_consistent_state() {
    let server = start(fresh_dir("race"), 4 * 1024 * GIB).await; // 20 GiB in about 5 ms
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let (mut completed, mut cancelled) = (0, 0);
    for round in 0..30u64 {
        let started = images
            .create(authed(from_disk(&format!("race-{round}"))))
            .await
            .unwrap()
            .into_inner();
        tokio::time::sleep(Duration::from_micros(round * 400)).await;
        let after = operations
            .cancel(authed(CancelOperationRequest {
                operation_id: started.id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        let done = wait_done(&mut operations, &started.id).await;
        assert_eq!(after.done, after.result.is_some());
        let image = images
            .get(authed(GetImageRequest {
                image_id: image_id(&started),
            }))
            .await;
        match done.result {
            Some(operation::Result::Response(_)) => {
                assert_eq!(
                    image.unwrap().into_inner().status(),
                    image::Status::Ready,
                    "round {round}"
                );
                completed += 1;
            }
            Some(operation::Result::Error(status)) => {
                assert_eq!(status.code, rpc::Code::Cancelled as i32, "round {round}");
                assert_eq!(image.unwrap_err().code(), Code::NotFound, "round {round}");
                cancelled += 1;
            }
            None => panic!("round {round}: done without a result"),
        }
    }
    assert_eq!(completed + cancelled, 30);
    server.task.abort();
}

#[tokio::test]
async fn list_orders_and_pages() {
    let server = start(fresh_dir("order"), 400 * GIB).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    for name in ["b-image", "c-image", "a-image"] {
        images.create(authed(from_disk(name))).await.unwrap();
    }
    let list = |order_by: &str, page_token: String| ListImagesRequest {
        folder_id: DEV_FOLDER.into(),
        page_size: 2,
        page_token,
        order_by: order_by.into(),
        ..Default::default()
    };
    let first = images
        .list(authed(list("name desc", String::new())))
        .await
        .unwrap()
        .into_inner();
    let second = images
        .list(authed(list("name desc", first.next_page_token.clone())))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<String> = first
        .images
        .iter()
        .chain(&second.images)
        .map(|i| i.name.clone())
        .collect();
    assert_eq!(names, ["ubuntu-2404-base", "c-image", "b-image", "a-image"]);
    assert!(second.next_page_token.is_empty());
    let newest = images
        .list(authed(list("createdAt desc", String::new())))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(newest.images[0].name, "a-image");
    let bad = images
        .list(authed(list("size", String::new())))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    server.task.abort();
}

/// The image quota counts the folder's images: reached, it refuses Create; a Delete frees a
/// place; the count is right again after a restart.
#[tokio::test]
async fn the_image_quota_follows_creates_deletes_and_restarts() {
    let dir = fresh_dir("image-quota");
    let config = |dir: PathBuf| Config {
        copy_rate: 1024 * 1024 * GIB, // copies finish at once
        quotas: kiln_server::Quotas {
            running_operations_per_folder: 15,
            images_per_folder: 3, // the seeded image and two more
        },
        ..Config::development(dir)
    };
    let server = start_with(config(dir.clone())).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    for name in ["iq1", "iq2"] {
        let op = images
            .create(authed(from_disk(name)))
            .await
            .unwrap()
            .into_inner();
        wait_done(&mut operations, &op.id).await;
    }
    let full = images.create(authed(from_disk("iq3"))).await.unwrap_err();
    assert_eq!(full.code(), Code::ResourceExhausted, "{full:?}");
    let first = images
        .list(authed(ListImagesRequest {
            folder_id: DEV_FOLDER.into(),
            filter: "name=\"iq1\"".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .images
        .remove(0);
    let delete = images
        .delete(authed(DeleteImageRequest { image_id: first.id }))
        .await
        .unwrap()
        .into_inner();
    wait_done(&mut operations, &delete.id).await;
    let op = images
        .create(authed(from_disk("iq3")))
        .await
        .unwrap()
        .into_inner();
    wait_done(&mut operations, &op.id).await;
    server.task.abort();
    let _ = server.task.await;

    let server = start_with(config(dir)).await;
    let again = ImageServiceClient::new(server.channel.clone())
        .create(authed(from_disk("iq4")))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::ResourceExhausted, "{again:?}");
    server.task.abort();
}

/// WAL checkpoints run on their own thread (automatic ones are off, so no request waits for an
/// fsync): after a burst of Creates the changes reach the main database file without any
/// request asking for it. Without the checkpointer they would all stay in the WAL.
#[tokio::test]
async fn checkpoints_move_changes_into_the_database_file_in_the_background() {
    let dir = fresh_dir("checkpoint");
    let server = start_with(Config {
        copy_rate: 1024 * 1024 * GIB,
        quotas: kiln_server::Quotas {
            running_operations_per_folder: 1000,
            images_per_folder: 1000,
        },
        ..Config::development(dir.clone())
    })
    .await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let mut last = String::new();
    for i in 0..200 {
        let op = images
            .create(authed(from_disk(&format!("burst-{i}"))))
            .await
            .unwrap()
            .into_inner();
        last = op.id;
    }
    wait_done(&mut operations, &last).await;
    let main_file = dir.join("kiln.sqlite3");
    let mut size = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        size = std::fs::metadata(&main_file).unwrap().len();
        if size > 64 * 1024 {
            break;
        }
    }
    assert!(size > 64 * 1024, "the database file is still {size} bytes");
    server.task.abort();
}

/// `message` with `authorization: Bearer <token>`, or without authorization for `None`.
fn with_token<T>(message: T, token: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    request
}

/// One unary call of `/<method>` (e.g. `yandex.cloud.compute.v1.ImageService/Get`) with an
/// already encoded request: the encoded response, or the status the server answered.
async fn call_raw(
    channel: &Channel,
    method: &str,
    request: Request<Vec<u8>>,
) -> Result<Vec<u8>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(format!("channel not ready: {e}")))?;
    let path = http::uri::PathAndQuery::try_from(format!("/{method}")).unwrap();
    grpc.unary(request, path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

/// A codec that sends and receives message bytes as they are.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl tonic::codec::Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        prost::bytes::BufMut::put_slice(dst, &item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        use prost::bytes::Buf;
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}
