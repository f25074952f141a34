//! `yandex.cloud.compute.v1.ImageService`.

use std::sync::Arc;

use kiln_core::proto::yandex::cloud::{
    access::{
        ListAccessBindingsRequest, ListAccessBindingsResponse, SetAccessBindingsRequest,
        UpdateAccessBindingsRequest,
    },
    compute::v1::{
        CreateImageRequest, DeleteImageMetadata, DeleteImageRequest, GetImageLatestByFamilyRequest,
        GetImageRequest, HardwareGeneration, Image, LegacyHardwareFeatures,
        ListImageOperationsRequest, ListImageOperationsResponse, ListImagesRequest,
        ListImagesResponse, Os, PciTopology, UpdateImageRequest, create_image_request::Source,
        hardware_generation, image,
    },
    operation::{Operation, operation},
};
use tonic::{Request, Response, Status};

use crate::{
    api::compute::image_service_server::ImageService,
    auth::Tokens,
    copier::Work,
    engine::Engine,
    errors::{self, internal, validated},
    messages::{any, new_id, now},
    store::{CreateLimits, Refusal},
};

/// Seconds a client should wait between polls of an operation (`x-operation-poll-interval`).
const POLL_INTERVAL_SECONDS: &str = "1";

/// The image service over the engine.
pub struct Images {
    pub engine: Engine,
    pub tokens: Arc<Tokens>,
    pub quotas: crate::Quotas,
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
    /// The answer to a Create whose idempotency key started `operation_id` with the encoded
    /// request `first`: that operation when this request is the same, else an error.
    async fn replay(
        &self,
        key: &str,
        first: &[u8],
        encoded: &[u8],
        operation_id: &str,
    ) -> Result<Response<Operation>, Status> {
        if first != encoded {
            return Err(Status::invalid_argument(format!(
                "idempotency key {key} was already used with a different request"
            )));
        }
        let operation = self
            .engine
            .store
            .operation(operation_id)
            .await
            .map_err(internal)?;
        operation
            .map(with_poll_interval)
            .ok_or_else(|| Status::internal("idempotent operation is gone"))
    }

    /// The image, if the caller may see its folder.
    async fn readable<T>(&self, request: &Request<T>, id: &str) -> Result<Image, Status> {
        let image = self.engine.store.image(id).await.map_err(internal)?;
        let image = image.ok_or_else(|| Status::not_found(format!("image {id} not found")))?;
        self.tokens.check(request, &image.folder_id)?;
        Ok(image)
    }
}

#[tonic::async_trait]
impl ImageService for Images {
    async fn get(&self, request: Request<GetImageRequest>) -> Result<Response<Image>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let image = self.readable(&request, &request.get_ref().image_id).await?;
        Ok(Response::new(image))
    }

    async fn get_latest_by_family(
        &self,
        request: Request<GetImageLatestByFamilyRequest>,
    ) -> Result<Response<Image>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.tokens.check(&request, &r.folder_id)?;
        let image = self
            .engine
            .store
            .latest_by_family(&r.folder_id, &r.family)
            .await
            .map_err(internal)?;
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
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.tokens.check(&request, &r.folder_id)?;
        let name = parse_name_filter(&r.filter)?;
        let limit = if r.page_size == 0 {
            100
        } else {
            r.page_size as usize
        };
        let order = parse_order_by(&r.order_by)?;
        // The page token is the offset of the next page in this ordering.
        let offset = if r.page_token.is_empty() {
            0
        } else {
            r.page_token.parse().map_err(|_| {
                Status::invalid_argument("page_token is not one this service issued")
            })?
        };
        let mut images = self
            .engine
            .store
            .images(&r.folder_id, name.as_deref(), order, offset, limit + 1)
            .await
            .map_err(internal)?;
        let next_page_token = if images.len() > limit {
            images.truncate(limit);
            (offset + limit).to_string()
        } else {
            String::new()
        };
        Ok(Response::new(ListImagesResponse {
            images,
            next_page_token,
        }))
    }

    async fn create(
        &self,
        request: Request<CreateImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.tokens.check(&request, &r.folder_id)?;
        let store = &self.engine.store;
        // A repeated idempotency key returns the operation it started; with another request, the
        // key is refused.
        let key = idempotency_key(&request)?;
        let encoded = prost::Message::encode_to_vec(r);
        if let Some(key) = &key
            && let Some((first, operation_id)) =
                store.idempotent(key, "Create").await.map_err(internal)?
        {
            return self.replay(key, &first, &encoded, &operation_id).await;
        }
        // What the source holds: bytes to copy, and the os and hardware generation to inherit.
        let (bytes, source_os, source_generation) = match &r.source {
            Some(Source::ImageId(id)) => {
                let source = self.readable(&request, id).await?;
                if source.status() != image::Status::Ready {
                    return Err(Status::failed_precondition(format!(
                        "image {id} is not ready"
                    )));
                }
                (
                    source.min_disk_size.max(source.storage_size),
                    source.os,
                    source.hardware_generation,
                )
            }
            Some(Source::DiskId(id)) => {
                let disk = store
                    .disk(id)
                    .ok_or_else(|| Status::not_found(format!("disk {id} not found")))?;
                self.tokens.check(&request, &disk.folder_id)?;
                (disk.size, None, disk.hardware_generation)
            }
            Some(Source::SnapshotId(id)) => {
                let snapshot = store
                    .snapshot(id)
                    .ok_or_else(|| Status::not_found(format!("snapshot {id} not found")))?;
                self.tokens.check(&request, &snapshot.folder_id)?;
                (snapshot.disk_size, None, snapshot.hardware_generation)
            }
            // The size is known once the file is downloaded; URI imports default to Gen 1.1.
            Some(Source::Uri(_)) => (0, None, None),
            None => return Err(Status::invalid_argument("source is required")),
        };
        if r.min_disk_size != 0 && r.min_disk_size < bytes {
            return Err(errors::invalid_field(
                "min_disk_size",
                format!("Minimal disk size should be greater or equal than {bytes}"),
            ));
        }
        let legacy_v1 = HardwareGeneration {
            features: Some(hardware_generation::Features::LegacyFeatures(
                LegacyHardwareFeatures {
                    pci_topology: PciTopology::V1 as i32,
                },
            )),
        };
        let image = Image {
            id: new_id("fd8"),
            folder_id: r.folder_id.clone(),
            created_at: Some(now()),
            name: r.name.clone(),
            description: r.description.clone(),
            labels: r.labels.clone(),
            family: r.family.clone(),
            min_disk_size: if r.min_disk_size == 0 {
                bytes
            } else {
                r.min_disk_size
            },
            product_ids: r.product_ids.clone(),
            status: image::Status::Creating as i32,
            os: r.os.clone().or(source_os).or(Some(Os {
                r#type: kiln_core::proto::yandex::cloud::compute::v1::os::Type::Linux as i32,
                nvidia: None,
            })),
            pooled: r.pooled,
            hardware_generation: r
                .hardware_generation
                .clone()
                .or(source_generation)
                .or(Some(legacy_v1)),
            ..Default::default()
        };
        let work = match &r.source {
            Some(Source::Uri(uri)) => Work::Import {
                uri: uri.clone(),
                min_disk_size: r.min_disk_size,
            },
            _ => Work::copy(bytes),
        };
        let limits = CreateLimits {
            running_operations: self.quotas.running_operations_per_folder,
            images: self.quotas.images_per_folder,
        };
        let started = self
            .engine
            .start_create(
                image,
                work,
                key.clone().map(|k| (k, encoded.clone())),
                limits,
            )
            .await;
        match (started.map_err(internal)?, &key) {
            (Ok(operation), _) => Ok(with_poll_interval(operation)),
            // Two requests with one key at once: the first one stored wins; the other answers
            // as a later retry would.
            (
                Err(Refusal::KeyUsed {
                    request: first,
                    operation_id,
                }),
                Some(key),
            ) => self.replay(key, &first, &encoded, &operation_id).await,
            (Err(refusal), _) => Err(refused(refusal, r, &self.quotas)),
        }
    }

    async fn update(
        &self,
        request: Request<UpdateImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        let mut image = self.readable(&request, &r.image_id).await?;
        if image.status() == image::Status::Creating {
            return Err(Status::failed_precondition(format!(
                "image {} is being created",
                image.id
            )));
        }
        let paths: Vec<String> = match &r.update_mask {
            Some(mask) if !mask.paths.is_empty() => mask.paths.clone(),
            // No mask: every field the request sets.
            _ => [
                (!r.name.is_empty()).then_some("name"),
                (!r.description.is_empty()).then_some("description"),
                (!r.labels.is_empty()).then_some("labels"),
                (r.min_disk_size != 0).then_some("min_disk_size"),
            ]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect(),
        };
        for path in &paths {
            match path.as_str() {
                "name" => {
                    if !r.name.is_empty()
                        && r.name != image.name
                        && self
                            .engine
                            .store
                            .name_taken(&image.folder_id, &r.name)
                            .await
                            .map_err(internal)?
                    {
                        return Err(Status::already_exists(format!(
                            "image with name {} already exists",
                            r.name
                        )));
                    }
                    image.name = r.name.clone();
                }
                "description" => image.description = r.description.clone(),
                "labels" => image.labels = r.labels.clone(),
                "min_disk_size" | "minDiskSize" => {
                    if r.min_disk_size < image.storage_size {
                        return Err(errors::invalid_field(
                            "min_disk_size",
                            format!(
                                "Minimal disk size should be greater or equal than {}",
                                image.storage_size
                            ),
                        ));
                    }
                    image.min_disk_size = r.min_disk_size;
                }
                other => {
                    return Err(Status::invalid_argument(format!(
                        "update_mask: field {other:?} cannot be updated"
                    )));
                }
            }
        }
        let operation = Operation {
            id: new_id("fd8"),
            description: "Update image".into(),
            created_at: Some(now()),
            modified_at: Some(now()),
            done: true,
            metadata: Some(any(
                "yandex.cloud.compute.v1.UpdateImageMetadata",
                &kiln_core::proto::yandex::cloud::compute::v1::UpdateImageMetadata {
                    image_id: image.id.clone(),
                },
            )),
            result: Some(operation::Result::Response(any(
                "yandex.cloud.compute.v1.Image",
                &image,
            ))),
            ..Default::default()
        };
        self.engine
            .store
            .update_image(image, operation.clone())
            .await
            .map_err(internal)?;
        Ok(with_poll_interval(operation))
    }

    async fn delete(
        &self,
        request: Request<DeleteImageRequest>,
    ) -> Result<Response<Operation>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let image = self.readable(&request, &request.get_ref().image_id).await?;
        if image.status() == image::Status::Creating {
            return Err(Status::failed_precondition(format!(
                "image {} is being created",
                image.id
            )));
        }
        self.engine
            .store
            .delete_image(&image.id)
            .await
            .map_err(internal)?;
        self.engine.remove_file(&image.id).await;
        let operation = Operation {
            id: new_id("fd8"),
            description: "Delete image".into(),
            created_at: Some(now()),
            modified_at: Some(now()),
            done: true,
            metadata: Some(any(
                "yandex.cloud.compute.v1.DeleteImageMetadata",
                &DeleteImageMetadata {
                    image_id: image.id.clone(),
                },
            )),
            result: Some(operation::Result::Response(any(
                "google.protobuf.Empty",
                &(),
            ))),
            ..Default::default()
        };
        self.engine
            .store
            .put_operation(operation.clone(), &image.id)
            .await
            .map_err(internal)?;
        Ok(with_poll_interval(operation))
    }

    async fn list_operations(
        &self,
        request: Request<ListImageOperationsRequest>,
    ) -> Result<Response<ListImageOperationsResponse>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.readable(&request, &r.image_id).await?;
        let after = if r.page_token.is_empty() {
            0
        } else {
            r.page_token.parse().map_err(|_| {
                Status::invalid_argument("page_token is not one this service issued")
            })?
        };
        let limit = if r.page_size == 0 {
            100
        } else {
            r.page_size as usize
        };
        let mut found = self
            .engine
            .store
            .operations_of(&r.image_id, after, limit + 1)
            .await
            .map_err(internal)?;
        let next_page_token = if found.len() > limit {
            found.truncate(limit);
            found
                .last()
                .map(|(position, _)| position.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let operations = found.into_iter().map(|(_, operation)| operation).collect();
        Ok(Response::new(ListImageOperationsResponse {
            operations,
            next_page_token,
        }))
    }

    async fn list_access_bindings(
        &self,
        _request: Request<ListAccessBindingsRequest>,
    ) -> Result<Response<ListAccessBindingsResponse>, Status> {
        Err(Status::unimplemented(
            "access bindings are not part of kiln serve",
        ))
    }

    async fn set_access_bindings(
        &self,
        _request: Request<SetAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(
            "access bindings are not part of kiln serve",
        ))
    }

    async fn update_access_bindings(
        &self,
        _request: Request<UpdateAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(
            "access bindings are not part of kiln serve",
        ))
    }
}

/// The error a Create refused by its store-side checks answers with.
fn refused(refusal: Refusal, r: &CreateImageRequest, quotas: &crate::Quotas) -> Status {
    match refusal {
        Refusal::KeyUsed { .. } => Status::internal("an idempotency key without its request"),
        Refusal::NameTaken => Status::already_exists(format!(
            "image with name {} already exists in folder {}",
            r.name, r.folder_id
        )),
        Refusal::RunningOperations => Status::resource_exhausted(format!(
            "quota exceeded: at most {} operations may run at once in a folder",
            quotas.running_operations_per_folder
        )),
        Refusal::Images => Status::resource_exhausted(format!(
            "quota exceeded: at most {} images per folder",
            quotas.images_per_folder
        )),
    }
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
fn parse_order_by(order_by: &str) -> Result<crate::store::ImageOrder, Status> {
    use crate::store::{ImageOrder, OrderColumn};
    let mut words = order_by.split_whitespace();
    let column = match words.next() {
        None | Some("id") => OrderColumn::Id,
        Some("name") => OrderColumn::Name,
        Some("createdAt" | "created_at") => OrderColumn::CreatedAt,
        Some(other) => {
            return Err(Status::invalid_argument(format!(
                "order_by: cannot order by {other:?}"
            )));
        }
    };
    let descending = match words.next() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(Status::invalid_argument(format!(
                "order_by: {other:?} is not asc or desc"
            )));
        }
    };
    if words.next().is_some() {
        return Err(Status::invalid_argument(
            "order_by: one field and a direction",
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
            Status::invalid_argument(format!("unsupported filter {filter:?}: use name=\"...\""))
        })?;
    Ok(Some(value.to_owned()))
}
