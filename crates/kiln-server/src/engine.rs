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

use crate::{
    import,
    store::{CreateLimits, Refusal, Store, StoreError},
};

/// What a Create operation does in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Copy `bytes` from a disk, snapshot or image at the configured rate.
    Copy {
        /// Bytes of source data.
        bytes: i64,
    },
    /// Download and recognise an image file.
    Import {
        /// The URI.
        uri: String,
        /// The `min_disk_size` the request asked for (0 = the image's virtual size).
        min_disk_size: i64,
    },
}

impl Work {
    /// The stored form (the operations table's `request` column).
    fn encode(&self) -> Vec<u8> {
        match self {
            Work::Copy { bytes } => [&[0u8][..], &bytes.to_be_bytes()].concat(),
            Work::Import { uri, min_disk_size } => {
                [&[1u8][..], &min_disk_size.to_be_bytes(), uri.as_bytes()].concat()
            }
        }
    }

    fn decode(stored: &[u8]) -> Option<Work> {
        let number = |at: usize| {
            stored
                .get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
        };
        match stored.first()? {
            0 => Some(Work::Copy { bytes: number(1)? }),
            1 => Some(Work::Import {
                min_disk_size: number(1)?,
                uri: String::from_utf8(stored.get(9..)?.to_vec()).ok()?,
            }),
            _ => None,
        }
    }
}

/// The store plus the copies in flight.
#[derive(Clone)]
pub struct Engine {
    /// The SQLite store.
    pub store: Store,
    copy_rate: u64,
    /// Where imported image files are kept.
    files: std::path::PathBuf,
    limits: import::Limits,
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

/// A new resource ID in the API's style: a 3-character prefix and 17 lowercase letters/digits:
/// 11 of the time in microseconds (so IDs sort by creation and new rows land at the right edge of
/// the store's indexes instead of on a random page each) and 6 random ones.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros() as u64;
    let time = (0..11)
        .rev()
        .map(|i| ALPHABET[((micros >> (5 * i)) & 31) as usize]);
    let random = uuid::Uuid::new_v4().into_bytes();
    let random = random.iter().take(6).map(|b| ALPHABET[usize::from(b % 32)]);
    let tail: String = time.chain(random).map(char::from).collect();
    format!("{prefix}{tail}")
}

impl Engine {
    /// An engine over `store` copying at `copy_rate` bytes per second, keeping imported files
    /// in `files`.
    pub fn new(
        store: Store,
        copy_rate: u64,
        files: std::path::PathBuf,
        limits: import::Limits,
    ) -> Engine {
        Engine {
            store,
            copy_rate: copy_rate.max(1),
            files,
            limits,
            running: Arc::default(),
        }
    }

    /// Stores a new CREATING image with its Create operation and starts `work`, if the image's
    /// name is free and the folder's `limits` allow it. `key` is the idempotency key and the
    /// encoded request it came with.
    pub async fn start_create(
        &self,
        image: Image,
        work: Work,
        key: Option<(String, Vec<u8>)>,
        limits: CreateLimits,
    ) -> Result<Result<Operation, Refusal>, StoreError> {
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
        if let Err(refusal) = self
            .store
            .start_create(image.clone(), operation.clone(), work.encode(), key, limits)
            .await?
        {
            return Ok(Err(refusal));
        }
        self.spawn(operation.clone(), image, work);
        Ok(Ok(operation))
    }

    /// Resumes every operation the store has not finished (after a restart).
    pub async fn resume(&self) -> Result<(), StoreError> {
        for (operation, request) in self.store.unfinished().await? {
            let image_id = operation
                .metadata
                .as_ref()
                .and_then(|m| CreateImageMetadata::decode(m.value.as_slice()).ok())
                .map(|m| m.image_id)
                .unwrap_or_default();
            let work = Work::decode(&request).unwrap_or(Work::Copy { bytes: 0 });
            match self.store.image(&image_id).await? {
                Some(image) => self.spawn(operation, image, work),
                None => {
                    let failed = fail(
                        operation,
                        rpc::Code::Internal,
                        "the image being created is gone",
                    );
                    self.store.finish(failed, &image_id, None).await?;
                }
            }
        }
        Ok(())
    }

    fn spawn(&self, operation: Operation, image: Image, work: Work) {
        let cancel = Arc::new(Notify::new());
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(operation.id.clone(), cancel.clone());
        let engine = self.clone();
        tokio::spawn(async move {
            let image_id = image.id.clone();
            let outcome = tokio::select! {
                outcome = engine.work(&operation, &image, &work) => Some(outcome),
                () = cancel.notified() => None,
            };
            let result = match outcome {
                None => {
                    engine.remove_file(&image_id).await;
                    let done = fail(
                        operation.clone(),
                        rpc::Code::Cancelled,
                        "operation cancelled",
                    );
                    engine.store.finish(done, &image_id, None).await
                }
                Some(Err((code, message))) => {
                    engine.remove_file(&image_id).await;
                    let done = fail(operation.clone(), code, &message);
                    engine.store.finish(done, &image_id, None).await
                }
                Some(Ok(ready)) => {
                    let done = Operation {
                        done: true,
                        modified_at: Some(now()),
                        result: Some(operation::Result::Response(any(
                            "yandex.cloud.compute.v1.Image",
                            &ready,
                        ))),
                        ..operation.clone()
                    };
                    engine.store.finish(done, &image_id, Some(ready)).await
                }
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

    /// Does the work of a Create; the READY image, or the error the operation ends with.
    async fn work(
        &self,
        operation: &Operation,
        image: &Image,
        work: &Work,
    ) -> Result<Image, (rpc::Code, String)> {
        match work {
            Work::Copy { bytes } => {
                self.pace(operation, *bytes).await;
                Ok(Image {
                    status: image::Status::Ready as i32,
                    storage_size: *bytes,
                    size: *bytes,
                    ..image.clone()
                })
            }
            Work::Import { uri, min_disk_size } => {
                tokio::fs::create_dir_all(&self.files)
                    .await
                    .map_err(|e| (rpc::Code::Internal, e.to_string()))?;
                let dest = self.files.join(format!("{}.img", image.id));
                let found = import::fetch(uri, &dest, self.limits)
                    .await
                    .map_err(|message| {
                        (
                            rpc::Code::InvalidArgument,
                            format!("cannot import {uri}: {message}"),
                        )
                    })?;
                let virtual_size = found.virtual_size as i64;
                if *min_disk_size != 0 && *min_disk_size < virtual_size {
                    return Err((
                        rpc::Code::InvalidArgument,
                        format!("Minimal disk size should be greater or equal than {virtual_size}"),
                    ));
                }
                // The copy into the image store is paced like the others.
                self.pace(operation, found.file_size as i64).await;
                Ok(Image {
                    status: image::Status::Ready as i32,
                    storage_size: found.file_size as i64,
                    size: found.file_size as i64,
                    min_disk_size: if *min_disk_size == 0 {
                        virtual_size.max(4 << 20)
                    } else {
                        *min_disk_size
                    },
                    ..image.clone()
                })
            }
        }
    }

    /// Copies `bytes` at the configured rate, showing progress in the operation's description
    /// (`Create image: 42% (8.4 of 20.0 GiB)`) about four times a second.
    async fn pace(&self, operation: &Operation, bytes: i64) {
        let total = Duration::from_secs_f64(bytes.max(0) as f64 / self.copy_rate as f64);
        if total < Duration::from_millis(250) {
            // Too short for anyone to see progress: spare the store a write.
            tokio::time::sleep(total).await;
            return;
        }
        let start = tokio::time::Instant::now();
        loop {
            let elapsed = start.elapsed();
            if elapsed >= total {
                return;
            }
            let share = elapsed.as_secs_f64() / total.as_secs_f64();
            let gib = |b: f64| b / f64::from(1u32 << 30);
            let progress = Operation {
                description: format!(
                    "Create image: {}% ({:.1} of {:.1} GiB)",
                    (share * 100.0) as u32,
                    gib(share * bytes as f64),
                    gib(bytes as f64)
                ),
                modified_at: Some(now()),
                ..operation.clone()
            };
            if let Err(e) = self.store.progress(progress).await {
                eprintln!("kiln serve: progress of {}: {e}", operation.id);
            }
            tokio::time::sleep((total - elapsed).min(Duration::from_millis(250))).await;
        }
    }

    /// Removes the imported file of an image, if any.
    pub async fn remove_file(&self, image_id: &str) {
        let _ = tokio::fs::remove_file(self.files.join(format!("{image_id}.img"))).await;
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
