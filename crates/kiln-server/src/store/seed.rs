//! The development data: `dev-folder` with disks, snapshots and an image of realistic sizes,
//! written once into a new database.

use kiln_core::proto::yandex::cloud::compute::v1::{
    Disk, HardwareGeneration, Image, LegacyHardwareFeatures, Os, PciTopology, Snapshot, disk,
    hardware_generation, image, os, snapshot,
};

/// The folder of the built-in development seed (the development token's folder).
pub const DEV_FOLDER: &str = "dev-folder";

const GIB: i64 = 1 << 30;

/// The seeded disks, snapshots and images.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seed {
    /// Disks.
    pub disks: Vec<Disk>,
    /// Snapshots.
    pub snapshots: Vec<Snapshot>,
    /// Images.
    pub images: Vec<Image>,
}

/// What a new database starts with.
pub fn development() -> Seed {
    let gen_1_2 = Some(HardwareGeneration {
        features: Some(hardware_generation::Features::LegacyFeatures(
            LegacyHardwareFeatures {
                pci_topology: PciTopology::V2 as i32,
            },
        )),
    });
    let created_at = Some(prost_types::Timestamp {
        seconds: 1_764_547_200,
        nanos: 0,
    });
    let disks = [
        ("fhm0dev0disk0ubuntu1", "ubuntu-boot", 20 * GIB),
        ("fhm0dev0disk0data001", "postgres-data", 100 * GIB),
        ("fhm0dev0disk0win0001", "windows-boot", 50 * GIB),
    ]
    .map(|(id, name, size)| Disk {
        id: id.into(),
        folder_id: DEV_FOLDER.into(),
        created_at,
        name: name.into(),
        type_id: "network-ssd".into(),
        zone_id: "ru-central1-a".into(),
        size,
        block_size: 4096,
        status: disk::Status::Ready as i32,
        hardware_generation: gen_1_2.clone(),
        ..Default::default()
    });
    let snapshots = [
        (
            "fd80dev0snap0ubuntu1",
            "ubuntu-boot-2026-11-01",
            "fhm0dev0disk0ubuntu1",
            20 * GIB,
            4 * GIB,
        ),
        (
            "fd80dev0snap0data001",
            "postgres-data-nightly",
            "fhm0dev0disk0data001",
            100 * GIB,
            37 * GIB,
        ),
    ]
    .map(
        |(id, name, source_disk_id, disk_size, storage_size)| Snapshot {
            id: id.into(),
            source_disk_id: source_disk_id.into(),
            folder_id: DEV_FOLDER.into(),
            created_at,
            name: name.into(),
            storage_size,
            disk_size,
            status: snapshot::Status::Ready as i32,
            hardware_generation: gen_1_2.clone(),
            ..Default::default()
        },
    );
    let image = Image {
        id: "fd80dev0image0ubuntu".into(),
        folder_id: DEV_FOLDER.into(),
        created_at,
        name: "ubuntu-2404-base".into(),
        description: "Ubuntu 24.04 LTS base image".into(),
        family: "ubuntu-2404".into(),
        storage_size: 3 * GIB,
        size: 3 * GIB,
        min_disk_size: 10 * GIB,
        status: image::Status::Ready as i32,
        os: Some(Os {
            r#type: os::Type::Linux as i32,
            nvidia: None,
        }),
        hardware_generation: gen_1_2,
        ..Default::default()
    };
    Seed {
        disks: disks.into(),
        snapshots: snapshots.into(),
        images: vec![image],
    }
}

/// The most disks, snapshots or images one seed file may hold: enough for a big folder (the
/// console's tests seed 3,000 images), still a bounded read.
pub const MOST_PER_KIND: usize = 10_000;

/// Why a seed file was refused: each names the record (`disks[1]`) and field it is about.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    NotJson(serde_json::Error),
    /// The JSON is not an object.
    #[error("the seed must be a JSON object with disks, snapshots and images")]
    NotAnObject,
    /// A top-level key the seed does not have.
    #[error("{key}: unknown key (a seed has folderId, disks, snapshots and images)")]
    UnknownKey {
        /// The key.
        key: String,
    },
    /// The file's `folderId` is not an ID.
    #[error("folderId: must be 1 to 50 characters of a-z, 0-9, - and _, got {got}")]
    FolderId {
        /// The value, as JSON.
        got: String,
    },
    /// More than [`MOST_PER_KIND`] records of one kind.
    #[error("{kind}: at most {MOST_PER_KIND} records, got {count}")]
    TooMany {
        /// `disks`, `snapshots` or `images`.
        kind: &'static str,
        /// How many the file has.
        count: usize,
    },
    /// `disks`, `snapshots` or `images` is not a list.
    #[error("{kind}: must be a list")]
    NotAList {
        /// `disks`, `snapshots` or `images`.
        kind: &'static str,
    },
    /// A record is not a JSON object.
    #[error("{record}: must be a JSON object")]
    NotARecord {
        /// The record, `disks[1]`.
        record: String,
    },
    /// A record is not the proto3 JSON of its message.
    #[error("{record}: {error}")]
    Decode {
        /// The record, `disks[1]`.
        record: String,
        /// What the proto3 JSON reader says.
        error: kiln_core::reflect::JsonError,
    },
    /// A record's `id` is not an ID.
    #[error("{record}.id: must be 1 to 50 characters of a-z, 0-9, - and _, got {id:?}")]
    Id {
        /// The record, `disks[1]`.
        record: String,
        /// The ID.
        id: String,
    },
    /// Two records have one `id`.
    #[error("{record}.id: {id} is used twice in the seed")]
    IdTwice {
        /// The second record, `disks[1]`.
        record: String,
        /// The ID.
        id: String,
    },
    /// A record's `folderId` is not the seed's.
    #[error("{record}.folderId: the seed is for folder {folder}, got {got:?}")]
    OtherFolder {
        /// The record, `disks[1]`.
        record: String,
        /// The seed's folder.
        folder: String,
        /// The record's.
        got: String,
    },
    /// A record's `name` breaks the API's rule for names.
    #[error("{record}.name: {message}, got {name:?}")]
    Name {
        /// The record, `disks[1]`.
        record: String,
        /// The rule's message.
        message: String,
        /// The name.
        name: String,
    },
    /// A record's size is outside the API's disk sizes.
    #[error("{record}.{field}: must be between {SMALLEST} and {LARGEST} bytes, got {bytes}")]
    Size {
        /// The record, `disks[1]`.
        record: String,
        /// `size`, `diskSize` or `minDiskSize`.
        field: &'static str,
        /// The size given.
        bytes: i64,
    },
    /// A snapshot's `sourceDiskId` names no disk of the seed.
    #[error("{record}.sourceDiskId: {disk_id} is not a disk of the seed")]
    SourceDisk {
        /// The record, `snapshots[1]`.
        record: String,
        /// The disk ID.
        disk_id: String,
    },
    /// An image's `status` is set and not READY.
    #[error("{record}.status: a seeded image is READY, got {status}")]
    NotReady {
        /// The record, `images[1]`.
        record: String,
        /// The status's name.
        status: &'static str,
    },
}

/// A seed file (`kiln serve --seed FILE`): a folder's disks, snapshots and images in proto3
/// JSON, the shapes `yc compute disk list --format json` and the API's List answers use:
///
/// ```json
/// {"folderId": "team-folder",
///  "disks": [{"id": "fhm1team0disk0base01", "name": "base", "size": "21474836480"}],
///  "snapshots": [{"id": "fd81team0snap0base1", "sourceDiskId": "fhm1team0disk0base01",
///                 "diskSize": "21474836480", "storageSize": "4294967296"}],
///  "images": [{"id": "fd81team0image0base", "name": "base", "minDiskSize": "21474836480"}]}
/// ```
///
/// `folderId` defaults to `dev-folder`, and each record's `folderId` to the file's (another is
/// an error). Each record needs an `id` (1–50 characters of `[a-z0-9]`, unique among the file's
/// records), a `name` matching the API's name pattern if it has one, and a size (`size` of a
/// disk, `diskSize` of a snapshot, `minDiskSize` of an image) of at least 4 MiB and at most
/// 4 TiB. A snapshot's `sourceDiskId`, when given, names a disk of the file. Unset statuses are
/// READY, an unset `createdAt` is the seed's time, unset hardware generations are Gen 1.1.
/// Errors ([`SeedError`]) name the record and field:
/// `disks[1].size: must be between 4194304 and 4398046511104 bytes, got 0`.
pub fn from_json(text: &str) -> Result<Seed, SeedError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(SeedError::NotJson)?;
    let serde_json::Value::Object(top) = value else {
        return Err(SeedError::NotAnObject);
    };
    for key in top.keys() {
        if !["folderId", "folder_id", "disks", "snapshots", "images"].contains(&key.as_str()) {
            return Err(SeedError::UnknownKey { key: key.clone() });
        }
    }
    let folder = match top.get("folderId").or_else(|| top.get("folder_id")) {
        None => DEV_FOLDER.to_owned(),
        Some(serde_json::Value::String(f)) if valid_id(f) => f.clone(),
        Some(other) => {
            return Err(SeedError::FolderId {
                got: other.to_string(),
            });
        }
    };
    let list = |kind: &'static str| -> Result<Vec<(String, String)>, SeedError> {
        match top.get(kind) {
            None => Ok(Vec::new()),
            Some(serde_json::Value::Array(items)) if items.len() > MOST_PER_KIND => {
                Err(SeedError::TooMany {
                    kind,
                    count: items.len(),
                })
            }
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    serde_json::Value::Object(_) => Ok((format!("{kind}[{i}]"), item.to_string())),
                    _ => Err(SeedError::NotARecord {
                        record: format!("{kind}[{i}]"),
                    }),
                })
                .collect(),
            Some(_) => Err(SeedError::NotAList { kind }),
        }
    };
    let created_at = Some(prost_types::Timestamp {
        seconds: 1_764_547_200,
        nanos: 0,
    });
    let mut ids = std::collections::BTreeSet::new();
    let mut check_common =
        |at: &str, id: &str, folder_id: &str, name: &str| -> Result<(), SeedError> {
            let record = || at.to_owned();
            if !valid_id(id) {
                return Err(SeedError::Id {
                    record: record(),
                    id: id.to_owned(),
                });
            }
            if !ids.insert(id.to_owned()) {
                return Err(SeedError::IdTwice {
                    record: record(),
                    id: id.to_owned(),
                });
            }
            if folder_id != folder {
                return Err(SeedError::OtherFolder {
                    record: record(),
                    folder: folder.clone(),
                    got: folder_id.to_owned(),
                });
            }
            if let Some(message) = name_violation(name) {
                return Err(SeedError::Name {
                    record: record(),
                    message,
                    name: name.to_owned(),
                });
            }
            Ok(())
        };
    let size = |at: &str, field: &'static str, bytes: i64| -> Result<(), SeedError> {
        if !(SMALLEST..=LARGEST).contains(&bytes) {
            return Err(SeedError::Size {
                record: at.to_owned(),
                field,
                bytes,
            });
        }
        Ok(())
    };
    let decode_error = |at: &str, error: kiln_core::reflect::JsonError| SeedError::Decode {
        record: at.to_owned(),
        error,
    };
    let mut seed = Seed::default();
    for (at, json) in list("disks")? {
        let mut disk: Disk =
            kiln_core::reflect::from_json(&json).map_err(|e| decode_error(&at, e))?;
        fill(&mut disk.folder_id, &folder);
        check_common(&at, &disk.id, &disk.folder_id, &disk.name)?;
        size(&at, "size", disk.size)?;
        if disk.status == 0 {
            disk.status = disk::Status::Ready as i32;
        }
        if disk.created_at.is_none() {
            disk.created_at = created_at;
        }
        if disk.hardware_generation.is_none() {
            disk.hardware_generation = gen_1_1();
        }
        if disk.block_size == 0 {
            disk.block_size = 4096;
        }
        seed.disks.push(disk);
    }
    for (at, json) in list("snapshots")? {
        let mut snapshot: Snapshot =
            kiln_core::reflect::from_json(&json).map_err(|e| decode_error(&at, e))?;
        fill(&mut snapshot.folder_id, &folder);
        check_common(&at, &snapshot.id, &snapshot.folder_id, &snapshot.name)?;
        size(&at, "diskSize", snapshot.disk_size)?;
        if !snapshot.source_disk_id.is_empty()
            && !seed.disks.iter().any(|d| d.id == snapshot.source_disk_id)
        {
            return Err(SeedError::SourceDisk {
                record: at,
                disk_id: snapshot.source_disk_id,
            });
        }
        if snapshot.storage_size == 0 {
            snapshot.storage_size = snapshot.disk_size;
        }
        if snapshot.status == 0 {
            snapshot.status = snapshot::Status::Ready as i32;
        }
        if snapshot.created_at.is_none() {
            snapshot.created_at = created_at;
        }
        if snapshot.hardware_generation.is_none() {
            snapshot.hardware_generation = gen_1_1();
        }
        seed.snapshots.push(snapshot);
    }
    for (at, json) in list("images")? {
        let mut image: Image =
            kiln_core::reflect::from_json(&json).map_err(|e| decode_error(&at, e))?;
        fill(&mut image.folder_id, &folder);
        check_common(&at, &image.id, &image.folder_id, &image.name)?;
        size(&at, "minDiskSize", image.min_disk_size)?;
        match image.status() {
            image::Status::Unspecified => image.status = image::Status::Ready as i32,
            image::Status::Ready => {}
            other => {
                return Err(SeedError::NotReady {
                    record: at,
                    status: other.as_str_name(),
                });
            }
        }
        if image.storage_size == 0 {
            image.storage_size = image.min_disk_size;
        }
        if image.size == 0 {
            image.size = image.storage_size;
        }
        if image.created_at.is_none() {
            image.created_at = created_at;
        }
        if image.os.is_none() {
            image.os = Some(Os {
                r#type: os::Type::Linux as i32,
                nvidia: None,
            });
        }
        if image.hardware_generation.is_none() {
            image.hardware_generation = gen_1_1();
        }
        seed.images.push(image);
    }
    Ok(seed)
}

/// The folder of the seed.
pub fn folder(seed: &Seed) -> Option<&str> {
    seed.disks
        .first()
        .map(|d| d.folder_id.as_str())
        .or_else(|| seed.snapshots.first().map(|s| s.folder_id.as_str()))
        .or_else(|| seed.images.first().map(|i| i.folder_id.as_str()))
}

/// The API's smallest and largest disk sizes (its `min_disk_size` bounds).
const SMALLEST: i64 = *kiln_core::bounds::MIN_DISK_SIZE.start();
const LARGEST: i64 = *kiln_core::bounds::MIN_DISK_SIZE.end();

fn fill(field: &mut String, value: &str) {
    if field.is_empty() {
        *field = value.to_owned();
    }
}

fn gen_1_1() -> Option<HardwareGeneration> {
    Some(HardwareGeneration {
        features: Some(hardware_generation::Features::LegacyFeatures(
            LegacyHardwareFeatures {
                pci_topology: PciTopology::V1 as i32,
            },
        )),
    })
}

/// An ID or folder ID: 1–50 characters of lowercase letters, digits, `-` and `_`.
fn valid_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// What the API's rule for an image name (the core crate's, from the annotations) says of
/// `name`, if it breaks it.
fn name_violation(name: &str) -> Option<String> {
    let request = serde_json::json!({"folderId": "f", "name": name, "imageId": "i"});
    match kiln_core::validate::validate_json("yandex.cloud.compute.v1.CreateImageRequest", &request)
    {
        kiln_core::validate::Outcome::Invalid { violations } => violations
            .into_iter()
            .find(|v| v.field == "name")
            .map(|v| v.message),
        _ => None,
    }
}
