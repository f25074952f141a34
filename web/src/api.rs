//! The service calls the console makes: the generated tonic clients of `kiln-grpc` over
//! `tonic_web_wasm_client::Client` (gRPC-Web through the browser's `fetch`). Every call carries
//! `authorization: Bearer <token>`; what a failure means is `kiln_console::call`.
//!
//! Dropping a call's future aborts its fetch (tonic-web-wasm-client holds an `AbortController`):
//! `Latest` uses that so a superseded load, or one whose screen was left, stops its request.

use kiln_console::call::CallError;
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::proto::yandex::cloud::operation::{self as operation_proto, Operation};
use kiln_grpc::compute::{
    disk_service_client::DiskServiceClient, image_service_client::ImageServiceClient,
    snapshot_service_client::SnapshotServiceClient,
};
use kiln_grpc::operation::operation_service_client::OperationServiceClient;
use tonic::metadata::MetadataValue;
use tonic_web_wasm_client::Client;

pub use kiln_console::call::CallError as ApiError;

/// The service the console talks to.
#[derive(Clone, Debug)]
pub struct Api {
    /// gRPC-Web base URL (`http://127.0.0.1:8080`).
    pub base: String,
    /// The bearer token.
    pub token: String,
}

type Result<T> = std::result::Result<T, CallError>;

/// The folder listings ask for this many items (the API's largest page).
const PAGE: i64 = 1000;

impl Api {
    fn client(&self) -> Client {
        Client::new(self.base.clone())
    }

    /// `message` as a request with the bearer token and any extra metadata.
    fn request<M>(&self, message: M, extra: &[(&'static str, &str)]) -> Result<tonic::Request<M>> {
        let mut request = tonic::Request::new(message);
        let metadata = request.metadata_mut();
        let bad = CallError::bad_header;
        let token =
            MetadataValue::try_from(format!("Bearer {}", self.token)).map_err(|_| bad("token"))?;
        metadata.insert("authorization", token);
        for (name, value) in extra {
            metadata.insert(
                *name,
                MetadataValue::try_from(*value).map_err(|_| bad(name))?,
            );
        }
        Ok(request)
    }

    /// The console's error for a failed call: the service's status; UNAVAILABLE when the
    /// browser could not reach the service, or what answered was not gRPC-Web.
    fn error(&self, status: tonic::Status) -> CallError {
        use tonic_web_wasm_client::Error;
        let transport = std::error::Error::source(&status).and_then(|e| e.downcast_ref::<Error>());
        match transport {
            Some(Error::JsError(detail)) => CallError::unreachable(&self.base, detail),
            Some(e @ (Error::MissingContentTypeHeader | Error::InvalidContentType(_))) => {
                CallError::not_grpc_web(&self.base, e)
            }
            _ => CallError::from_status(&status),
        }
    }

    /// The folder's images (first 1000).
    pub async fn list_images(&self, folder_id: &str) -> Result<Vec<compute::Image>> {
        let request = self.request(
            compute::ListImagesRequest {
                folder_id: folder_id.to_owned(),
                page_size: PAGE,
                ..Default::default()
            },
            &[],
        )?;
        let reply = ImageServiceClient::new(self.client())
            .list(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner().images)
    }

    /// The folder's disks (first 1000).
    pub async fn list_disks(&self, folder_id: &str) -> Result<Vec<compute::Disk>> {
        let request = self.request(
            compute::ListDisksRequest {
                folder_id: folder_id.to_owned(),
                page_size: PAGE,
                ..Default::default()
            },
            &[],
        )?;
        let reply = DiskServiceClient::new(self.client())
            .list(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner().disks)
    }

    /// The folder's snapshots (first 1000).
    pub async fn list_snapshots(&self, folder_id: &str) -> Result<Vec<compute::Snapshot>> {
        let request = self.request(
            compute::ListSnapshotsRequest {
                folder_id: folder_id.to_owned(),
                page_size: PAGE,
                ..Default::default()
            },
            &[],
        )?;
        let reply = SnapshotServiceClient::new(self.client())
            .list(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner().snapshots)
    }

    /// The newest READY image of a family.
    pub async fn latest_of_family(&self, folder_id: &str, family: &str) -> Result<compute::Image> {
        let request = self.request(
            compute::GetImageLatestByFamilyRequest {
                folder_id: folder_id.to_owned(),
                family: family.to_owned(),
            },
            &[],
        )?;
        let reply = ImageServiceClient::new(self.client())
            .get_latest_by_family(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner())
    }

    /// Starts a Create with an `idempotency-key`; the operation and the poll interval (ms).
    pub async fn create_image(
        &self,
        request: compute::CreateImageRequest,
        idempotency_key: &str,
    ) -> Result<(Operation, u32)> {
        let request = self.request(request, &[("idempotency-key", idempotency_key)])?;
        let reply = ImageServiceClient::new(self.client())
            .create(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(with_poll_interval(reply))
    }

    /// Starts a Delete.
    pub async fn delete_image(&self, image_id: &str) -> Result<Operation> {
        let request = self.request(
            compute::DeleteImageRequest {
                image_id: image_id.to_owned(),
            },
            &[],
        )?;
        let reply = ImageServiceClient::new(self.client())
            .delete(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner())
    }

    /// Polls an operation; the operation and the poll interval (ms) the service asks for.
    pub async fn get_operation(&self, operation_id: &str) -> Result<(Operation, u32)> {
        let request = self.request(
            operation_proto::GetOperationRequest {
                operation_id: operation_id.to_owned(),
            },
            &[],
        )?;
        let reply = OperationServiceClient::new(self.client())
            .get(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(with_poll_interval(reply))
    }

    /// Asks the service to cancel an operation; the operation as it is now.
    pub async fn cancel_operation(&self, operation_id: &str) -> Result<Operation> {
        let request = self.request(
            operation_proto::CancelOperationRequest {
                operation_id: operation_id.to_owned(),
            },
            &[],
        )?;
        let reply = OperationServiceClient::new(self.client())
            .cancel(request)
            .await
            .map_err(|s| self.error(s))?;
        Ok(reply.into_inner())
    }
}

/// The operation and the poll interval (ms) its response's metadata asks for.
fn with_poll_interval(reply: tonic::Response<Operation>) -> (Operation, u32) {
    let interval = reply
        .metadata()
        .get("x-operation-poll-interval")
        .and_then(|v| v.to_str().ok());
    let ms = kiln_console::operations::poll_interval_ms(interval);
    (reply.into_inner(), ms)
}
