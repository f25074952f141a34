//! URI imports of real image files made with `qemu-img`, served from a loopback HTTP server,
//! and of files that are not disk images.

use std::{collections::HashMap, net::SocketAddr, path::Path, process::Command, sync::Arc};

use kiln_core::proto::yandex::cloud::{
    compute::v1::{
        CreateImageRequest, GetImageRequest, Image, create_image_request::Source,
        hardware_generation, image,
    },
    operation::{Operation, operation},
};
use kiln_server::api::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;

use super::{authed, fresh_dir, image_id, start, wait_done};

const MIB: u64 = 1 << 20;

/// A loopback HTTP/1.1 server answering GET with the bytes registered for a path, 404 otherwise.
async fn file_server(files: HashMap<String, Vec<u8>>) -> SocketAddr {
    let files = Arc::new(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let files = files.clone();
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
                let (status, body) = match files.get(&path) {
                    Some(body) => ("200 OK", body.clone()),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    addr
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
    let cancelled = cancel(&mut operations, &started.id).await;
    let Some(operation::Result::Error(status)) = &cancelled.result else {
        panic!("{cancelled:?}")
    };
    assert_eq!(status.code, Code::Cancelled as i32);
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
        if operation.description.starts_with("Create image: ") {
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
