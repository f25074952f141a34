//! `yandex.cloud.compute.v1.ImageService`: each RPC authenticates, validates with the core
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
use prost_reflect::ReflectMessage;
use tonic::{Request, Response, Status};

use crate::{
    api::{
        auth::caller,
        errors::{invalid_field, refused, validated},
        paging,
    },
    domain,
    engine::{Engine, ImageOrder, OrderColumn},
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

/// `update_mask.paths`, each naming a field of the request by its proto or its JSON name:
/// each path's index and its proto spelling, a field named twice kept once; INVALID_ARGUMENT on
/// `update_mask.paths[i]` for any other path.
fn mask_paths(
    request: &UpdateImageRequest,
    paths: Vec<String>,
) -> Result<Vec<(usize, String)>, Status> {
    let descriptor = request.descriptor();
    let mut found: Vec<(usize, String)> = Vec::with_capacity(paths.len());
    for (index, path) in paths.into_iter().enumerate() {
        let canonical = kiln_core::reflect::field_mask_paths(&descriptor, &[path])
            .map_err(|e| invalid_field(&format!("update_mask.paths[{index}]"), e.to_string()))?;
        for name in canonical {
            if !found.iter().any(|(_, n)| *n == name) {
                found.push((index, name));
            }
        }
    }
    Ok(found)
}

/// The `idempotency-key` metadata, if sent (at most 64 printable characters, e.g. a UUID).
fn idempotency_key<T>(request: &Request<T>) -> Result<Option<String>, Status> {
    let Some(value) = request.metadata().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .ok_or_else(|| {
            Status::invalid_argument("idempotency-key must be 1 to 64 printable characters")
        })?;
    Ok(Some(key.to_owned()))
}

/// `order_by`: `<field> [asc|desc]` with field `id` (the default), `name` or `createdAt`.
fn parse_order_by(order_by: &str) -> Result<ImageOrder, Status> {
    let mut words = order_by.split_whitespace();
    let column = match words.next() {
        None | Some("id") => OrderColumn::Id,
        Some("name") => OrderColumn::Name,
        Some("createdAt" | "created_at") => OrderColumn::CreatedAt,
        Some(other) => {
            return Err(invalid_field(
                "order_by",
                format!("order_by: cannot order by {other:?}: use id, name or createdAt"),
            ));
        }
    };
    let descending = match words.next() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(invalid_field(
                "order_by",
                format!("order_by: {other:?} is not asc or desc"),
            ));
        }
    };
    if words.next().is_some() {
        return Err(invalid_field(
            "order_by",
            "order_by: one field and a direction".into(),
        ));
    }
    Ok(ImageOrder { column, descending })
}

/// The supported filter: empty, or `name="..."` (the API's `<field> = <value>` form).
fn parse_name_filter(filter: &str) -> Result<Option<String>, Status> {
    let filter = filter.trim();
    if filter.is_empty() {
        return Ok(None);
    }
    let value = filter
        .strip_prefix("name")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('='))
        .map(str::trim)
        .and_then(|v| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
        .ok_or_else(|| {
            invalid_field(
                "filter",
                format!("unsupported filter {filter:?}: use name=\"...\""),
            )
        })?;
    Ok(Some(value.to_owned()))
}
