//! The service's rules: every command that changes the service's state (Create, Update, Delete,
//! Cancel, an import failing or handing over its copy, a copy's progress and end) as plain
//! synchronous Rust, with no SQLite, tokio or tonic in it.
//!
//! A command reads what it needs through [`Records`] (and [`Lookup`]), checks its rules and, when they hold,
//! returns its reply and the [`Change`]s to write ([`Applied`]); when one does not, a
//! [`Refusal`] and no change. The store runs each command and writes its changes in one step
//! on its one thread, inside one transaction, so no interleaving of requests can break a rule
//! between its check and its write (two renames to one name, an Update of an image being
//! deleted, a quota's last place).
//!
//! Who may touch what is a rule too: a resource belongs to its folder, an operation to the
//! folder of its resource, and a caller ([`Caller`]) sees only its folders. A resource of
//! another folder answers exactly as one that does not exist.

pub mod ids;
mod images;
mod lifecycle;
mod refusal;
mod work;

#[cfg(test)]
mod tests;

use kiln_core::proto::yandex::cloud::{
    compute::v1::{Disk, Image, Snapshot},
    operation::Operation,
};

pub use images::{CreateImage, Limits, UpdateImage, create, delete, update};
pub use lifecycle::{CopyStart, begin_copy, cancel, end_with_error, finish_copy, progress};
pub use refusal::Refusal;
pub use work::Work;

/// Who a caller is (one token's grant): the folders it may use, and its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The folders it may use.
    pub folders: Vec<String>,
    /// Its subject, as the real API names it in `Operation.created_by`.
    pub subject: String,
}

impl Grant {
    /// The caller a command checks.
    pub fn caller(&self) -> Caller<'_> {
        Caller {
            folders: &self.folders,
        }
    }
}

/// The folders a caller may use.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The caller's folders.
    pub folders: &'a [String],
}

impl Caller<'_> {
    /// Whether the caller may use `folder`.
    pub fn may_use(&self, folder: &str) -> bool {
        self.folders.iter().any(|f| f == folder)
    }
}

/// One reading of the clock, for everything a command stamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Now {
    /// As a protobuf timestamp.
    pub timestamp: prost_types::Timestamp,
    /// Microseconds since the Unix epoch.
    pub micros: i64,
}

/// An operation with what the service keeps beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRecord {
    /// The operation as clients see it.
    pub operation: Operation,
    /// The ID of the image it is about.
    pub resource_id: String,
    /// The folder of that image: the operation belongs to it.
    pub folder_id: String,
    /// What a Create does in the background (`None` for the others).
    pub work: Option<Work>,
}

/// A Create's idempotency key, as stored: the request it came with and the operation it
/// started. Keys are per folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The encoded request.
    pub request: Vec<u8>,
    /// The operation it started.
    pub operation_id: String,
}

/// A write a command asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Store a new image.
    AddImage(Box<Image>),
    /// Replace the stored image with this one's ID.
    ReplaceImage(Box<Image>),
    /// Remove the image with this ID.
    RemoveImage {
        /// Its ID.
        id: String,
        /// Its folder.
        folder_id: String,
    },
    /// Store a new operation.
    AddOperation(Box<OperationRecord>),
    /// Replace the stored operation with this one's ID, which is not done.
    ReplaceOperation(Box<OperationRecord>),
    /// Remove every image, operation and idempotency key, and store these images (the seed's):
    /// what a running operation was doing stops.
    Reset {
        /// The seed's images.
        images: Vec<Image>,
    },
    /// Store an idempotency key of a folder.
    AddKey {
        /// The folder.
        folder_id: String,
        /// The key as the client sent it.
        key: String,
        /// What it maps to.
        record: KeyRecord,
    },
}

/// What a command that passed its checks answers and writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied<R> {
    /// The answer.
    pub reply: R,
    /// The writes, in order.
    pub changes: Vec<Change>,
}

impl<R> Applied<R> {
    /// A reply and its writes.
    pub fn new(reply: R, changes: Vec<Change>) -> Applied<R> {
        Applied { reply, changes }
    }
}

/// Back to the seeded state (development mode's admin reset): every image, operation and
/// idempotency key goes, running operations included, and the seed's images come back.
pub fn reset_to_seed(images: Vec<Image>) -> Applied<()> {
    Applied::new((), vec![Change::Reset { images }])
}

/// The look-ups by ID: what a Get reads, and the visibility rules below.
pub trait Lookup {
    /// An image by ID.
    fn image(&self, id: &str) -> Result<Option<Image>, Refusal>;
    /// An operation by ID.
    fn operation(&self, id: &str) -> Result<Option<OperationRecord>, Refusal>;
    /// A disk by ID.
    fn disk(&self, id: &str) -> Result<Option<Disk>, Refusal>;
    /// A snapshot by ID.
    fn snapshot(&self, id: &str) -> Result<Option<Snapshot>, Refusal>;
}

/// What commands read besides: names, keys, and the counts quotas check. The store answers
/// from the transaction the command runs in.
pub trait Records: Lookup {
    /// The ID of the image of `folder` named `name`.
    fn image_named(&self, folder: &str, name: &str) -> Result<Option<String>, Refusal>;
    /// A Create idempotency key of `folder`.
    fn key(&self, folder: &str, key: &str) -> Result<Option<KeyRecord>, Refusal>;
    /// Images in `folder`.
    fn images_in(&self, folder: &str) -> i64;
    /// Operations of `folder` not done.
    fn running_in(&self, folder: &str) -> i64;
}

/// The image `id` if the caller may see it: [`Refusal::NotFound`] alike whether it does not
/// exist or belongs to another folder.
pub fn visible_image(
    records: &impl Lookup,
    caller: Caller<'_>,
    id: &str,
) -> Result<Image, Refusal> {
    let found = records.image(id)?;
    visible("image", id, found.filter(|i| caller.may_use(&i.folder_id)))
}

/// The operation `id` if the caller may see it (it belongs to the folder of its image).
pub fn visible_operation(
    records: &impl Lookup,
    caller: Caller<'_>,
    id: &str,
) -> Result<OperationRecord, Refusal> {
    let found = records.operation(id)?;
    visible(
        "operation",
        id,
        found.filter(|o| caller.may_use(&o.folder_id)),
    )
}

/// The disk `id` if the caller may see it (as [`visible_image`]).
pub fn visible_disk(records: &impl Lookup, caller: Caller<'_>, id: &str) -> Result<Disk, Refusal> {
    visible(
        "disk",
        id,
        records.disk(id)?.filter(|d| caller.may_use(&d.folder_id)),
    )
}

/// The snapshot `id` if the caller may see it (as [`visible_image`]).
pub fn visible_snapshot(
    records: &impl Lookup,
    caller: Caller<'_>,
    id: &str,
) -> Result<Snapshot, Refusal> {
    let found = records.snapshot(id)?;
    visible(
        "snapshot",
        id,
        found.filter(|s| caller.may_use(&s.folder_id)),
    )
}

/// `found`, or [`Refusal::NotFound`] of `kind` `id`.
fn visible<M>(kind: &'static str, id: &str, found: Option<M>) -> Result<M, Refusal> {
    found.ok_or_else(|| Refusal::NotFound {
        kind,
        id: id.to_owned(),
    })
}

/// A by-folder request (List, Create into a folder): [`Refusal::PermissionDenied`] unless the
/// caller may use `folder`.
pub fn folder_allowed(caller: Caller<'_>, folder: &str) -> Result<(), Refusal> {
    if caller.may_use(folder) {
        Ok(())
    } else {
        Err(Refusal::PermissionDenied {
            folder: folder.to_owned(),
        })
    }
}
