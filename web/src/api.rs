//! The service calls the console makes: the generated tonic clients of `kiln-grpc` over
//! `tonic_web_wasm_client::Client` (gRPC-Web through the browser's `fetch`). Every call carries
//! `authorization: Bearer <token>`; what a failure means is `kiln_console::call`.
//!
//! Dropping a call's future aborts its fetch (tonic-web-wasm-client holds an `AbortController`):
//! `Latest` uses that so a superseded load, or one whose screen was left, stops its request.

use kiln_console::call::CallError;
use kiln_console::listing::{self, Find};
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

/// How long a call may take before the console gives up on it and says so (with Retry). The
/// service is told too (`grpc-timeout`), so it stops working on an answer nobody waits for.
pub const DEADLINE_MS: u32 = 30_000;

/// A page of a listing: the items and the token of the next page (empty on the last).
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// `next_page_token`.
    pub next: String,
}

/// `call`, or DEADLINE_EXCEEDED once [`DEADLINE_MS`] have passed without an answer (the call
/// is then dropped, which aborts its fetch).
async fn bounded<T>(call: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures_util::future::{Either, select};
    let timer = gloo_timers::future::TimeoutFuture::new(DEADLINE_MS);
    match select(std::pin::pin!(call), timer).await {
        Either::Left((answer, _)) => answer,
        Either::Right(_) => Err(CallError::new(
            tonic::Code::DeadlineExceeded,
            format!("no answer within {} s", DEADLINE_MS / 1000),
        )),
    }
}

impl Api {
    fn client(&self) -> Client {
        Client::new(self.base.clone())
    }

    /// `message` as a request with the bearer token, the deadline and any extra metadata.
    fn request<M>(&self, message: M, extra: &[(&'static str, &str)]) -> Result<tonic::Request<M>> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(std::time::Duration::from_millis(u64::from(DEADLINE_MS)));
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

    /// A call bounded by [`DEADLINE_MS`], its failure read into the console's error.
    async fn call<T>(
        &self,
        call: impl std::future::Future<Output = std::result::Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<tonic::Response<T>> {
        bounded(async { call.await.map_err(|s| self.error(s)) }).await
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

    /// A page of the folder's images, newest first; `filter` as the API takes it.
    pub async fn list_images(
        &self,
        folder_id: &str,
        page_token: &str,
        filter: &str,
    ) -> Result<Page<compute::Image>> {
        let request = self.request(
            compute::ListImagesRequest {
                folder_id: folder_id.to_owned(),
                page_size: listing::PAGE_SIZE,
                page_token: page_token.to_owned(),
                filter: filter.to_owned(),
                order_by: listing::NEWEST_FIRST.to_owned(),
            },
            &[],
        )?;
        let reply = self
            .call(ImageServiceClient::new(self.client()).list(request))
            .await?
            .into_inner();
        Ok(Page {
            items: reply.images,
            next: reply.next_page_token,
        })
    }

    /// The images a typed find turns up: the one of that exact name and the one of that ID.
    pub async fn find_images(&self, folder_id: &str, find: &Find) -> Result<Vec<compute::Image>> {
        let by_name = match &find.filter {
            Some(filter) => self.list_images(folder_id, "", filter).await?.items,
            None => Vec::new(),
        };
        let by_id = match &find.id {
            Some(id) => self.get_image(id).await?,
            None => None,
        };
        // An image of another folder found by its ID is not this folder's.
        let by_id = by_id.filter(|i| i.folder_id == folder_id);
        Ok(listing::found(by_name, by_id))
    }

    /// An image by ID; `None` when there is none (NOT_FOUND).
    pub async fn get_image(&self, image_id: &str) -> Result<Option<compute::Image>> {
        let request = self.request(
            compute::GetImageRequest {
                image_id: image_id.to_owned(),
            },
            &[],
        )?;
        let reply = self
            .call(ImageServiceClient::new(self.client()).get(request))
            .await;
        found(reply)
    }

    /// An image's operations, oldest first, following the pages up to
    /// [`listing::MOST_OPERATION_PAGES`] (the running one is among the newest).
    pub async fn image_operations(&self, image_id: &str) -> Result<Vec<Operation>> {
        let mut all = Vec::new();
        let mut token = String::new();
        for _ in 0..listing::MOST_OPERATION_PAGES {
            let request = self.request(
                compute::ListImageOperationsRequest {
                    image_id: image_id.to_owned(),
                    page_size: listing::OPERATION_PAGE_SIZE,
                    page_token: token,
                },
                &[],
            )?;
            let reply = self
                .call(ImageServiceClient::new(self.client()).list_operations(request))
                .await?
                .into_inner();
            all.extend(reply.operations);
            if reply.next_page_token.is_empty() {
                break;
            }
            token = reply.next_page_token;
        }
        Ok(all)
    }

    /// Starts an Update of an image.
    pub async fn update_image(&self, request: compute::UpdateImageRequest) -> Result<Operation> {
        let request = self.request(request, &[])?;
        let reply = self
            .call(ImageServiceClient::new(self.client()).update(request))
            .await?;
        Ok(reply.into_inner())
    }

    /// A page of the folder's disks.
    pub async fn list_disks(
        &self,
        folder_id: &str,
        page_token: &str,
    ) -> Result<Page<compute::Disk>> {
        let request = self.request(
            compute::ListDisksRequest {
                folder_id: folder_id.to_owned(),
                page_size: listing::PAGE_SIZE,
                page_token: page_token.to_owned(),
                ..Default::default()
            },
            &[],
        )?;
        let reply = self
            .call(DiskServiceClient::new(self.client()).list(request))
            .await?
            .into_inner();
        Ok(Page {
            items: reply.disks,
            next: reply.next_page_token,
        })
    }

    /// A disk by ID; `None` when there is none.
    pub async fn get_disk(&self, disk_id: &str) -> Result<Option<compute::Disk>> {
        let request = self.request(
            compute::GetDiskRequest {
                disk_id: disk_id.to_owned(),
            },
            &[],
        )?;
        let reply = self
            .call(DiskServiceClient::new(self.client()).get(request))
            .await;
        found(reply)
    }

    /// A page of the folder's snapshots.
    pub async fn list_snapshots(
        &self,
        folder_id: &str,
        page_token: &str,
    ) -> Result<Page<compute::Snapshot>> {
        let request = self.request(
            compute::ListSnapshotsRequest {
                folder_id: folder_id.to_owned(),
                page_size: listing::PAGE_SIZE,
                page_token: page_token.to_owned(),
                ..Default::default()
            },
            &[],
        )?;
        let reply = self
            .call(SnapshotServiceClient::new(self.client()).list(request))
            .await?
            .into_inner();
        Ok(Page {
            items: reply.snapshots,
            next: reply.next_page_token,
        })
    }

    /// A snapshot by ID; `None` when there is none.
    pub async fn get_snapshot(&self, snapshot_id: &str) -> Result<Option<compute::Snapshot>> {
        let request = self.request(
            compute::GetSnapshotRequest {
                snapshot_id: snapshot_id.to_owned(),
            },
            &[],
        )?;
        let reply = self
            .call(SnapshotServiceClient::new(self.client()).get(request))
            .await;
        found(reply)
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
        let reply = self
            .call(ImageServiceClient::new(self.client()).get_latest_by_family(request))
            .await?;
        Ok(reply.into_inner())
    }

    /// Starts a Create with an `idempotency-key`; the operation and the poll interval (ms).
    pub async fn create_image(
        &self,
        request: compute::CreateImageRequest,
        idempotency_key: &str,
    ) -> Result<(Operation, u32)> {
        let request = self.request(request, &[("idempotency-key", idempotency_key)])?;
        let reply = self
            .call(ImageServiceClient::new(self.client()).create(request))
            .await?;
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
        let reply = self
            .call(ImageServiceClient::new(self.client()).delete(request))
            .await?;
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
        let reply = self
            .call(OperationServiceClient::new(self.client()).get(request))
            .await?;
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
        let reply = self
            .call(OperationServiceClient::new(self.client()).cancel(request))
            .await?;
        Ok(reply.into_inner())
    }
}

/// A Get's answer: the resource, `None` when there is none (NOT_FOUND), or the failure.
fn found<T>(reply: Result<tonic::Response<T>>) -> Result<Option<T>> {
    match reply {
        Ok(reply) => Ok(Some(reply.into_inner())),
        Err(e) if e.code == tonic::Code::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The operation and the poll interval (ms) its response's metadata asks for.
fn with_poll_interval(reply: tonic::Response<Operation>) -> (Operation, u32) {
    let interval = reply
        .metadata()
        .get("x-operation-poll-interval")
        .and_then(|v| v.to_str().ok());
    let ms = kiln_console::panel::poll_interval_ms(interval);
    (reply.into_inner(), ms)
}
