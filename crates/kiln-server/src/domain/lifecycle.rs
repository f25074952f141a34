//! The life of a Create's operation after it started: Cancel, an import failing or handing its
//! copy over, a copy's progress and its end. Of a Cancel and the end of a copy, whichever the
//! store runs first wins: each applies only to an operation not done.

use kiln_core::proto::{
    google::rpc::{self, Code},
    yandex::cloud::{
        compute::v1::{Image, image},
        operation::{Operation, operation},
    },
};

use kiln_core::progress::{Action, Progress};

use super::{
    Applied, Caller, Change, Now, OperationRecord, Records, Refusal, Work,
    images::{SMALLEST_DISK, any, check_min_disk_size},
    visible_operation,
};

/// What became of an import that handed its file over ([`begin_copy`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyStart {
    /// The copy runs.
    Started,
    /// The file breaks a rule: the operation ended with this error and the image is gone.
    Failed(String),
    /// The operation had ended already (cancelled while downloading).
    Gone,
}

/// Cancels an operation of the caller's folders that is not done: it ends CANCELLED and the
/// image it was creating is removed. A finished operation comes back unchanged. The reply: the
/// operation as it is then, and the removed image's ID.
pub fn cancel(
    records: &impl Records,
    caller: Caller<'_>,
    operation_id: &str,
    now: Now,
) -> Result<Applied<(Operation, Option<String>)>, Refusal> {
    let record = visible_operation(records, caller, operation_id)?;
    if record.operation.done {
        return Ok(Applied::new((record.operation, None), Vec::new()));
    }
    end(records, record, Code::Cancelled, "operation cancelled", now)
}

/// Ends an operation that is not done with an error (an import that failed, a restart that
/// cannot resume it): its image is removed. The reply: the removed image's ID, if it ended it.
pub fn end_with_error(
    records: &impl Records,
    operation_id: &str,
    code: Code,
    message: &str,
    now: Now,
) -> Result<Applied<Option<String>>, Refusal> {
    let Some(record) = records
        .operation(operation_id)?
        .filter(|r| !r.operation.done)
    else {
        return Ok(Applied::new(None, Vec::new()));
    };
    let ended = end(records, record, code, message, now)?;
    Ok(Applied::new(ended.reply.1, ended.changes))
}

/// An import downloaded a file of `virtual_size` bytes on disk in `file_bytes`: the image gets
/// its `min_disk_size` (the request's, which must cover the virtual size, or the virtual size)
/// and the operation's work becomes the copy of the file, from now.
pub fn begin_copy(
    records: &impl Records,
    operation_id: &str,
    virtual_size: i64,
    file_bytes: i64,
    now: Now,
) -> Result<Applied<CopyStart>, Refusal> {
    let Some(mut record) = records
        .operation(operation_id)?
        .filter(|r| !r.operation.done)
    else {
        return Ok(Applied::new(CopyStart::Gone, Vec::new()));
    };
    let Some(Work::Import { min_disk_size, .. }) = record.work else {
        return Err(Refusal::Storage(format!(
            "operation {operation_id} is not an import"
        )));
    };
    let Some(mut image) = records.image(&record.resource_id)? else {
        return Ok(Applied::new(CopyStart::Gone, Vec::new()));
    };
    if min_disk_size != 0
        && let Err(refusal) = check_min_disk_size(min_disk_size, virtual_size)
    {
        let message = refusal.to_string();
        let ended = end(records, record, refusal.code(), &message, now)?;
        return Ok(Applied::new(CopyStart::Failed(message), ended.changes));
    }
    image.min_disk_size = if min_disk_size == 0 {
        virtual_size.max(SMALLEST_DISK)
    } else {
        min_disk_size
    };
    record.work = Some(Work::Copy {
        bytes: file_bytes,
        since: Some(now.micros),
    });
    record.operation.modified_at = Some(now.timestamp);
    Ok(Applied::new(
        CopyStart::Started,
        vec![
            Change::ReplaceImage(Box::new(image)),
            Change::ReplaceOperation(Box::new(record)),
        ],
    ))
}

/// A running copy's progress: its operation's description becomes `description`.
pub fn progress(
    records: &impl Records,
    operation_id: &str,
    description: String,
    now: Now,
) -> Result<Applied<()>, Refusal> {
    let Some(mut record) = records
        .operation(operation_id)?
        .filter(|r| !r.operation.done)
    else {
        return Ok(Applied::new((), Vec::new()));
    };
    record.operation.description = description;
    record.operation.modified_at = Some(now.timestamp);
    Ok(Applied::new(
        (),
        vec![Change::ReplaceOperation(Box::new(record))],
    ))
}

/// A copy's time is up: the image is READY with the copied bytes, the operation done with the
/// image as its response.
pub fn finish_copy(
    records: &impl Records,
    operation_id: &str,
    now: Now,
) -> Result<Applied<()>, Refusal> {
    let Some(record) = records
        .operation(operation_id)?
        .filter(|r| !r.operation.done)
    else {
        return Ok(Applied::new((), Vec::new()));
    };
    let Some(Work::Copy { bytes, .. }) = record.work else {
        return Err(Refusal::Storage(format!(
            "operation {operation_id} has no copy"
        )));
    };
    let Some(image) = records.image(&record.resource_id)? else {
        let ended = end(
            records,
            record,
            Code::Internal,
            "the image being created is gone",
            now,
        )?;
        return Ok(Applied::new((), ended.changes));
    };
    let ready = Image {
        status: image::Status::Ready as i32,
        storage_size: bytes,
        size: bytes,
        ..image
    };
    let done = OperationRecord {
        operation: Operation {
            done: true,
            // The progress does not outlive the operation.
            description: Progress::Started(Action::CreateImage).describe(),
            modified_at: Some(now.timestamp),
            result: Some(operation::Result::Response(any(
                "yandex.cloud.compute.v1.Image",
                &ready,
            ))),
            ..record.operation
        },
        work: None,
        ..record
    };
    Ok(Applied::new(
        (),
        vec![
            Change::ReplaceImage(Box::new(ready)),
            Change::ReplaceOperation(Box::new(done)),
        ],
    ))
}

/// Ends a running operation with an error and removes the image it was creating.
fn end(
    records: &impl Records,
    record: OperationRecord,
    code: Code,
    message: &str,
    now: Now,
) -> Result<Applied<(Operation, Option<String>)>, Refusal> {
    let operation = Operation {
        done: true,
        description: Progress::Started(Action::CreateImage).describe(),
        modified_at: Some(now.timestamp),
        result: Some(operation::Result::Error(rpc::Status {
            code: code as i32,
            message: message.into(),
            details: Vec::new(),
        })),
        ..record.operation
    };
    let mut changes = Vec::with_capacity(2);
    let mut removed = None;
    if let Some(image) = records.image(&record.resource_id)?
        && image.status() == image::Status::Creating
    {
        changes.push(Change::RemoveImage {
            id: image.id.clone(),
            folder_id: image.folder_id,
        });
        removed = Some(image.id);
    }
    changes.insert(
        0,
        Change::ReplaceOperation(Box::new(OperationRecord {
            operation: operation.clone(),
            work: None,
            ..record
        })),
    );
    Ok(Applied::new((operation, removed), changes))
}
