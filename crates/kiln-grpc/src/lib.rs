//! The typed gRPC halves of the services Kiln speaks (`ImageService`, `DiskService`,
//! `SnapshotService`, `OperationService`, `ApiEndpointService`), generated once by `build.rs`
//! with tonic-prost-build. Every message is a `kiln_core::proto` type.
//!
//! The clients carry no transport: natively they run over a `tonic::transport::Channel`, in the
//! browser over `tonic_web_wasm_client::Client` (gRPC-Web through `fetch`). The server halves
//! come with the `server` feature.
//!
//! ```text
//! use kiln_grpc::compute::image_service_client::ImageServiceClient;
//! let mut images = ImageServiceClient::new(channel);
//! let image = images.get(request).await?.into_inner();
//! ```
//!
//! Architecture invariant: this crate is generated code only; no rules, no IO of its own.

/// `yandex.cloud.compute.v1` services.
#[allow(missing_docs, clippy::all)]
pub mod compute {
    include!(concat!(env!("OUT_DIR"), "/yandex.cloud.compute.v1.rs"));
}

/// `yandex.cloud.endpoint` services (where each service lives; the SDKs ask it first).
#[allow(missing_docs, clippy::all)]
pub mod endpoint {
    include!(concat!(env!("OUT_DIR"), "/yandex.cloud.endpoint.rs"));
}

/// `yandex.cloud.operation` services.
#[allow(missing_docs, clippy::all)]
pub mod operation {
    include!(concat!(env!("OUT_DIR"), "/yandex.cloud.operation.rs"));
}
