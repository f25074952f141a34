//! Long-running operations. A Create stores its image and operation and hands the copy to the
//! store's thread ([`crate::copier`]); a URI import first downloads and recognises its file in a
//! task of its own, then hands the copy over the same way. Cancel is one store call (it ends the
//! operation, stops the copy and removes the image) that also stops an import's download.
//! Not-done imports found in the store at start-up (after a crash) download again; copies go on
//! by themselves.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use kiln_core::proto::{
    google::rpc,
    yandex::cloud::{
        compute::v1::{CreateImageMetadata, Image},
        operation::Operation,
    },
};
use prost::Message;
use tokio::sync::Notify;

use crate::{
    copier::Work,
    import,
    messages::{any, new_id, now},
    store::{CreateLimits, Refusal, Store, StoreError},
};

/// The store plus the imports in flight.
#[derive(Clone)]
pub struct Engine {
    /// The SQLite store (it runs the copies too).
    pub store: Store,
    /// Where imported image files are kept.
    files: std::path::PathBuf,
    limits: import::Limits,
    /// Imports downloading, by operation ID: notified to stop.
    imports: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

impl Engine {
    /// An engine over `store`, keeping imported files in `files`.
    pub fn new(store: Store, files: std::path::PathBuf, limits: import::Limits) -> Engine {
        Engine {
            store,
            files,
            limits,
            imports: Arc::default(),
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
        let image_id = image.id.clone();
        if let Err(refusal) = self
            .store
            .start_create(image, operation.clone(), work.encode(), key, limits)
            .await?
        {
            return Ok(Err(refusal));
        }
        if let Work::Import { uri, min_disk_size } = work {
            self.spawn_import(operation.id.clone(), image_id, uri, min_disk_size);
        }
        Ok(Ok(operation))
    }

    /// Resumes the imports the store has not finished (after a restart): they download again.
    /// Operations whose work is unknown end with an error.
    pub async fn resume(&self) -> Result<(), StoreError> {
        for (operation, stored) in self.store.unfinished().await? {
            let image_id = operation
                .metadata
                .as_ref()
                .and_then(|m| CreateImageMetadata::decode(m.value.as_slice()).ok())
                .map(|m| m.image_id)
                .unwrap_or_default();
            let failure = match Work::decode(&stored) {
                // The store's thread runs copies.
                Some(Work::Copy { .. }) => continue,
                Some(Work::Import { uri, min_disk_size }) => {
                    if self.store.image(&image_id).await?.is_some() {
                        self.spawn_import(operation.id, image_id, uri, min_disk_size);
                        continue;
                    }
                    "the image being created is gone"
                }
                None => "the operation's work is not known to this version",
            };
            self.store
                .end_with_error(&operation.id, rpc::Code::Internal, failure)
                .await?;
        }
        Ok(())
    }

    /// Downloads and recognises the file of an import in a task, then hands its copy to the
    /// store; a failure ends the operation with its error.
    fn spawn_import(&self, operation_id: String, image_id: String, uri: String, min: i64) {
        let stop = Arc::new(Notify::new());
        self.imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(operation_id.clone(), stop.clone());
        let engine = self.clone();
        tokio::spawn(async move {
            let outcome = tokio::select! {
                outcome = engine.import(&operation_id, &image_id, &uri, min) => outcome,
                // Cancelled: the store has ended the operation and removed the image.
                () = stop.notified() => Ok(false),
            };
            let handed_over = match outcome {
                Ok(handed_over) => handed_over,
                Err((code, message)) => {
                    let ended = engine.store.end_with_error(&operation_id, code, &message);
                    if let Err(e) = ended.await {
                        eprintln!("kiln serve: ending operation {operation_id} failed: {e}");
                    }
                    false
                }
            };
            if !handed_over {
                engine.remove_file(&image_id).await;
            }
            engine
                .imports
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&operation_id);
        });
    }

    /// Downloads the file of an import and checks it; whether its copy was handed to the store
    /// (`false`: the operation was cancelled meanwhile), or the error the operation ends with.
    async fn import(
        &self,
        operation_id: &str,
        image_id: &str,
        uri: &str,
        min_disk_size: i64,
    ) -> Result<bool, (rpc::Code, String)> {
        let internal = |e: &dyn std::fmt::Display| (rpc::Code::Internal, e.to_string());
        tokio::fs::create_dir_all(&self.files)
            .await
            .map_err(|e| internal(&e))?;
        let dest = self.files.join(format!("{image_id}.img"));
        let found = import::fetch(uri, &dest, &self.limits)
            .await
            .map_err(|message| {
                (
                    rpc::Code::InvalidArgument,
                    format!("cannot import {}: {message}", import::source_label(uri)),
                )
            })?;
        let virtual_size = found.virtual_size as i64;
        if min_disk_size != 0 && min_disk_size < virtual_size {
            return Err((
                rpc::Code::InvalidArgument,
                format!("Minimal disk size should be greater or equal than {virtual_size}"),
            ));
        }
        let min_disk_size = if min_disk_size == 0 {
            virtual_size.max(4 << 20)
        } else {
            min_disk_size
        };
        // The copy into the image store is paced like the others.
        self.store
            .begin_copy(operation_id, min_disk_size, found.file_size as i64)
            .await
            .map_err(|e| internal(&e))
    }

    /// Removes the imported file of an image, if any.
    pub async fn remove_file(&self, image_id: &str) {
        let _ = tokio::fs::remove_file(self.files.join(format!("{image_id}.img"))).await;
    }

    /// Cancels an operation that is not done yet (its copy or download stops and its image is
    /// removed); the operation as it is then, a finished one unchanged; `None` if there is none.
    pub async fn cancel(&self, operation_id: &str) -> Result<Option<Operation>, StoreError> {
        let ended =
            self.store
                .end_with_error(operation_id, rpc::Code::Cancelled, "operation cancelled");
        let Some((operation, cancelled)) = ended.await? else {
            return Ok(None);
        };
        if let Some(image_id) = cancelled {
            if let Some(stop) = self
                .imports
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(operation_id)
            {
                stop.notify_one();
            }
            self.remove_file(&image_id).await;
        }
        Ok(Some(operation))
    }
}
