//! The service calls the console makes, over gRPC-Web: `fetch` (gloo-net) moves the bytes,
//! `kiln_console::grpc_web` frames and reads them. Every call carries
//! `authorization: Bearer <token>`.

use kiln_console::grpc_web::{self, CallError, code};
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::proto::yandex::cloud::operation::{self as operation_proto, Operation};
use prost::Message;

pub use kiln_console::grpc_web::CallError as ApiError;

/// The service the console talks to.
#[derive(Clone, Debug)]
pub struct Api {
    /// gRPC-Web base URL (`http://127.0.0.1:8080`).
    pub base: String,
    /// The bearer token.
    pub token: String,
}

type Result<T> = std::result::Result<T, CallError>;

const IMAGES: &str = "yandex.cloud.compute.v1.ImageService";
const DISKS: &str = "yandex.cloud.compute.v1.DiskService";
const SNAPSHOTS: &str = "yandex.cloud.compute.v1.SnapshotService";
const OPERATIONS: &str = "yandex.cloud.operation.OperationService";

/// A reply and the poll interval the service asked for (ms).
struct Reply<M> {
    message: M,
    poll_interval_ms: u32,
}

impl Api {
    /// One unary call: `service/method` with `request`, plus any extra metadata.
    async fn call<Req: Message, Resp: Message + Default>(
        &self,
        service: &str,
        method: &str,
        request: &Req,
        metadata: &[(&str, &str)],
    ) -> Result<Reply<Resp>> {
        let url = format!("{}/{service}/{method}", self.base);
        let body = js_sys::Uint8Array::from(grpc_web::encode_request(request).as_slice());
        let mut builder = gloo_net::http::Request::post(&url)
            .header("content-type", grpc_web::CONTENT_TYPE)
            .header("accept", grpc_web::CONTENT_TYPE)
            .header("x-grpc-web", "1")
            .header("authorization", &format!("Bearer {}", self.token));
        for (name, value) in metadata {
            builder = builder.header(name, value);
        }
        let unavailable = |e: gloo_net::Error| {
            CallError::new(
                code::UNAVAILABLE,
                format!("cannot reach {}: {e}", self.base),
            )
        };
        let response = builder
            .body(body)
            .map_err(unavailable)?
            .send()
            .await
            .map_err(unavailable)?;
        let headers = response.headers();
        let bytes = response.binary().await.map_err(unavailable)?;
        let message =
            grpc_web::decode_response(response.status(), |name| headers.get(name), &bytes)?;
        let poll = headers.get("x-operation-poll-interval");
        Ok(Reply {
            message,
            poll_interval_ms: kiln_console::operations::poll_interval_ms(poll.as_deref()),
        })
    }

    /// The folder's images (first 1000).
    pub async fn list_images(&self, folder_id: &str) -> Result<Vec<compute::Image>> {
        let request = compute::ListImagesRequest {
            folder_id: folder_id.to_owned(),
            page_size: 1000,
            ..Default::default()
        };
        let reply: Reply<compute::ListImagesResponse> =
            self.call(IMAGES, "List", &request, &[]).await?;
        Ok(reply.message.images)
    }

    /// The folder's disks (first 1000).
    pub async fn list_disks(&self, folder_id: &str) -> Result<Vec<compute::Disk>> {
        let request = compute::ListDisksRequest {
            folder_id: folder_id.to_owned(),
            page_size: 1000,
            ..Default::default()
        };
        let reply: Reply<compute::ListDisksResponse> =
            self.call(DISKS, "List", &request, &[]).await?;
        Ok(reply.message.disks)
    }

    /// The folder's snapshots (first 1000).
    pub async fn list_snapshots(&self, folder_id: &str) -> Result<Vec<compute::Snapshot>> {
        let request = compute::ListSnapshotsRequest {
            folder_id: folder_id.to_owned(),
            page_size: 1000,
            ..Default::default()
        };
        let reply: Reply<compute::ListSnapshotsResponse> =
            self.call(SNAPSHOTS, "List", &request, &[]).await?;
        Ok(reply.message.snapshots)
    }

    /// The newest READY image of a family.
    pub async fn latest_of_family(&self, folder_id: &str, family: &str) -> Result<compute::Image> {
        let request = compute::GetImageLatestByFamilyRequest {
            folder_id: folder_id.to_owned(),
            family: family.to_owned(),
        };
        let reply = self
            .call(IMAGES, "GetLatestByFamily", &request, &[])
            .await?;
        Ok(reply.message)
    }

    /// Starts a Create with an `idempotency-key`; the operation and the poll interval (ms).
    pub async fn create_image(
        &self,
        request: compute::CreateImageRequest,
        idempotency_key: &str,
    ) -> Result<(Operation, u32)> {
        let reply = self
            .call(
                IMAGES,
                "Create",
                &request,
                &[("idempotency-key", idempotency_key)],
            )
            .await?;
        Ok((reply.message, reply.poll_interval_ms))
    }

    /// Starts a Delete.
    pub async fn delete_image(&self, image_id: &str) -> Result<Operation> {
        let request = compute::DeleteImageRequest {
            image_id: image_id.to_owned(),
        };
        Ok(self.call(IMAGES, "Delete", &request, &[]).await?.message)
    }

    /// Polls an operation; the operation and the poll interval (ms) the service asks for.
    pub async fn get_operation(&self, operation_id: &str) -> Result<(Operation, u32)> {
        let request = operation_proto::GetOperationRequest {
            operation_id: operation_id.to_owned(),
        };
        let reply = self.call(OPERATIONS, "Get", &request, &[]).await?;
        Ok((reply.message, reply.poll_interval_ms))
    }

    /// Asks the service to cancel an operation; the operation as it is now.
    pub async fn cancel_operation(&self, operation_id: &str) -> Result<Operation> {
        let request = operation_proto::CancelOperationRequest {
            operation_id: operation_id.to_owned(),
        };
        Ok(self
            .call(OPERATIONS, "Cancel", &request, &[])
            .await?
            .message)
    }
}
