//! Long-running operations around the domain's commands: a Create is one command (its copy is
//! then run by the store's thread); a URI import first downloads and
//! recognises its file in a task of its own, then hands the copy over ([`domain::begin_copy`]).
//! Cancel is one command (it ends the operation, stops the copy and removes the image) that
//! also stops an import's download. Not-done imports found at start-up (after a crash)
//! download again; copies go on by themselves.

pub mod import;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use kiln_core::progress::Progress;
use kiln_core::proto::{
    google::rpc::Code,
    yandex::cloud::{
        compute::v1::{
            CreateImageRequest, Image, UpdateImageRequest, create_image_request::Source,
        },
        operation::Operation,
    },
};
use tokio::sync::Notify;

use crate::domain::{
    self, CopyStart, CreateImage, Grant, Limits, Refusal, UpdateImage, Work,
    ids::{clock, new_id},
};
use crate::store::Store;
pub use crate::store::{After, ImageOrder, OrderColumn, Reader, SourceTable, seed::DEV_FOLDER};

/// The store plus the imports in flight: the only way to change the service's state.
#[derive(Clone)]
pub struct Engine {
    /// The store (it runs the commands and the copies); private: every change is a method here.
    store: Store,
    /// Where imported image files are kept.
    files: std::path::PathBuf,
    limits: import::Limits,
    /// The folders' quotas a Create is checked against.
    quotas: Limits,
    /// Imports downloading, by operation ID: notified to stop.
    imports: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

impl Engine {
    /// An engine over `store`, keeping imported files in `files`, with the folders' `quotas`.
    pub fn new(
        store: Store,
        files: std::path::PathBuf,
        limits: import::Limits,
        quotas: Limits,
    ) -> Engine {
        Engine {
            store,
            files,
            limits,
            quotas,
            imports: Arc::default(),
        }
    }

    /// Runs `f` on a read connection: what is committed, at once (Get and List).
    pub fn read<T>(&self, f: impl FnOnce(&Reader<'_>) -> Result<T, Refusal>) -> Result<T, Refusal> {
        self.store.read(f)
    }

    /// Runs a Create of `grant`'s caller (a new image and operation IDs, the folder's quotas);
    /// a new URI import starts downloading. (An import runs in a task of its own: a client that
    /// goes away after the command committed must not keep its download from starting. Nothing
    /// follows the other Creates' commit.)
    pub async fn create(
        &self,
        grant: Arc<Grant>,
        request: CreateImageRequest,
        key: Option<String>,
    ) -> Result<Operation, Refusal> {
        let command = CreateImage {
            request,
            key,
            image_id: new_id("fd8"),
            operation_id: new_id("fd8"),
            limits: self.quotas,
            created_by: grant.subject.clone(),
        };
        if !matches!(command.request.source, Some(Source::Uri(_))) {
            return self.create_now(grant, command).await;
        }
        let engine = self.clone();
        detached(async move { engine.create_now(grant, command).await }).await
    }

    async fn create_now(
        &self,
        grant: Arc<Grant>,
        command: CreateImage,
    ) -> Result<Operation, Refusal> {
        let uri = match &command.request.source {
            Some(Source::Uri(uri)) => Some(uri.clone()),
            _ => None,
        };
        let (image_id, operation_id) = (command.image_id.clone(), command.operation_id.clone());
        let operation = self
            .store
            .apply(move |w| domain::create(w, grant.caller(), &command, clock()))
            .await?;
        // A repeated idempotency key answers with the operation it started: nothing new runs.
        if let Some(uri) = uri
            && operation.id == operation_id
        {
            self.spawn_import(operation_id, image_id, uri);
        }
        Ok(operation)
    }

    /// Resumes the imports not finished (after a restart): they download again. Operations
    /// whose work this version cannot read end with an error.
    pub async fn resume(&self) -> Result<(), Refusal> {
        let unfinished = self
            .store
            .read(|r| r.unfinished().map_err(|e| Refusal::Storage(e.to_string())))?;
        for record in unfinished {
            match record.work {
                // The store's thread runs copies.
                Some(Work::Copy { .. }) => {}
                Some(Work::Import { uri, .. }) => {
                    self.spawn_import(record.operation.id, record.resource_id, uri);
                }
                None => {
                    self.end_with_error(
                        &record.operation.id,
                        Code::Internal,
                        "the operation's work is not known to this version".into(),
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn end_with_error(
        &self,
        operation_id: &str,
        code: Code,
        message: String,
    ) -> Result<Option<String>, Refusal> {
        let id = operation_id.to_owned();
        self.store
            .apply(move |w| domain::end_with_error(w, &id, code, &message, clock()))
            .await
    }

    /// Downloads and recognises the file of an import in a task, then hands its copy to the
    /// store; a failure ends the operation with its error.
    fn spawn_import(&self, operation_id: String, image_id: String, uri: String) {
        let stop = Arc::new(Notify::new());
        self.imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(operation_id.clone(), stop.clone());
        let engine = self.clone();
        tokio::spawn(async move {
            let outcome = tokio::select! {
                outcome = engine.import(&operation_id, &image_id, &uri) => outcome,
                // Cancelled: the operation has ended and the image is gone.
                () = stop.notified() => Ok(false),
            };
            let handed_over = match outcome {
                Ok(handed_over) => handed_over,
                Err((code, message)) => {
                    if let Err(e) = engine.end_with_error(&operation_id, code, message).await {
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
    /// (`false`: the operation ended meanwhile, or the file broke a rule and ended it), or the
    /// error the operation ends with.
    async fn import(
        &self,
        operation_id: &str,
        image_id: &str,
        uri: &str,
    ) -> Result<bool, (Code, String)> {
        let internal = |e: &dyn std::fmt::Display| (Code::Internal, e.to_string());
        tokio::fs::create_dir_all(&self.files)
            .await
            .map_err(|e| internal(&e))?;
        let dest = self.files.join(format!("{image_id}.img"));
        let (received, watch) = tokio::sync::watch::channel((0, None));
        let reporter = tokio::spawn(report_download(
            self.store.clone(),
            operation_id.to_owned(),
            watch,
        ));
        let fetched = import::fetch(uri, &dest, &self.limits, &received).await;
        // The reporter stops before the copy takes the description over (a write it queued
        // runs first: the store runs commands in order).
        drop(received);
        reporter.abort();
        let _ = reporter.await;
        let found = fetched.map_err(|message| {
            (
                Code::InvalidArgument,
                format!("cannot import {}: {message}", import::source_label(uri)),
            )
        })?;
        let sizes = (
            i64::try_from(found.virtual_size),
            i64::try_from(found.file_size),
        );
        let (Ok(virtual_size), Ok(file_bytes)) = sizes else {
            return Err((
                Code::InvalidArgument,
                "cannot import the image: its size is out of range".into(),
            ));
        };
        let id = operation_id.to_owned();
        let started = self
            .store
            .apply(move |w| domain::begin_copy(w, &id, virtual_size, file_bytes, clock()))
            .await
            .map_err(|e| internal(&e))?;
        Ok(started == CopyStart::Started)
    }

    /// Removes the imported file of an image, if any.
    pub async fn remove_file(&self, image_id: &str) {
        let _ = tokio::fs::remove_file(self.files.join(format!("{image_id}.img"))).await;
    }

    /// Runs an Update of `grant`'s caller: the fields `paths` name (each with its index in
    /// the request's mask, in the proto spelling).
    pub async fn update(
        &self,
        grant: Arc<Grant>,
        request: UpdateImageRequest,
        paths: Vec<(usize, String)>,
    ) -> Result<Operation, Refusal> {
        let command = UpdateImage {
            request,
            paths,
            operation_id: new_id("fd8"),
            created_by: grant.subject.clone(),
        };
        self.store
            .apply(move |w| domain::update(w, grant.caller(), &command, clock()))
            .await
    }

    /// Deletes an image of `grant`'s caller and its imported file, if any (in a task of its
    /// own, so the file goes even when the client does not wait).
    pub async fn delete(&self, grant: Arc<Grant>, image_id: String) -> Result<Operation, Refusal> {
        let engine = self.clone();
        let operation_id = new_id("fd8");
        detached(async move {
            let deleted = image_id.clone();
            let operation = engine
                .store
                .apply(move |w| {
                    let (caller, by) = (grant.caller(), &grant.subject);
                    domain::delete(w, caller, &deleted, &operation_id, by, clock())
                })
                .await?;
            engine.remove_file(&image_id).await;
            Ok(operation)
        })
        .await
    }

    /// Back to the seeded state with `images` (the admin reset): every image, operation and
    /// key goes, running copies and downloads stop, downloaded files are removed.
    pub async fn reset_to_seed(&self, images: Vec<Image>) -> Result<(), Refusal> {
        self.store
            .apply(move |_| Ok(domain::reset_to_seed(images.clone())))
            .await?;
        let stops: Vec<Arc<Notify>> = self
            .imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for stop in stops {
            stop.notify_one();
        }
        if let Ok(mut files) = tokio::fs::read_dir(&self.files).await {
            while let Ok(Some(file)) = files.next_entry().await {
                let _ = tokio::fs::remove_file(file.path()).await;
            }
        }
        Ok(())
    }

    /// Cancels an operation of `grant`'s caller that is not done yet (its copy or download
    /// stops and its image is removed); the operation as it is then, a finished one unchanged.
    /// (In a task of its own, like [`Engine::delete`].)
    pub async fn cancel(
        &self,
        grant: Arc<Grant>,
        operation_id: String,
    ) -> Result<Operation, Refusal> {
        let engine = self.clone();
        detached(async move { engine.cancel_now(grant, operation_id).await }).await
    }

    async fn cancel_now(
        &self,
        grant: Arc<Grant>,
        operation_id: String,
    ) -> Result<Operation, Refusal> {
        let id = operation_id.clone();
        let (operation, removed) = self
            .store
            .apply(move |w| domain::cancel(w, grant.caller(), &id, clock()))
            .await?;
        if let Some(image_id) = removed {
            if let Some(stop) = self
                .imports
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&operation_id)
            {
                stop.notify_one();
            }
            self.remove_file(&image_id).await;
        }
        Ok(operation)
    }
}

/// Writes a download's progress into its operation's description (`Create image: downloading
/// 1.5 of 20 GiB`), at most every [`DOWNLOAD_PROGRESS_EVERY`], until the download ends (its
/// sender is dropped).
async fn report_download(
    store: Store,
    operation_id: String,
    mut received: tokio::sync::watch::Receiver<(u64, Option<u64>)>,
) {
    while received.changed().await.is_ok() {
        let (bytes, size) = *received.borrow_and_update();
        let description = Progress::Downloading { bytes, size }.describe();
        let id = operation_id.clone();
        let written = store
            .apply(move |w| domain::progress(w, &id, description.clone(), clock()))
            .await;
        if written.is_err() {
            return;
        }
        tokio::time::sleep(DOWNLOAD_PROGRESS_EVERY).await;
    }
}

/// How often a download's progress is written, at most.
const DOWNLOAD_PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs `work` in a task of its own and waits for it: dropping the wait (a client gone, a
/// deadline) does not stop the work, so what follows a committed command always happens.
async fn detached<T: Send + 'static>(
    work: impl Future<Output = Result<T, Refusal>> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::spawn(work)
        .await
        .unwrap_or_else(|e| Err(Refusal::Storage(format!("the command's task failed: {e}"))))
}
