//! Long-running operations: a Create copies its source in the background at the configured
//! rate, then makes the image READY and the operation done with the image as its response; a
//! Cancel stops the copy, removes the half-made image and ends the operation with CANCELLED.
//! Completion and cancellation each finish the operation in one transaction that only applies
//! to a not-done operation, so whichever comes first wins. Not-done operations found in the
//! store at start-up (after a crash) are resumed.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use kiln_core::proto::{
    google::rpc,
    yandex::cloud::{
        compute::v1::{CreateImageMetadata, Image, image},
        operation::{Operation, operation},
    },
};
use prost::Message;
use tokio::sync::Notify;

use crate::store::{Store, StoreError};

/// The store plus the copies in flight.
#[derive(Clone)]
pub struct Engine {
    /// The SQLite store.
    pub store: Store,
    copy_rate: u64,
    running: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

/// `type.googleapis.com/` + a message's full name, as in `Operation.metadata` and `response`.
pub fn any<M: Message>(full_name: &str, message: &M) -> prost_types::Any {
    prost_types::Any {
        type_url: format!("type.googleapis.com/{full_name}"),
        value: message.encode_to_vec(),
    }
}

/// Now, as a protobuf timestamp.
pub fn now() -> prost_types::Timestamp {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

/// A new resource ID in the API's style: a 3-character prefix and 17 lowercase letters/digits.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuv0123456789";
    let (a, b) = (
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    );
    let tail: String = a
        .iter()
        .chain(&b)
        .take(17)
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("{prefix}{tail}")
}

impl Engine {
    /// An engine over `store` copying at `copy_rate` bytes per second.
    pub fn new(store: Store, copy_rate: u64) -> Engine {
        Engine {
            store,
            copy_rate: copy_rate.max(1),
            running: Arc::default(),
        }
    }

    /// Stores a new CREATING image with its Create operation and starts copying `bytes`.
    /// `key` is the idempotency key and the encoded request it came with.
    pub fn start_create(
        &self,
        image: Image,
        bytes: i64,
        key: Option<(&str, &[u8])>,
    ) -> Result<Operation, StoreError> {
        let operation = Operation {
            id: new_id("fd8"),
            description: "Create image".into(),
            created_at: Some(now()),
            modified_at: Some(now()),
            done: false,
            metadata: Some(any(
                "yandex.cloud.compute.v1.CreateImageMetadata",
                &CreateImageMetadata {
                    image_id: image.id.clone(),
                },
            )),
            ..Default::default()
        };
        self.store
            .start_create(&image, &operation, &bytes.to_be_bytes(), key)?;
        self.spawn_copy(operation.clone(), image, bytes);
        Ok(operation)
    }

    /// Resumes every operation the store has not finished (after a restart).
    pub fn resume(&self) -> Result<(), StoreError> {
        for (operation, request) in self.store.unfinished()? {
            let image_id = operation
                .metadata
                .as_ref()
                .and_then(|m| CreateImageMetadata::decode(m.value.as_slice()).ok())
                .map(|m| m.image_id)
                .unwrap_or_default();
            let bytes = request.try_into().map(i64::from_be_bytes).unwrap_or(0);
            match self.store.image(&image_id)? {
                Some(image) => self.spawn_copy(operation, image, bytes),
                None => {
                    let failed = fail(
                        operation,
                        rpc::Code::Internal,
                        "the image being created is gone",
                    );
                    self.store.finish(&failed, &image_id, None)?;
                }
            }
        }
        Ok(())
    }

    fn spawn_copy(&self, operation: Operation, image: Image, bytes: i64) {
        let cancel = Arc::new(Notify::new());
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(operation.id.clone(), cancel.clone());
        let engine = self.clone();
        let duration = Duration::from_secs_f64(bytes.max(0) as f64 / self.copy_rate as f64);
        tokio::spawn(async move {
            let image_id = image.id.clone();
            let cancelled = tokio::select! {
                () = tokio::time::sleep(duration) => false,
                () = cancel.notified() => true,
            };
            let result = if cancelled {
                let done = fail(
                    operation.clone(),
                    rpc::Code::Cancelled,
                    "operation cancelled",
                );
                engine.store.finish(&done, &image_id, None)
            } else {
                let ready = Image {
                    status: image::Status::Ready as i32,
                    storage_size: bytes,
                    size: bytes,
                    ..image
                };
                let done = Operation {
                    done: true,
                    modified_at: Some(now()),
                    result: Some(operation::Result::Response(any(
                        "yandex.cloud.compute.v1.Image",
                        &ready,
                    ))),
                    ..operation.clone()
                };
                engine.store.finish(&done, &image_id, Some(&ready))
            };
            if let Err(e) = result {
                eprintln!(
                    "kiln serve: finishing operation {} failed: {e}",
                    operation.id
                );
            }
            engine
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&operation.id);
        });
    }

    /// Asks a running operation to stop; `false` when nothing is running under that ID.
    pub fn cancel(&self, operation_id: &str) -> bool {
        match self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(operation_id)
        {
            Some(notify) => {
                notify.notify_one();
                true
            }
            None => false,
        }
    }
}

/// `operation` ended with an error.
pub fn fail(operation: Operation, code: rpc::Code, message: &str) -> Operation {
    Operation {
        done: true,
        modified_at: Some(now()),
        result: Some(operation::Result::Error(rpc::Status {
            code: code as i32,
            message: message.into(),
            details: Vec::new(),
        })),
        ..operation
    }
}
