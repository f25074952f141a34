//! Why a command was refused: each rule's words, and the gRPC code it answers with.

use kiln_core::proto::google::rpc::Code;

/// A rule that did not hold (no change was made), or a store that could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such resource the caller may see (also when it exists in another folder).
    NotFound {
        /// `image`, `operation`, `disk` or `snapshot`.
        kind: &'static str,
        /// The ID asked for.
        id: String,
    },
    /// The caller may not use the folder it named.
    PermissionDenied {
        /// The folder.
        folder: String,
    },
    /// Another image of the folder has the name.
    NameTaken {
        /// The name.
        name: String,
        /// The folder.
        folder: String,
    },
    /// An idempotency key came again with a different request.
    KeyReused {
        /// The key.
        key: String,
    },
    /// The folder runs as many operations as it may.
    RunningOperations {
        /// The quota.
        limit: i64,
    },
    /// The folder has as many images as it may.
    Images {
        /// The quota.
        limit: i64,
    },
    /// The image is still being created.
    Creating {
        /// Its ID.
        image_id: String,
    },
    /// A source image is not READY.
    SourceNotReady {
        /// Its ID.
        image_id: String,
    },
    /// `min_disk_size` is below what the image holds.
    MinDiskSize {
        /// The least allowed, bytes.
        needed: i64,
    },
    /// An `update_mask` path that names no field Update may change.
    NotUpdatable {
        /// The path's index in `update_mask.paths`.
        index: usize,
        /// The path.
        path: String,
    },
    /// A Create names no source.
    NoSource,
    /// A stored record is not what the service wrote, or the store failed.
    Storage(String),
}

impl Refusal {
    /// The gRPC code this refusal answers with.
    pub fn code(&self) -> Code {
        match self {
            Refusal::NotFound { .. } => Code::NotFound,
            Refusal::PermissionDenied { .. } => Code::PermissionDenied,
            Refusal::NameTaken { .. } => Code::AlreadyExists,
            Refusal::KeyReused { .. } | Refusal::MinDiskSize { .. } => Code::InvalidArgument,
            Refusal::NotUpdatable { .. } | Refusal::NoSource => Code::InvalidArgument,
            Refusal::RunningOperations { .. } | Refusal::Images { .. } => Code::ResourceExhausted,
            Refusal::Creating { .. } | Refusal::SourceNotReady { .. } => Code::FailedPrecondition,
            Refusal::Storage(_) => Code::Internal,
        }
    }

    /// The request field the refusal is about, for a `BadRequest` violation.
    pub fn field(&self) -> Option<String> {
        match self {
            Refusal::MinDiskSize { .. } => Some("min_disk_size".into()),
            Refusal::NoSource => Some("source".into()),
            Refusal::NotUpdatable { index, .. } => Some(format!("update_mask.paths[{index}]")),
            _ => None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotFound { kind, id } => write!(f, "{kind} {id} not found"),
            Refusal::PermissionDenied { folder } => {
                write!(f, "permission denied for folder {folder}")
            }
            Refusal::NameTaken { name, folder } => {
                write!(
                    f,
                    "image with name {name} already exists in folder {folder}"
                )
            }
            Refusal::KeyReused { key } => write!(
                f,
                "idempotency key {key} was already used with a different request"
            ),
            Refusal::RunningOperations { limit } => write!(
                f,
                "quota exceeded: at most {limit} operations may run at once in a folder"
            ),
            Refusal::Images { limit } => {
                write!(f, "quota exceeded: at most {limit} images per folder")
            }
            Refusal::Creating { image_id } => write!(f, "image {image_id} is being created"),
            Refusal::SourceNotReady { image_id } => write!(f, "image {image_id} is not ready"),
            Refusal::MinDiskSize { needed } => write!(
                f,
                "Minimal disk size should be greater or equal than {needed}"
            ),
            Refusal::NotUpdatable { path, .. } => {
                write!(f, "update_mask: field {path:?} cannot be updated")
            }
            Refusal::NoSource => write!(f, "source is required"),
            Refusal::Storage(message) => write!(f, "store: {message}"),
        }
    }
}
