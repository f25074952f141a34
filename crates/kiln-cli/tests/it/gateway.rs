//! `kiln gateway` as a real process: its request log on standard error.

use std::{
    io::Read,
    net::TcpListener,
    process::{Command, Stdio},
    time::Duration,
};

use kiln_core::proto::yandex::cloud::compute::v1::GetImageRequest;
use kiln_grpc::compute::image_service_client::ImageServiceClient;
use tonic::{Code, Request};

/// One line per call, with the method, the code and the request ID, and never the token.
#[tokio::test]
async fn logs_each_call_with_its_method_and_code_and_never_the_token() {
    let free = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let (port, closed) = (free().port(), free());
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["gateway", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--upstream",
            &format!("http://{closed}"),
            "--call-deadline",
            "5",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let channel = super::serve::connect(port).await;
    let mut request = Request::new(GetImageRequest {
        image_id: "fd80dev0image0ubuntu".into(),
    });
    let metadata = request.metadata_mut();
    metadata.insert(
        "authorization",
        "Bearer secret-gateway-token".parse().unwrap(),
    );
    metadata.insert("x-request-id", "cli-gateway-1".parse().unwrap());
    let status = tokio::time::timeout(
        Duration::from_secs(30),
        ImageServiceClient::new(channel).get(request),
    )
    .await
    .expect("the call ends")
    .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    // The line is written when the answer is; give the process a moment, then stop it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("request_id=cli-gateway-1"))
        .unwrap_or_else(|| panic!("no log line for the call:\n{log}"));
    assert!(
        line.contains("method=/yandex.cloud.compute.v1.ImageService/Get"),
        "{line}"
    );
    assert!(line.contains("code=\"UNAVAILABLE\""), "{line}");
    assert!(!log.contains("secret-gateway-token"), "{log}");
}
