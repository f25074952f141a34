//! URI imports of real image files made with `qemu-img`, served from a loopback HTTP server,
//! and of files that are not disk images.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::Path,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use kiln_core::proto::yandex::cloud::{
    compute::v1::{
        CreateImageRequest, GetImageRequest, Image, create_image_request::Source,
        hardware_generation, image,
    },
    operation::{Operation, operation},
};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{
    Config, Tokens,
    import::{Limits, parse_range},
};
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;

use super::{Server, authed, fresh_dir, image_id, start, start_with, wait_done};

const MIB: u64 = 1 << 20;

/// An answer of [`http_server`]: status line, extra headers, body.
type Answer = (&'static str, Vec<(String, String)>, Vec<u8>);

/// A loopback HTTP/1.1 server on `ip` answering each GET with `answer(path)` (the path with
/// its query string).
async fn http_server(
    ip: &str,
    answer: impl Fn(&str) -> Answer + Send + Sync + 'static,
) -> SocketAddr {
    let answer = Arc::new(answer);
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let Ok(n) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                }
                let line = String::from_utf8_lossy(&request);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, headers, body) = answer(&path);
                let mut head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    addr
}

/// A loopback HTTP/1.1 server answering GET with the bytes registered for a path (the query
/// string ignored), 404 otherwise.
async fn file_server(files: HashMap<String, Vec<u8>>) -> SocketAddr {
    file_server_on("127.0.0.1", files).await
}

async fn file_server_on(ip: &str, files: HashMap<String, Vec<u8>>) -> SocketAddr {
    http_server(ip, move |path| {
        let path = path.split('?').next().unwrap_or(path);
        match files.get(path) {
            Some(body) => ("200 OK", Vec::new(), body.clone()),
            None => ("404 Not Found", Vec::new(), b"not found".to_vec()),
        }
    })
    .await
}

fn qemu_img(dir: &Path, format: &str, size: &str) -> Vec<u8> {
    let file = dir.join(format!("disk.{format}"));
    let status = Command::new("qemu-img")
        .args(["create", "-q", "-f", format])
        .arg(&file)
        .arg(size)
        .status()
        .unwrap();
    assert!(status.success(), "qemu-img create -f {format} failed");
    std::fs::read(file).unwrap()
}

/// Starts the import of `uri` as the image `name`; its operation, as Create answers it.
async fn start_import(
    images: &mut ImageServiceClient<tonic::transport::Channel>,
    name: &str,
    uri: String,
    min_disk_size: i64,
) -> Operation {
    let request = CreateImageRequest {
        folder_id: kiln_server::DEV_FOLDER.into(),
        name: name.into(),
        min_disk_size,
        source: Some(Source::Uri(uri)),
        ..Default::default()
    };
    images.create(authed(request)).await.unwrap().into_inner()
}

/// Imports `uri` as the image `name`; its operation once done.
async fn import(
    images: &mut ImageServiceClient<tonic::transport::Channel>,
    operations: &mut OperationServiceClient<tonic::transport::Channel>,
    name: &str,
    uri: String,
    min_disk_size: i64,
) -> Operation {
    let started = start_import(images, name, uri, min_disk_size).await;
    wait_done(operations, &started.id).await
}

#[tokio::test]
async fn imports_qcow2_vmdk_vhd_and_raw_and_refuses_what_is_not_an_image() {
    let work = fresh_dir("import-files");
    let qcow2 = qemu_img(&work, "qcow2", "64M");
    let mut truncated = qcow2.clone();
    truncated.truncate(4096);
    let files: HashMap<String, Vec<u8>> = [
        ("/disk.qcow2".to_owned(), qcow2),
        ("/disk.vmdk".to_owned(), qemu_img(&work, "vmdk", "48M")),
        ("/disk.vhd".to_owned(), qemu_img(&work, "vpc", "32M")),
        ("/disk.raw".to_owned(), qemu_img(&work, "raw", "8M")),
        (
            "/page.html".to_owned(),
            b"<!DOCTYPE html><html><body>Sign in</body></html>".to_vec(),
        ),
        (
            "/disk.qcow2.gz".to_owned(),
            [&[0x1f, 0x8b, 8, 0][..], &[0u8; 508]].concat(),
        ),
        ("/truncated.qcow2".to_owned(), truncated),
    ]
    .into();
    let files_addr = file_server(files).await;
    let url = |path: &str| format!("http://{files_addr}{path}");
    let server = start(fresh_dir("import"), 64 << 30).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());

    for (name, path, virtual_size) in [
        ("from-qcow2", "/disk.qcow2", 64 * MIB),
        ("from-vmdk", "/disk.vmdk", 48 * MIB),
        ("from-vhd", "/disk.vhd", 32 * MIB),
        ("from-raw", "/disk.raw", 8 * MIB),
    ] {
        let done = import(&mut images, &mut operations, name, url(path), 0).await;
        let Some(operation::Result::Response(any)) = &done.result else {
            panic!("{name}: {done:?}")
        };
        let image = Image::decode(any.value.as_slice()).unwrap();
        assert_eq!(image.status(), image::Status::Ready, "{name}");
        // qemu-img rounds VHD sizes to its CHS geometry; the header's size is what counts.
        let tolerance = if name == "from-vhd" { MIB as i64 } else { 0 };
        assert!(
            (image.min_disk_size - virtual_size as i64).abs() <= tolerance,
            "{name}: {}",
            image.min_disk_size
        );
        assert!(image.storage_size > 0, "{name}");
        // URI imports default to Gen 1.1.
        assert!(matches!(
            image.hardware_generation.unwrap().features,
            Some(hardware_generation::Features::LegacyFeatures(f)) if f.pci_topology == 1
        ));
    }

    for (name, uri, needle) in [
        ("bad-html", url("/page.html"), "an HTML page"),
        ("bad-404", url("/missing.qcow2"), "HTTP 404"),
        ("bad-gzip", url("/disk.qcow2.gz"), "gzip archive"),
        ("bad-truncated", url("/truncated.qcow2"), "truncated qcow2"),
    ] {
        let done = import(&mut images, &mut operations, name, uri, 0).await;
        let Some(operation::Result::Error(status)) = &done.result else {
            panic!("{name}: {done:?}")
        };
        assert_eq!(status.code, Code::InvalidArgument as i32, "{name}");
        assert!(
            status.message.contains(needle),
            "{name}: {}",
            status.message
        );
        let gone = images
            .get(authed(GetImageRequest {
                image_id: image_id(&done),
            }))
            .await
            .unwrap_err();
        assert_eq!(
            gone.code(),
            Code::NotFound,
            "{name}: the half-made image is removed"
        );
    }

    let small = import(
        &mut images,
        &mut operations,
        "too-small",
        url("/disk.qcow2"),
        (8 * MIB) as i64,
    )
    .await;
    let Some(operation::Result::Error(status)) = &small.result else {
        panic!("{small:?}")
    };
    assert_eq!(
        status.message,
        format!(
            "Minimal disk size should be greater or equal than {}",
            64 * MIB
        )
    );
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

/// A loopback HTTP/1.1 server that announces a 1 GiB file, sends its first `head` bytes and
/// then stalls, keeping the connection open.
async fn stalling_server(head: Vec<u8>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let head = head.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n")
                    .await;
                let _ = stream.write_all(&head).await;
                tokio::time::sleep(std::time::Duration::from_secs(120)).await;
            });
        }
    });
    addr
}

async fn cancel(
    operations: &mut OperationServiceClient<tonic::transport::Channel>,
    id: &str,
) -> Operation {
    operations
        .cancel(authed(
            kiln_core::proto::yandex::cloud::operation::CancelOperationRequest {
                operation_id: id.into(),
            },
        ))
        .await
        .unwrap()
        .into_inner()
}

/// Waits up to two seconds for `path` to be gone.
async fn gone(path: &Path) -> bool {
    for _ in 0..100 {
        if !path.exists() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn cancelling_an_import_downloading_or_copying_removes_its_image_and_file() {
    let work = fresh_dir("import-cancel-files");
    let qcow2 = qemu_img(&work, "qcow2", "64M");
    let stalling = stalling_server(qcow2[..4096].to_vec()).await;
    let files_addr = file_server([("/disk.qcow2".to_owned(), qcow2.clone())].into()).await;
    // 64 KiB/s: the downloaded qcow2 file (about 200 KB) takes seconds to copy.
    let server = start(fresh_dir("import-cancel"), 64 << 10).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let files = server.data_dir.join("images");

    // While downloading: the file has begun to arrive, then Cancel.
    let stalled = format!("http://{stalling}/disk.qcow2");
    let started = start_import(&mut images, "cancel-downloading", stalled, 0).await;
    let file = files.join(format!("{}.img", image_id(&started)));
    for _ in 0..100 {
        if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(file.exists(), "the download has begun");
    // The operation says how far the download is: the bytes so far of the announced size.
    let mut downloading = String::new();
    for _ in 0..200 {
        let operation = operations
            .get(authed(
                kiln_core::proto::yandex::cloud::operation::GetOperationRequest {
                    operation_id: started.id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        downloading = operation.description;
        if downloading == "Create image: downloading 4 KiB of 1 GiB" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(downloading, "Create image: downloading 4 KiB of 1 GiB");
    let cancelled = cancel(&mut operations, &started.id).await;
    let Some(operation::Result::Error(status)) = &cancelled.result else {
        panic!("{cancelled:?}")
    };
    assert_eq!(status.code, Code::Cancelled as i32);
    // The progress does not outlive the operation.
    assert_eq!(cancelled.description, "Create image");
    assert!(gone(&file).await, "the partial download is removed");

    // While copying: the download is whole and the copy shows progress, then Cancel.
    let whole = format!("http://{files_addr}/disk.qcow2");
    let copying = start_import(&mut images, "cancel-copying", whole, 0).await;
    let file = files.join(format!("{}.img", image_id(&copying)));
    let mut progress = String::new();
    for _ in 0..200 {
        let operation = operations
            .get(authed(
                kiln_core::proto::yandex::cloud::operation::GetOperationRequest {
                    operation_id: copying.id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(!operation.done, "{operation:?}");
        // The copy's progress (a download's has no percent).
        if operation.description.starts_with("Create image: ")
            && operation.description.contains('%')
        {
            progress = operation.description;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!progress.is_empty(), "the copy shows progress");
    assert_eq!(
        std::fs::metadata(&file).map(|m| m.len()).ok(),
        Some(qcow2.len() as u64),
        "the downloaded file is whole"
    );
    let cancelled = cancel(&mut operations, &copying.id).await;
    let Some(operation::Result::Error(status)) = &cancelled.result else {
        panic!("{cancelled:?}")
    };
    assert_eq!(status.code, Code::Cancelled as i32);
    assert!(gone(&file).await, "the downloaded file is removed");

    for operation in [&started, &copying] {
        let image = images
            .get(authed(GetImageRequest {
                image_id: image_id(operation),
            }))
            .await
            .unwrap_err();
        assert_eq!(
            image.code(),
            Code::NotFound,
            "the half-made image is removed"
        );
        // Cancelling again returns the operation unchanged.
        let again = cancel(&mut operations, &operation.id).await;
        let Some(operation::Result::Error(status)) = &again.result else {
            panic!("{again:?}")
        };
        assert_eq!(status.code, Code::Cancelled as i32);
    }
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

/// The token of the tokens-mode servers below (a config with real tokens), and its folder.
const TOKEN: &str = "real-token";
const FOLDER: &str = "folder-a";

/// `kiln serve` as a config with real tokens runs it: `limits` (by default public addresses
/// only) and [`TOKEN`] for [`FOLDER`].
async fn start_tokens_mode(name: &str, limits: Limits) -> Server {
    start_with(Config {
        tokens: Tokens::from_folders([(TOKEN.to_owned(), vec![FOLDER.to_owned()])].into()),
        import_limits: limits,
        ..Config::development(fresh_dir(name))
    })
    .await
}

/// `kiln serve` in development mode with `limits` (loopback sources allowed).
async fn start_development(name: &str, limits: Limits) -> Server {
    start_with(Config {
        import_limits: limits,
        ..Config::development(fresh_dir(name))
    })
    .await
}

fn with_token<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// Imports `uri` as `name` with `token` (development mode's or [`TOKEN`]) and waits up to
/// `bound` for the operation to end; the operation then.
async fn import_as(
    server: &Server,
    token: &str,
    name: &str,
    uri: String,
    bound: Duration,
) -> Operation {
    let folder = if token == TOKEN {
        FOLDER
    } else {
        kiln_server::DEV_FOLDER
    };
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let request = CreateImageRequest {
        folder_id: folder.into(),
        name: name.into(),
        source: Some(Source::Uri(uri)),
        ..Default::default()
    };
    let started = images
        .create(with_token(token, request))
        .await
        .unwrap()
        .into_inner();
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        let operation = operations
            .get(with_token(
                token,
                kiln_core::proto::yandex::cloud::operation::GetOperationRequest {
                    operation_id: started.id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        if operation.done {
            return operation;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name}: the import did not end within {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The error message of a failed import (INVALID_ARGUMENT).
fn failure(name: &str, done: &Operation) -> String {
    let Some(operation::Result::Error(status)) = &done.result else {
        panic!("{name}: expected a failure, got {done:?}")
    };
    assert_eq!(
        status.code,
        Code::InvalidArgument as i32,
        "{name}: {status:?}"
    );
    status.message.clone()
}

/// The image an import made.
fn made(name: &str, done: &Operation) -> Image {
    let Some(operation::Result::Response(any)) = &done.result else {
        panic!("{name}: expected an image, got {done:?}")
    };
    Image::decode(any.value.as_slice()).unwrap()
}

/// A loopback listener on `ip` that counts the connections it accepts (and closes them).
async fn counting_listener(ip: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (addr, count)
}

const SHORT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn tokens_mode_refuses_loopback_and_other_local_addresses_before_connecting() {
    let (v4, v4_count) = counting_listener("127.0.0.1").await;
    let (v6, v6_count) = counting_listener("::1").await;
    let server = start_tokens_mode("import-refuse", Limits::default()).await;
    let port = v4.port();
    for (name, uri, label) in [
        (
            "v4",
            format!("http://{v4}/disk.raw"),
            format!("http://{v4}"),
        ),
        (
            "v6",
            format!("http://{v6}/disk.raw"),
            format!("http://{v6}"),
        ),
        (
            "decimal",
            format!("http://2130706433:{port}/disk.raw"),
            format!("http://{v4}"),
        ),
        (
            "hex",
            format!("http://0x7f.1:{port}/"),
            format!("http://{v4}"),
        ),
        (
            "mapped",
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            format!("http://[::ffff:7f00:1]:{port}"),
        ),
        (
            "by-name",
            format!("http://localhost:{port}/disk.raw"),
            format!("http://localhost:{port}"),
        ),
        (
            "unspecified",
            format!("http://0.0.0.0:{port}/"),
            format!("http://0.0.0.0:{port}"),
        ),
        (
            "metadata",
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "http://169.254.169.254".to_owned(),
        ),
        (
            "private",
            "http://10.1.2.3/disk.raw".to_owned(),
            "http://10.1.2.3".to_owned(),
        ),
        (
            "cgnat",
            "http://100.64.0.1/disk.raw".to_owned(),
            "http://100.64.0.1".to_owned(),
        ),
        (
            "itself",
            format!("http://{}/kiln-config.json", server.addr),
            format!("http://{}", server.addr),
        ),
    ] {
        let done = import_as(&server, TOKEN, &format!("refused-{name}"), uri, SHORT).await;
        assert_eq!(
            failure(name, &done),
            format!("cannot import {label}: imports from {label} are not allowed"),
            "{name}"
        );
    }
    assert_eq!(
        v4_count.load(Ordering::SeqCst),
        0,
        "no connection to 127.0.0.1"
    );
    assert_eq!(v6_count.load(Ordering::SeqCst), 0, "no connection to [::1]");
    server.task.abort();
}

#[tokio::test]
async fn development_mode_allows_loopback_but_refuses_the_service_itself() {
    let work = fresh_dir("import-itself-files");
    let files = file_server([("/disk.raw".to_owned(), qemu_img(&work, "raw", "4M"))].into()).await;
    let server = start_development("import-itself", Limits::development()).await;
    let done = import_as(
        &server,
        super::DEV_TOKEN,
        "from-loopback",
        format!("http://{files}/disk.raw"),
        SHORT,
    )
    .await;
    assert_eq!(made("from-loopback", &done).min_disk_size, (4 * MIB) as i64);
    let port = server.addr.port();
    for (name, uri, label) in [
        (
            "literal",
            format!("http://{}/kiln-config.json", server.addr),
            format!("http://{}", server.addr),
        ),
        (
            "by-name",
            format!("http://localhost:{port}/kiln-config.json"),
            format!("http://localhost:{port}"),
        ),
        (
            "unspecified",
            format!("http://0.0.0.0:{port}/"),
            format!("http://0.0.0.0:{port}"),
        ),
    ] {
        let done = import_as(
            &server,
            super::DEV_TOKEN,
            &format!("itself-{name}"),
            uri,
            SHORT,
        )
        .await;
        assert_eq!(
            failure(name, &done),
            format!("cannot import {label}: imports from {label} are not allowed"),
            "{name}"
        );
    }
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

#[tokio::test]
async fn the_allow_list_admits_its_range_and_every_redirect_hop_is_checked() {
    let work = fresh_dir("import-redirect-files");
    let raw = qemu_img(&work, "raw", "4M");
    // Refused targets: anything they accept is counted.
    let (v4, v4_count) = counting_listener("127.0.0.1").await;
    let (v6, v6_count) = counting_listener("::1").await;
    let redirects: HashMap<String, String> = [
        (
            "/to-v4",
            format!("http://{v4}/disk.raw?X-Amz-Signature=secret"),
        ),
        ("/to-v6", format!("http://{v6}/disk.raw")),
        (
            "/to-decimal",
            format!("http://2130706433:{}/disk.raw", v4.port()),
        ),
        (
            "/to-name",
            format!("http://localhost:{}/disk.raw", v4.port()),
        ),
        ("/to-ftp", "ftp://127.0.0.2/disk.raw".to_owned()),
    ]
    .map(|(from, to)| (from.to_owned(), to))
    .into();
    let source = http_server("127.0.0.2", move |path| {
        if let Some(to) = redirects.get(path) {
            return (
                "302 Found",
                vec![("location".into(), to.clone())],
                Vec::new(),
            );
        }
        // /hop/N: N redirects, then the file.
        let hops = path
            .strip_prefix("/hop/")
            .and_then(|n| n.parse::<u32>().ok());
        match hops {
            _ if path == "/disk.raw" => ("200 OK", Vec::new(), raw.clone()),
            Some(0) => ("200 OK", Vec::new(), raw.clone()),
            Some(n) => {
                let to = format!("/hop/{}", n - 1);
                ("302 Found", vec![("location".into(), to)], Vec::new())
            }
            None => ("404 Not Found", Vec::new(), Vec::new()),
        }
    })
    .await;
    let limits = Limits {
        policy: kiln_server::import::Policy {
            allow: vec![parse_range("127.0.0.2/32").unwrap()],
            ..Default::default()
        },
        ..Limits::default()
    };
    let server = start_tokens_mode("import-redirect", limits).await;

    let done = import_as(
        &server,
        TOKEN,
        "allowed",
        format!("http://{source}/disk.raw"),
        SHORT,
    )
    .await;
    assert_eq!(made("allowed", &done).min_disk_size, (4 * MIB) as i64);
    let done = import_as(
        &server,
        TOKEN,
        "five-redirects",
        format!("http://{source}/hop/5"),
        SHORT,
    )
    .await;
    assert_eq!(
        made("five-redirects", &done).min_disk_size,
        (4 * MIB) as i64
    );

    let from = format!("http://{source}");
    let v4_label = format!("http://{v4}");
    let name_label = format!("http://localhost:{}", v4.port());
    let v6_label = format!("http://{v6}");
    for (name, path, expected) in [
        (
            "to-v4",
            "/to-v4",
            format!("it redirects to {v4_label}, and imports from {v4_label} are not allowed"),
        ),
        (
            "to-v6",
            "/to-v6",
            format!("it redirects to {v6_label}, and imports from {v6_label} are not allowed"),
        ),
        (
            "to-decimal",
            "/to-decimal",
            format!("it redirects to {v4_label}, and imports from {v4_label} are not allowed"),
        ),
        (
            "to-name",
            "/to-name",
            format!("it redirects to {name_label}, and imports from {name_label} are not allowed"),
        ),
        (
            "to-ftp",
            "/to-ftp",
            "it redirects to a ftp: URI; imports are downloaded over http or https only".to_owned(),
        ),
        (
            "six-redirects",
            "/hop/6",
            "more than 5 redirects".to_owned(),
        ),
    ] {
        let done = import_as(&server, TOKEN, name, format!("{from}{path}"), SHORT).await;
        assert_eq!(
            failure(name, &done),
            format!("cannot import {from}: {expected}"),
            "{name}"
        );
    }
    assert_eq!(
        v4_count.load(Ordering::SeqCst),
        0,
        "no connection to 127.0.0.1"
    );
    assert_eq!(v6_count.load(Ordering::SeqCst), 0, "no connection to [::1]");
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

/// A loopback server that accepts connections and never answers.
async fn silent_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(120)).await;
                drop(stream);
            });
        }
    });
    addr
}

/// A loopback server that sends a 1 GiB response a byte every 100 ms.
async fn trickling_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n")
                    .await;
                for _ in 0..1200 {
                    if stream.write_all(&[0]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_stalled_or_endless_source_fails_the_import_with_a_timeout() {
    let work = fresh_dir("import-stall-files");
    let qcow2 = qemu_img(&work, "qcow2", "64M");
    let stalling = stalling_server(qcow2[..4096].to_vec()).await;
    let silent = silent_server().await;
    let trickling = trickling_server().await;
    let limits = Limits {
        idle_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(3),
        ..Limits::development()
    };
    let server = start_development("import-stall", limits).await;
    for (name, addr, expected) in [
        ("stalled-body", stalling, "the source sent nothing for 1 s"),
        ("no-headers", silent, "the source sent nothing for 1 s"),
        (
            "trickle",
            trickling,
            "the download did not finish within 3 s (the import time limit)",
        ),
    ] {
        let uri = format!("http://{addr}/disk.qcow2");
        let done = import_as(&server, super::DEV_TOKEN, name, uri, SHORT).await;
        assert_eq!(
            failure(name, &done),
            format!("cannot import http://{addr}: {expected}"),
            "{name}"
        );
    }
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

#[tokio::test]
async fn virtual_sizes_beyond_the_api_limit_are_refused() {
    let work = fresh_dir("import-huge-files");
    let qcow2 = qemu_img(&work, "qcow2", "64M");
    let with_size = |size: u64| {
        let mut file = qcow2.clone();
        file[24..32].copy_from_slice(&size.to_be_bytes());
        file
    };
    let mut vmdk = qemu_img(&work, "vmdk", "48M");
    vmdk[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    let files = file_server(
        [
            ("/10pib.qcow2".to_owned(), with_size(10 << 50)),
            ("/max.qcow2".to_owned(), with_size(u64::MAX)),
            ("/4tib.qcow2".to_owned(), with_size(4 << 40)),
            ("/1mib.qcow2".to_owned(), with_size(1 << 20)),
            ("/max.vmdk".to_owned(), vmdk),
        ]
        .into(),
    )
    .await;
    let server = start_development("import-huge", Limits::development()).await;
    let limit = "larger than the largest disk the API allows (4 TiB, min_disk_size 4398046511104)";
    for (name, path, size) in [
        (
            "ten-pib",
            "/10pib.qcow2",
            "10 PiB (11258999068426240 bytes)",
        ),
        (
            "max-qcow2",
            "/max.qcow2",
            "16.0 EiB (18446744073709551615 bytes)",
        ),
        (
            "max-vmdk",
            "/max.vmdk",
            "18446744073709551615 sectors of 512 bytes (over 16 EiB)",
        ),
    ] {
        let done = import_as(
            &server,
            super::DEV_TOKEN,
            name,
            format!("http://{files}{path}"),
            SHORT,
        )
        .await;
        assert_eq!(
            failure(name, &done),
            format!("cannot import http://{files}: the image's virtual size is {size}, {limit}"),
            "{name}"
        );
    }
    let done = import_as(
        &server,
        super::DEV_TOKEN,
        "four-tib",
        format!("http://{files}/4tib.qcow2"),
        SHORT,
    )
    .await;
    assert_eq!(made("four-tib", &done).min_disk_size, 4 << 40);
    let done = import_as(
        &server,
        super::DEV_TOKEN,
        "one-mib",
        format!("http://{files}/1mib.qcow2"),
        SHORT,
    )
    .await;
    assert_eq!(
        made("one-mib", &done).min_disk_size,
        (4 * MIB) as i64,
        "at least 4 MiB"
    );
    server.task.abort();
    std::fs::remove_dir_all(work).ok();
}

#[tokio::test]
async fn error_texts_name_the_host_and_never_the_query_string_or_credentials() {
    let files = file_server(
        [(
            "/page.html".to_owned(),
            b"<!DOCTYPE html><html>Sign in</html>".to_vec(),
        )]
        .into(),
    )
    .await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let redirecting = http_server("127.0.0.1", |_| {
        let to = "http://169.254.169.254/latest/meta-data/iam?X-Amz-Signature=secret".to_owned();
        ("302 Found", vec![("location".into(), to)], Vec::new())
    })
    .await;
    let server = start_development("import-secret", Limits::development()).await;
    let query = "X-Amz-Credential=AKIA%2Fsecret&X-Amz-Signature=secret";
    for (name, uri, label, needle) in [
        (
            "not-found",
            format!("http://{files}/secret/missing.qcow2?{query}"),
            format!("http://{files}"),
            "HTTP 404",
        ),
        (
            "html",
            format!("http://user:secret@{files}/page.html?{query}"),
            format!("http://{files}"),
            "an HTML page",
        ),
        (
            "closed",
            format!("http://{closed}/disk.raw?{query}"),
            format!("http://{closed}"),
            "cannot connect",
        ),
        (
            "redirect",
            format!("http://{redirecting}/disk.raw?{query}"),
            format!("http://{redirecting}"),
            "http://169.254.169.254, and",
        ),
        (
            "unresolvable",
            format!("http://no-such-host.invalid/disk.raw?{query}"),
            "http://no-such-host.invalid".to_owned(),
            "cannot resolve",
        ),
    ] {
        let done = import_as(
            &server,
            super::DEV_TOKEN,
            &format!("secret-{name}"),
            uri,
            SHORT,
        )
        .await;
        let message = failure(name, &done);
        assert!(
            message.starts_with(&format!("cannot import {label}: ")),
            "{name}: {message}"
        );
        assert!(message.contains(needle), "{name}: {message}");
        let rest = message.replacen(&label, "", 1);
        assert!(
            !rest.contains("secret") && !rest.contains("X-Amz") && !rest.contains("/disk.raw"),
            "{name}: {message}"
        );
    }
    server.task.abort();
}

/// A loopback server answering GET with `size` zero bytes, made as they are sent.
async fn zeros_server(size: u64) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![0u8; 64 << 10];
                let mut left = size;
                while left > 0 {
                    let n = left.min(chunk.len() as u64);
                    if stream.write_all(&chunk[..n as usize]).await.is_err() {
                        return;
                    }
                    left -= n;
                }
            });
        }
    });
    addr
}

/// The process's peak resident set (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib << 10
}

#[tokio::test]
async fn a_large_import_streams_to_disk_with_little_memory() {
    const SIZE: u64 = 1 << 30;
    let source = zeros_server(SIZE).await;
    let server = start_development("import-large", Limits::development()).await;
    let before = peak_rss();
    let done = import_as(
        &server,
        super::DEV_TOKEN,
        "large",
        format!("http://{source}/zeros.raw"),
        Duration::from_secs(300),
    )
    .await;
    let after = peak_rss();
    let image = made("large", &done);
    assert_eq!(image.min_disk_size, SIZE as i64);
    eprintln!(
        "a 1 GiB import: peak RSS {} MiB before, {} MiB after (+{} MiB)",
        before >> 20,
        after >> 20,
        (after - before) >> 20
    );
    assert!(
        after - before < 64 << 20,
        "peak RSS grew by {} MiB importing 1 GiB",
        (after - before) >> 20
    );
    server.task.abort();
    std::fs::remove_dir_all(&server.data_dir).ok();
}
