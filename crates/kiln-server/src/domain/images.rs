//! Create, Update and Delete of images.

use kiln_core::proto::yandex::cloud::{
    compute::v1::{
        CreateImageMetadata, CreateImageRequest, DeleteImageMetadata, HardwareGeneration, Image,
        LegacyHardwareFeatures, Os, PciTopology, UpdateImageMetadata, UpdateImageRequest,
        create_image_request::Source, hardware_generation, image, os,
    },
    operation::{Operation, operation},
};
use kiln_core::{
    bounds::MIN_DISK_SIZE,
    progress::{Action, Progress},
};
use prost::Message;

use super::{
    Applied, Caller, Change, KeyRecord, Now, OperationRecord, Records, Refusal, Work,
    folder_allowed, visible_disk, visible_image, visible_snapshot,
};

/// The smallest `min_disk_size` an image gets (the API's lower bound, 4 MiB, read from its
/// annotation).
pub const SMALLEST_DISK: i64 = *MIN_DISK_SIZE.start();

/// The folder quotas a Create is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations running at once in a folder.
    pub running_operations: i64,
    /// Images in a folder.
    pub images: i64,
}

/// Where a Create's data comes from: IDs the command looks up (through [`Records`]), or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateSource<'a> {
    /// Another image, by ID.
    Image(&'a str),
    /// A disk, by ID.
    Disk(&'a str),
    /// A snapshot, by ID.
    Snapshot(&'a str),
    /// A file to download.
    Uri(&'a str),
}

impl CreateSource<'_> {
    /// The source a request names (`None`: it names none).
    pub fn of(request: &CreateImageRequest) -> Option<CreateSource<'_>> {
        Some(match request.source.as_ref()? {
            Source::ImageId(id) => CreateSource::Image(id),
            Source::DiskId(id) => CreateSource::Disk(id),
            Source::SnapshotId(id) => CreateSource::Snapshot(id),
            Source::Uri(uri) => CreateSource::Uri(uri),
        })
    }
}

/// A Create, validated by the core crate.
#[derive(Debug, Clone)]
pub struct CreateImage {
    /// The request (its source is looked up by the command).
    pub request: CreateImageRequest,
    /// The `idempotency-key` it came with.
    pub key: Option<String>,
    /// The ID the new image gets.
    pub image_id: String,
    /// The ID its operation gets.
    pub operation_id: String,
    /// The folder's quotas.
    pub limits: Limits,
    /// The caller's subject (`Operation.created_by`).
    pub created_by: String,
}

/// An Update, validated by the core crate, with its mask's paths in their proto spelling.
#[derive(Debug, Clone)]
pub struct UpdateImage {
    /// The request.
    pub request: UpdateImageRequest,
    /// `update_mask.paths`, each a field name of the request, with its index in the mask.
    pub paths: Vec<(usize, String)>,
    /// The ID its operation gets.
    pub operation_id: String,
    /// The caller's subject (`Operation.created_by`).
    pub created_by: String,
}

/// What a source holds: bytes to copy, and the os and hardware generation an image inherits.
struct SourceFacts {
    bytes: i64,
    os: Option<Os>,
    generation: Option<HardwareGeneration>,
}

/// The rule of `min_disk_size`: at least what the image holds (`needed`).
pub fn check_min_disk_size(requested: i64, needed: i64) -> Result<(), Refusal> {
    if requested < needed {
        Err(Refusal::MinDiskSize { needed })
    } else {
        Ok(())
    }
}

/// Starts a Create: the new image (CREATING) and its operation, with the work to do. The
/// caller must be allowed the folder and see the source; the name must be free in the folder
/// and the folder's quotas must allow one more. A key used before returns the operation it
/// started (with the same request) or is refused (with another).
pub fn create(
    records: &impl Records,
    caller: Caller<'_>,
    command: &CreateImage,
    now: Now,
) -> Result<Applied<Operation>, Refusal> {
    let r = &command.request;
    let folder = &r.folder_id;
    folder_allowed(caller, folder)?;
    let encoded = command.key.as_ref().map(|_| r.encode_to_vec());
    if let Some(key) = &command.key
        && let Some(used) = records.key(folder, key)?
    {
        if Some(&used.request) != encoded.as_ref() {
            return Err(Refusal::KeyReused { key: key.clone() });
        }
        let first = records.operation(&used.operation_id)?.ok_or_else(|| {
            Refusal::Storage(format!("idempotency key {key} without its operation"))
        })?;
        return Ok(Applied::new(first.operation, Vec::new()));
    }
    let source = CreateSource::of(r).ok_or(Refusal::NoSource)?;
    let facts = source_facts(records, caller, &source)?;
    if r.min_disk_size != 0 {
        check_min_disk_size(r.min_disk_size, facts.bytes)?;
    }
    if !r.name.is_empty() && records.image_named(folder, &r.name)?.is_some() {
        return Err(Refusal::NameTaken {
            name: r.name.clone(),
            folder: folder.clone(),
        });
    }
    let limits = command.limits;
    if records.running_in(folder) >= limits.running_operations {
        return Err(Refusal::RunningOperations {
            limit: limits.running_operations,
        });
    }
    if records.images_in(folder) >= limits.images {
        return Err(Refusal::Images {
            limit: limits.images,
        });
    }
    let image = Image {
        id: command.image_id.clone(),
        folder_id: folder.clone(),
        created_at: Some(now.timestamp),
        name: r.name.clone(),
        description: r.description.clone(),
        labels: r.labels.clone(),
        family: r.family.clone(),
        min_disk_size: if r.min_disk_size == 0 {
            facts.bytes
        } else {
            r.min_disk_size
        },
        product_ids: r.product_ids.clone(),
        status: image::Status::Creating as i32,
        os: r.os.clone().or(facts.os).or(Some(Os {
            r#type: os::Type::Linux as i32,
            nvidia: None,
        })),
        pooled: r.pooled,
        // URI imports default to Gen 1.1, as the API does.
        hardware_generation: r.hardware_generation.clone().or(facts.generation).or(Some(
            HardwareGeneration {
                features: Some(hardware_generation::Features::LegacyFeatures(
                    LegacyHardwareFeatures {
                        pci_topology: PciTopology::V1 as i32,
                    },
                )),
            },
        )),
        ..Default::default()
    };
    let work = match source {
        CreateSource::Uri(uri) => Work::Import {
            uri: uri.to_owned(),
            min_disk_size: r.min_disk_size,
        },
        _ => Work::Copy {
            bytes: facts.bytes,
            since: Some(now.micros),
        },
    };
    let operation = Operation {
        id: command.operation_id.clone(),
        description: Progress::Started(Action::CreateImage).describe(),
        created_at: Some(now.timestamp),
        created_by: command.created_by.clone(),
        modified_at: Some(now.timestamp),
        done: false,
        metadata: Some(any(
            "yandex.cloud.compute.v1.CreateImageMetadata",
            &CreateImageMetadata {
                image_id: image.id.clone(),
            },
        )),
        ..Default::default()
    };
    let mut changes = Vec::with_capacity(3);
    if let (Some(key), Some(request)) = (&command.key, encoded) {
        changes.push(Change::AddKey {
            folder_id: folder.clone(),
            key: key.clone(),
            record: KeyRecord {
                request,
                operation_id: operation.id.clone(),
            },
        });
    }
    changes.push(Change::AddOperation(Box::new(OperationRecord {
        operation: operation.clone(),
        resource_id: image.id.clone(),
        folder_id: folder.clone(),
        work: Some(work),
    })));
    changes.push(Change::AddImage(Box::new(image)));
    Ok(Applied::new(operation, changes))
}

/// What a source holds, if the caller may see it.
fn source_facts(
    records: &impl Records,
    caller: Caller<'_>,
    source: &CreateSource<'_>,
) -> Result<SourceFacts, Refusal> {
    Ok(match *source {
        CreateSource::Image(id) => {
            let image = visible_image(records, caller, id)?;
            if image.status() != image::Status::Ready {
                return Err(Refusal::SourceNotReady {
                    image_id: id.to_owned(),
                });
            }
            SourceFacts {
                bytes: image.min_disk_size.max(image.storage_size),
                os: image.os,
                generation: image.hardware_generation,
            }
        }
        CreateSource::Disk(id) => {
            let disk = visible_disk(records, caller, id)?;
            SourceFacts {
                bytes: disk.size,
                os: None,
                generation: disk.hardware_generation.clone(),
            }
        }
        CreateSource::Snapshot(id) => {
            let snapshot = visible_snapshot(records, caller, id)?;
            SourceFacts {
                bytes: snapshot.disk_size,
                os: None,
                generation: snapshot.hardware_generation.clone(),
            }
        }
        // The size is known once the file is downloaded.
        CreateSource::Uri(_) => SourceFacts {
            bytes: 0,
            os: None,
            generation: None,
        },
    })
}

/// Changes the fields the mask names (no mask: every field the request sets) of a READY image
/// and records the finished Update operation. A new name must be free in the folder.
pub fn update(
    records: &impl Records,
    caller: Caller<'_>,
    command: &UpdateImage,
    now: Now,
) -> Result<Applied<Operation>, Refusal> {
    let r = &command.request;
    let mut image = visible_image(records, caller, &r.image_id)?;
    if image.status() == image::Status::Creating {
        return Err(Refusal::Creating { image_id: image.id });
    }
    let paths: Vec<(usize, &str)> = if command.paths.is_empty() {
        [
            (!r.name.is_empty()).then_some("name"),
            (!r.description.is_empty()).then_some("description"),
            (!r.labels.is_empty()).then_some("labels"),
            (r.min_disk_size != 0).then_some("min_disk_size"),
        ]
        .into_iter()
        .flatten()
        .enumerate()
        .collect()
    } else {
        command
            .paths
            .iter()
            .map(|(index, path)| (*index, path.as_str()))
            .collect()
    };
    for (index, path) in paths {
        match path {
            "name" => {
                if !r.name.is_empty()
                    && r.name != image.name
                    && records.image_named(&image.folder_id, &r.name)?.is_some()
                {
                    return Err(Refusal::NameTaken {
                        name: r.name.clone(),
                        folder: image.folder_id,
                    });
                }
                image.name = r.name.clone();
            }
            "description" => image.description = r.description.clone(),
            "labels" => image.labels = r.labels.clone(),
            "min_disk_size" => {
                check_min_disk_size(r.min_disk_size, image.storage_size)?;
                image.min_disk_size = r.min_disk_size;
            }
            other => {
                return Err(Refusal::NotUpdatable {
                    index,
                    path: other.to_owned(),
                });
            }
        }
    }
    let operation = finished(
        &command.operation_id,
        Action::UpdateImage.as_str(),
        &command.created_by,
        now,
        any(
            "yandex.cloud.compute.v1.UpdateImageMetadata",
            &UpdateImageMetadata {
                image_id: image.id.clone(),
            },
        ),
        any("yandex.cloud.compute.v1.Image", &image),
    );
    let changes = vec![
        Change::AddOperation(Box::new(OperationRecord {
            operation: operation.clone(),
            resource_id: image.id.clone(),
            folder_id: image.folder_id.clone(),
            work: None,
        })),
        Change::ReplaceImage(Box::new(image)),
    ];
    Ok(Applied::new(operation, changes))
}

/// Deletes an image that is not being created, and records the finished Delete operation.
pub fn delete(
    records: &impl Records,
    caller: Caller<'_>,
    image_id: &str,
    operation_id: &str,
    created_by: &str,
    now: Now,
) -> Result<Applied<Operation>, Refusal> {
    let image = visible_image(records, caller, image_id)?;
    if image.status() == image::Status::Creating {
        return Err(Refusal::Creating { image_id: image.id });
    }
    let operation = finished(
        operation_id,
        Action::DeleteImage.as_str(),
        created_by,
        now,
        any(
            "yandex.cloud.compute.v1.DeleteImageMetadata",
            &DeleteImageMetadata {
                image_id: image.id.clone(),
            },
        ),
        any("google.protobuf.Empty", &()),
    );
    let changes = vec![
        Change::RemoveImage {
            id: image.id.clone(),
            folder_id: image.folder_id.clone(),
        },
        Change::AddOperation(Box::new(OperationRecord {
            operation: operation.clone(),
            resource_id: image.id,
            folder_id: image.folder_id,
            work: None,
        })),
    ];
    Ok(Applied::new(operation, changes))
}

/// An operation done at `now` with `response`.
fn finished(
    id: &str,
    description: &str,
    created_by: &str,
    now: Now,
    metadata: prost_types::Any,
    response: prost_types::Any,
) -> Operation {
    Operation {
        id: id.to_owned(),
        description: description.to_owned(),
        created_at: Some(now.timestamp),
        created_by: created_by.to_owned(),
        modified_at: Some(now.timestamp),
        done: true,
        metadata: Some(metadata),
        result: Some(operation::Result::Response(response)),
    }
}

/// `type.googleapis.com/` + a message's full name, as in `Operation.metadata` and `response`.
pub fn any<M: Message>(full_name: &str, message: &M) -> prost_types::Any {
    prost_types::Any {
        type_url: ["type.googleapis.com/", full_name].concat(),
        value: message.encode_to_vec(),
    }
}
