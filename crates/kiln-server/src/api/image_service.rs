//! `yandex.cloud.compute.v1.ImageService`: each RPC takes its caller, validates with the core
//! crate, runs the domain's command (or a read) and translates the answer.

use kiln_core::proto::yandex::cloud::{
    access::{
        ListAccessBindingsRequest, ListAccessBindingsResponse, SetAccessBindingsRequest,
        UpdateAccessBindingsRequest,
    },
    compute::v1::{
        CreateImageRequest, DeleteImageRequest, GetImageLatestByFamilyRequest, GetImageRequest,
        Image, ListImageOperationsRequest, ListImageOperationsResponse, ListImagesRequest,
        ListImagesResponse, UpdateImageRequest,
    },
    operation::Operation,
};
use kiln_grpc::compute::image_service_server::ImageService;
use tonic::{Request, Response, Status};

use crate::{
    api::{
        auth::caller,
        errors::{refused, validated},
        paging,
        request::{idempotency_key, mask_paths, parse_name_filter, parse_order_by},
    },
    domain,
    engine::Engine,
};

/// Seconds a client should wait between polls of an operation (`x-operation-poll-interval`).
const POLL_INTERVAL_SECONDS: &str = "1";

/// The image service over the engine.
pub struct Images {
    /// The engine.
    pub engine: Engine,
}

/// A response carrying the server's suggested poll interval, as the real API sends.
pub fn with_poll_interval(operation: Operation) -> Response<Operation> {
    let mut response = Response::new(operation);
    response.metadata_mut().insert(
        "x-operation-poll-interval",
        POLL_INTERVAL_SECONDS.parse().expect("ascii"),
    );
    response
}

impl Images {
    /// The image `id` if the caller may see it (NOT_FOUND alike when it is another folder's).
    fn visible<T>(&self, request: &Request<T>, id: &str) -> Result<Image, Status> {
        let grant = caller(request)?;
        self.engine
            .read(|r| domain::visible_image(r, grant.caller(), id))
            .map_err(refused)
    }
}

#[tonic::async_trait]
impl ImageService for Images {
    async fn get(&self, request: Request<GetImageRequest>) -> Result<Response<Image>, Status> {
        validated(request.get_ref())?;
        let image = self.visible(&request, &request.get_ref().image_id)?;
        Ok(Response::new(image))
    }

    async fn get_latest_by_family(
        &self,
        request: Request<GetImageLatestByFamilyRequest>,
    ) -> Result<Response<Image>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        domain::folder_allowed(grant.caller(), &r.folder_id).map_err(refused)?;
        let image = self
            .engine
            .read(|reader| Ok(reader.latest_by_family(&r.folder_id, &r.family)?))
            .map_err(refused)?;
        image.map(Response::new).ok_or_else(|| {
            Status::not_found(format!(
                "no ready image of family {} in folder {}",
                r.family, r.folder_id
            ))
        })
    }

    async fn list(
        &self,
        request: Request<ListImagesRequest>,
    ) -> Result<Response<ListImagesResponse>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        domain::folder_allowed(grant.caller(), &r.folder_id).map_err(refused)?;
        let name = parse_name_filter(&r.filter)?;
        let limit = paging::page_size(r.page_size)?;
        let order = parse_order_by(&r.order_by)?;
        let after = paging::image_token(&r.page_token, order)?;
        let page = self
            .engine
            .read(|reader| {
                Ok(reader.images(&r.folder_id, name.as_deref(), order, &after, limit)?)
            })
            .map_err(refused)?;
        Ok(Response::new(ListImagesResponse {
            images: page.items,
            next_page_token: page
                .next
                .map(|a| paging::image_token_of(&a, order))
                .unwrap_or_default(),
        }))
    }

    async fn create(
        &self,
        request: Request<CreateImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let key = idempotency_key(&request)?;
        let operation = self
            .engine
            .create(grant, request.into_inner(), key)
            .await
            .map_err(refused)?;
        Ok(with_poll_interval(operation))
    }

    async fn update(
        &self,
        request: Request<UpdateImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        let grant = caller(&request)?;
        let mut r = request.into_inner();
        // Both spellings of a field name are accepted; the rest of the service sees the proto
        // one.
        let paths = match r.update_mask.take() {
            Some(mask) => mask_paths(&r, mask.paths)?,
            None => Vec::new(),
        };
        validated(&r)?;
        let operation = self.engine.update(grant, r, paths).await.map_err(refused)?;
        Ok(with_poll_interval(operation))
    }

    async fn delete(
        &self,
        request: Request<DeleteImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let image_id = request.into_inner().image_id;
        let operation = self.engine.delete(grant, image_id).await.map_err(refused)?;
        Ok(with_poll_interval(operation))
    }

    async fn list_operations(
        &self,
        request: Request<ListImageOperationsRequest>,
    ) -> Result<Response<ListImageOperationsResponse>, Status> {
        validated(request.get_ref())?;
        let r = request.get_ref();
        let limit = paging::page_size(r.page_size)?;
        self.visible(&request, &r.image_id)?;
        // The token is the ID of the last operation of the page before: one of this image's.
        let page = self
            .engine
            .read(|reader| {
                let after = match r.page_token.as_str() {
                    "" => 0,
                    token => match reader.position_of(&r.image_id, token)? {
                        Some(position) => position,
                        None => return Ok(None),
                    },
                };
                Ok(Some(reader.operations_of(&r.image_id, after, limit)?))
            })
            .map_err(refused)?
            .ok_or_else(paging::not_issued)?;
        Ok(Response::new(ListImageOperationsResponse {
            operations: page.items,
            next_page_token: page.next.unwrap_or_default(),
        }))
    }

    async fn list_access_bindings(
        &self,
        request: Request<ListAccessBindingsRequest>,
    ) -> Result<Response<ListAccessBindingsResponse>, Status> {
        validated(request.get_ref())?;
        self.visible(&request, &request.get_ref().resource_id)?;
        Err(access_bindings_unimplemented())
    }

    async fn set_access_bindings(
        &self,
        request: Request<SetAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        validated(request.get_ref())?;
        self.visible(&request, &request.get_ref().resource_id)?;
        Err(access_bindings_unimplemented())
    }

    async fn update_access_bindings(
        &self,
        request: Request<UpdateAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        validated(request.get_ref())?;
        self.visible(&request, &request.get_ref().resource_id)?;
        Err(access_bindings_unimplemented())
    }
}

fn access_bindings_unimplemented() -> Status {
    Status::unimplemented("access bindings are not part of kiln serve")
}
