//! `kiln serve` as a real process: killed with SIGKILL in the middle of operations, restarted on
//! the same data folder, every operation ends and no image stays CREATING.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use kiln_core::proto::yandex::cloud::{
    compute::v1::{CreateImageRequest, ListImagesRequest, create_image_request::Source, image},
    operation::{GetOperationRequest, operation},
};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};
use tonic::{Request, transport::Channel};

fn spawn_serve(port: u16, data_dir: &Path, copy_rate: &str) -> Child {
    spawn_with(port, data_dir, &["--copy-rate", copy_rate])
}

/// `kiln serve` on `port` with its data in `data_dir` and these further arguments.
fn spawn_with(port: u16, data_dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A channel to the `kiln serve` on `port`, waiting up to 10 s for it to come up.
pub(crate) async fn connect(port: u16) -> Channel {
    for _ in 0..200 {
        if let Ok(channel) = Channel::from_shared(format!("http://127.0.0.1:{port}"))
            .unwrap()
            .connect()
            .await
        {
            return channel;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("kiln serve did not come up on port {port}");
}

fn authed<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", "Bearer dev-token".parse().unwrap());
    request
}

#[tokio::test]
async fn after_kill_9_every_operation_resumes_and_no_image_stays_creating() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data_dir = std::env::temp_dir().join(format!("kiln-kill9-{}", std::process::id()));
    std::fs::remove_dir_all(&data_dir).ok();
    let mut first = spawn_serve(port, &data_dir, "1GiB");
    let channel = connect(port).await;
    let mut images = ImageServiceClient::new(channel.clone());
    let mut started = Vec::new();
    for (name, source) in [
        ("kill-disk", Source::DiskId("fhm0dev0disk0ubuntu1".into())),
        (
            "kill-snapshot",
            Source::SnapshotId("fd80dev0snap0data001".into()),
        ),
        ("kill-image", Source::ImageId("fd80dev0image0ubuntu".into())),
    ] {
        let request = CreateImageRequest {
            folder_id: "dev-folder".into(),
            name: name.into(),
            source: Some(source),
            ..Default::default()
        };
        let operation = images.create(authed(request)).await.unwrap().into_inner();
        assert!(
            !operation.done,
            "{name} finished before the kill: the copy rate is too fast for this test"
        );
        started.push(operation.id);
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();

    let mut second = spawn_serve(port, &data_dir, "1TiB");
    let channel = connect(port).await;
    let mut operations = OperationServiceClient::new(channel.clone());
    for id in &started {
        let mut done = None;
        for _ in 0..400 {
            let operation = operations
                .get(authed(GetOperationRequest {
                    operation_id: id.clone(),
                }))
                .await
                .unwrap()
                .into_inner();
            if operation.done {
                done = Some(operation);
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let done = done.unwrap_or_else(|| panic!("operation {id} did not end after the restart"));
        assert!(
            matches!(done.result, Some(operation::Result::Response(_))),
            "{done:?}"
        );
    }
    let mut images = ImageServiceClient::new(channel);
    let all = images
        .list(authed(ListImagesRequest {
            folder_id: "dev-folder".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        all.images.len(),
        4,
        "the seeded image and the three created ones"
    );
    assert!(
        all.images
            .iter()
            .all(|i| i.status() == image::Status::Ready),
        "{:?}",
        all.images
    );
    second.kill().unwrap();
    second.wait().unwrap();
    std::fs::remove_dir_all(&data_dir).ok();
}

#[tokio::test]
async fn a_config_file_sets_tokens_and_folders_and_dev_mode_stays_on_loopback() {
    // Development mode (no tokens) refuses a non-loopback address, before binding anything.
    let refused = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(std::env::temp_dir().join("kiln-refused"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("only loopback addresses are allowed")
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("kiln-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("kiln.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n\n[tokens]\n\"ci-token\" = [\"team-a\"]\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut images = ImageServiceClient::new(connect(port).await);
    let with = |token: &str, folder: &str| {
        let mut request = Request::new(ListImagesRequest {
            folder_id: folder.into(),
            ..Default::default()
        });
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        request
    };
    let listed = images
        .list(with("ci-token", "team-a"))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.images.is_empty());
    assert_eq!(
        images
            .list(with("ci-token", "dev-folder"))
            .await
            .unwrap_err()
            .code(),
        tonic::Code::PermissionDenied
    );
    assert_eq!(
        images
            .list(with("dev-token", "dev-folder"))
            .await
            .unwrap_err()
            .code(),
        tonic::Code::Unauthenticated
    );
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// The resident memory of process `pid`, in bytes (`VmRSS`).
fn resident(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib << 10
}

/// `count` Creates from a seeded disk (unique names), 32 at a time, all finishing at once.
async fn create_many(channel: &Channel, prefix: &str, count: usize) {
    let tasks: Vec<_> = (0..32)
        .map(|client| {
            let mut images = ImageServiceClient::new(channel.clone());
            let prefix = prefix.to_owned();
            tokio::spawn(async move {
                for i in (client..count).step_by(32) {
                    let request = CreateImageRequest {
                        folder_id: "dev-folder".into(),
                        name: format!("{prefix}-{i}"),
                        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
                        ..Default::default()
                    };
                    images.create(authed(request)).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn memory_does_not_grow_with_the_records_the_service_stores() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("kiln-memory-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("kiln.toml");
    std::fs::write(
        &config,
        "copy_rate = \"1TiB\"\n[quotas]\nrunning_operations_per_folder = 1000000\nimages_per_folder = 1000000\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let mut serve = spawn_with(port, &dir.join("data"), &["--config", config]);
    let channel = connect(port).await;
    // Warm up (connections, caches, the allocator), then measure over many more records.
    create_many(&channel, "warm", 2_000).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = resident(serve.id());
    const MORE: usize = 30_000;
    create_many(&channel, "more", MORE).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = resident(serve.id());
    serve.kill().unwrap();
    serve.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let grown = after.saturating_sub(before);
    // Every record kept in memory cost about 1.6 KB (48 MB over these Creates); the service
    // keeps only counts and what runs, plus SQLite's bounded page caches.
    assert!(
        grown < 20 << 20,
        "resident memory grew by {} MB over {MORE} finished Creates ({} bytes each)",
        grown >> 20,
        grown / MORE as u64
    );
}
