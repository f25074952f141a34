//! `kiln gateway` in front of a real `kiln serve`: native gRPC and gRPC-Web pass through with
//! metadata, trailers and error details intact.

use kiln_core::proto::yandex::cloud::compute::v1::{
    CreateImageRequest, GetImageRequest, Image, image,
};
use kiln_grpc::compute::image_service_client::ImageServiceClient;
use kiln_server::DEV_FOLDER;
use prost::Message;
use tonic::{Code, transport::Channel};
use tonic_types::StatusExt;

use super::{authed, fresh_dir, from_disk, start};

#[tokio::test]
async fn forwards_grpc_and_grpc_web_with_metadata_trailers_and_details() {
    let upstream = start(fresh_dir("gateway-upstream"), 400 << 30).await;
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
    let channel = Channel::from_shared(format!("http://{gateway_addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut images = ImageServiceClient::new(channel);

    // Native gRPC through the gateway, with the idempotency key passed through.
    let mut create = authed(from_disk("via-gateway"));
    create
        .metadata_mut()
        .insert("idempotency-key", "5f0e8d3c-gateway".parse().unwrap());
    let first = images.create(create).await.unwrap();
    assert_eq!(
        first.metadata().get("x-operation-poll-interval").unwrap(),
        "1"
    );
    let mut again = authed(from_disk("via-gateway"));
    again
        .metadata_mut()
        .insert("idempotency-key", "5f0e8d3c-gateway".parse().unwrap());
    assert_eq!(
        images.create(again).await.unwrap().into_inner().id,
        first.into_inner().id
    );

    // Error details survive the trip.
    let bad = CreateImageRequest {
        folder_id: DEV_FOLDER.into(),
        name: "Bad".into(),
        ..Default::default()
    };
    let status = images.create(authed(bad)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let fields: Vec<&str> = details
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, ["name", "source"]);
    // Without a token the upstream's UNAUTHENTICATED comes back.
    let anonymous = images
        .get(tonic::Request::new(GetImageRequest {
            image_id: "fd80dev0image0ubuntu".into(),
        }))
        .await;
    assert_eq!(anonymous.unwrap_err().code(), Code::Unauthenticated);

    // gRPC-Web over HTTP/1.1 through the gateway.
    let (status_line, _, payload) = super::grpc_web_get_seeded_image(gateway_addr).await;
    assert!(status_line.starts_with("http/1.1 200"), "{status_line}");
    let len = u32::from_be_bytes(payload[1..5].try_into().unwrap()) as usize;
    let image = Image::decode(&payload[5..5 + len]).unwrap();
    assert_eq!(
        (image.name.as_str(), image.status()),
        ("ubuntu-2404-base", image::Status::Ready)
    );
    assert!(String::from_utf8_lossy(&payload[5 + len + 5..]).contains("grpc-status:0"));
    gateway.abort();
    upstream.task.abort();
}

#[tokio::test]
async fn an_unreachable_upstream_is_unavailable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let gateway = tokio::spawn(async move {
        let config = kiln_server::Gateway {
            upstream: format!("http://{closed}"),
            ..Default::default()
        };
        kiln_server::gateway(listener, &config).await.unwrap();
    });
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let status = ImageServiceClient::new(channel)
        .get(authed(GetImageRequest {
            image_id: "x".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    gateway.abort();
}

/// Services go to the upstream their prefix names (the real API serves operations from another
/// host), and with `web_dir` the gateway serves the console and a runtime config naming itself.
#[tokio::test]
async fn routes_by_service_prefix_and_serves_the_console() {
    let upstream = start(fresh_dir("gateway-routes"), 400 << 30).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let web_dir = fresh_dir("gateway-web");
    std::fs::write(
        web_dir.join("index.html"),
        "<!doctype html><title>Kiln</title>",
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = kiln_server::Gateway {
        upstream: format!("http://{}", upstream.addr),
        routes: vec![("yandex.cloud.operation.".into(), format!("http://{closed}"))],
        web_dir: Some(web_dir),
        cors_origins: Vec::new(),
        upstream_ca: None,
        call_deadline: None,
        connect_timeout: None,
    };
    let gateway =
        tokio::spawn(async move { kiln_server::gateway(listener, &config).await.unwrap() });
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let image = ImageServiceClient::new(channel.clone())
        .get(authed(GetImageRequest {
            image_id: "fd80dev0image0ubuntu".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(image.name, "ubuntu-2404-base");
    let status =
        kiln_grpc::operation::operation_service_client::OperationServiceClient::new(channel)
            .get(authed(
                kiln_core::proto::yandex::cloud::operation::GetOperationRequest {
                    operation_id: "x".into(),
                },
            ))
            .await
            .unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unavailable,
        "operations go to their own upstream: {status:?}"
    );

    // gRPC-Web still passes; plain GETs get the console and its config.
    let (status, _, body) = super::grpc_web_get_seeded_image(addr).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&body).contains("ubuntu-2404-base"));
    let get =
        |path: &str| format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    let (status, _, body) = super::http1(addr, &get("/")).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert_eq!(body, b"<!doctype html><title>Kiln</title>");
    let (_, _, body) = super::http1(addr, &get("/kiln-config.json")).await;
    assert_eq!(body, br#"{"endpoint":""}"#);
    gateway.abort();
}
