//! The SQLite store in the data folder. Every image, operation and idempotency key is one row
//! of `records`: its encoded protobuf message (the wire form) under an integer key. The store's
//! thread also holds all of them in memory with the look-ups the service needs (by ID, by folder
//! and name, by resource, the quotas' counts), rebuilt from `records` at open: reads are answered
//! from memory, and a write changes memory and writes its row in the same call. Measured against
//! the previous design (two tables, four indexes and counting triggers) in
//! `crates/kiln-server/BENCHMARKS.md`: a Create costs a fraction of the SQLite work.
//!
//! One thread owns the connection and the state and runs the store's calls (group commit): it
//! takes every call waiting, runs them in one transaction, commits once, and only then answers
//! them. When a call fails, its group is rolled back, the state is read again from the database,
//! and each call of the group runs again in a transaction of its own, so a failing call leaves
//! no trace and does not disturb the others. A crash leaves each call's change either whole or
//! absent, an answer is never sent for a change that is not committed, and no async worker thread
//! ever blocks on SQLite.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use foldhash::HashMap;
use kiln_core::proto::{
    google::rpc,
    yandex::cloud::{
        compute::v1::{
            Disk, HardwareGeneration, Image, LegacyHardwareFeatures, Os, PciTopology, Snapshot,
            disk, hardware_generation, image, os, snapshot,
        },
        operation::{Operation, operation},
    },
};
use prost::Message;
use rusqlite::{Connection, params};

use crate::{
    auth::DEV_FOLDER,
    copier::{Copies, Step, Work},
    messages::{encoded_any, fail, now, now_micros},
};

/// A handle on the store's thread.
#[derive(Clone)]
pub struct Store {
    calls: Arc<mpsc::Sender<Box<dyn Call>>>,
    sources: Arc<SeedSources>,
}

/// The disks and snapshots (seed data the service never changes): read from the database once
/// at open, then served from memory. Each table: ID → (folder, encoded message).
struct SeedSources {
    disks: BTreeMap<String, (String, Vec<u8>)>,
    snapshots: BTreeMap<String, (String, Vec<u8>)>,
}

/// A table of [`SeedSources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTable {
    /// `disks`.
    Disks,
    /// `snapshots`.
    Snapshots,
}

/// A call run on the store's thread.
trait Call: Send {
    /// Runs the call in the open transaction (again, alone, if another call of its group failed);
    /// whether it succeeded.
    fn run(&mut self, connection: &Connection, state: &mut State) -> bool;
    /// Sends the result of the last run, or `error` when its transaction did not commit.
    fn answer(self: Box<Self>, error: Option<&StoreError>);
}

/// A call and where its result goes.
struct Pending<F, T> {
    f: F,
    result: Option<Result<T, StoreError>>,
    send: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> Call for Pending<F, T>
where
    F: FnMut(&Connection, &mut State) -> Result<T, StoreError> + Send,
    T: Send,
{
    fn run(&mut self, connection: &Connection, state: &mut State) -> bool {
        let result = (self.f)(connection, state);
        let succeeded = result.is_ok();
        self.result = Some(result);
        succeeded
    }

    fn answer(self: Box<Self>, error: Option<&StoreError>) {
        let result = match (self.result, error) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(_)), Some(e)) => Err(failure(format!("commit failed: {e}"))),
            (Some(Ok(value)), None) => Ok(value),
            (None, Some(e)) => Err(failure(format!("cannot begin a transaction: {e}"))),
            (None, None) => Err(failure("the call was not run".into())),
        };
        let _ = self.send.send(result);
    }
}

/// Calls run in one transaction at most (more wait for the next one).
const MOST_PER_TRANSACTION: usize = 256;
/// Why a Create was refused by the checks that run with its insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its idempotency key has started an operation already (a concurrent Create with the same
    /// key got there first): the request that came with the key, and the operation.
    KeyUsed {
        /// The encoded request stored with the key.
        request: Vec<u8>,
        /// The operation it started.
        operation_id: String,
    },
    /// Another image in the folder has the name.
    NameTaken,
    /// The folder has as many operations running as it may.
    RunningOperations,
    /// The folder has as many images as it may.
    Images,
}

/// The limits a Create is checked against, with its insert.
#[derive(Debug, Clone, Copy)]
pub struct CreateLimits {
    /// Operations running at once in the folder.
    pub running_operations: i64,
    /// Images in the folder.
    pub images: i64,
}

/// A sortable column of images (`order_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderColumn {
    /// `id` (the default).
    Id,
    /// `name`.
    Name,
    /// `createdAt`.
    CreatedAt,
}

/// How List orders images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageOrder {
    /// The column.
    pub column: OrderColumn,
    /// `desc`.
    pub descending: bool,
}

/// A store failure.
pub type StoreError = rusqlite::Error;

/// `records.kind` of an image (`body`: the Image).
const IMAGE: i64 = 1;
/// `records.kind` of an operation (`body`: the Operation; `ref`: its resource's ID; `extra`: the
/// work of a Create, to resume it after a restart).
const OPERATION: i64 = 2;
/// `records.kind` of an idempotency key (`ref`: the method, a space and the key; `body`: the
/// encoded request it came with; `extra`: the ID of the operation it started).
const KEY: i64 = 3;

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS records (
        seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, ref TEXT, body BLOB NOT NULL, extra BLOB);
    CREATE TABLE IF NOT EXISTS disks (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
";

/// Moves a database of the previous design (tables `images`, `operations` and `idempotency`,
/// with counting triggers) into `records`, once.
const MIGRATE: &str = "
    BEGIN;
    INSERT INTO records (kind, ref, body, extra)
        SELECT 1, NULL, body, NULL FROM images ORDER BY created_at, id;
    INSERT INTO records (kind, ref, body, extra)
        SELECT 2, resource_id, body, request FROM operations ORDER BY rowid;
    INSERT INTO records (kind, ref, body, extra)
        SELECT 3, method || ' ' || key, request, CAST(operation_id AS BLOB) FROM idempotency;
    DROP TABLE images;
    DROP TABLE operations;
    DROP TABLE idempotency;
    DROP TABLE IF EXISTS folder_images;
    DROP TABLE IF EXISTS folder_running;
    COMMIT;
";

/// A stored operation.
struct StoredOperation {
    seq: i64,
    resource_id: String,
    operation: Operation,
    work: Option<Vec<u8>>,
}

/// Everything in `records`, in memory, with the look-ups the service needs, and the copies
/// running. Only the store's thread touches it, inside the transaction of the call that changes
/// it.
struct State {
    /// The key of the next new row.
    next_seq: i64,
    /// Images by ID, with their row. (Boxed, like operations: a growing map moves its entries,
    /// and an image is several hundred bytes.)
    images: HashMap<String, (i64, Box<Image>)>,
    /// Image IDs of each folder, in ID order.
    folders: HashMap<String, BTreeSet<String>>,
    /// The image of each (folder, name), for images with a name.
    names: HashMap<String, HashMap<String, String>>,
    /// Operations by ID.
    operations: HashMap<String, Box<StoredOperation>>,
    /// Operation IDs of each resource by row (the order they started; a page token is a row).
    of_resource: HashMap<String, Vec<(i64, String)>>,
    /// Operations not done, per folder of their image.
    running: HashMap<String, i64>,
    /// (method, idempotency key) → (encoded request, operation ID).
    keys: HashMap<(String, String), (Vec<u8>, String)>,
    /// The copies of running operations.
    copies: Copies,
}

impl State {
    /// Reads every record; copies run at `copy_rate` bytes per second.
    fn load(c: &Connection, copy_rate: u64) -> Result<State, StoreError> {
        let mut state = State {
            next_seq: 0,
            images: HashMap::default(),
            folders: HashMap::default(),
            names: HashMap::default(),
            operations: HashMap::default(),
            of_resource: HashMap::default(),
            running: HashMap::default(),
            keys: HashMap::default(),
            copies: Copies::new(copy_rate),
        };
        let mut statement =
            c.prepare("SELECT seq, kind, ref, body, extra FROM records ORDER BY seq")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let body: Vec<u8> = row.get(3)?;
            state.next_seq = seq + 1;
            match row.get::<_, i64>(1)? {
                IMAGE => {
                    let image = Image::decode(body.as_slice()).map_err(undecodable)?;
                    state.insert_image(seq, image);
                }
                OPERATION => {
                    let operation = Operation::decode(body.as_slice()).map_err(undecodable)?;
                    let resource_id: Option<String> = row.get(2)?;
                    state.insert_operation(StoredOperation {
                        seq,
                        resource_id: resource_id.unwrap_or_default(),
                        operation,
                        work: row.get(4)?,
                    });
                }
                KEY => {
                    let reference: Option<String> = row.get(2)?;
                    let reference = reference.unwrap_or_default();
                    let (method, key) = reference.split_once(' ').unwrap_or(("", &reference));
                    let operation_id: Option<Vec<u8>> = row.get(4)?;
                    let operation_id =
                        String::from_utf8(operation_id.unwrap_or_default()).unwrap_or_default();
                    state
                        .keys
                        .insert((method.to_owned(), key.to_owned()), (body, operation_id));
                }
                _ => {}
            }
        }
        Ok(state)
    }

    /// A new row's key.
    fn new_seq(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Puts an image into memory (replacing the one with its ID).
    fn insert_image(&mut self, seq: i64, image: Image) {
        // A change that keeps the folder and name (a copy's end, an update of other fields)
        // leaves the look-ups as they are.
        if let Some((_, old)) = self.images.get_mut(&image.id)
            && old.folder_id == image.folder_id
            && old.name == image.name
        {
            **old = image;
            return;
        }
        self.remove_image(&image.id);
        self.folders
            .entry(image.folder_id.clone())
            .or_default()
            .insert(image.id.clone());
        if !image.name.is_empty() {
            self.names
                .entry(image.folder_id.clone())
                .or_default()
                .insert(image.name.clone(), image.id.clone());
        }
        self.images.insert(image.id.clone(), (seq, Box::new(image)));
    }

    /// Takes an image out of memory; its row, if it had one.
    fn remove_image(&mut self, id: &str) -> Option<i64> {
        let (seq, old) = self.images.remove(id)?;
        if let Some(ids) = self.folders.get_mut(&old.folder_id) {
            ids.remove(id);
        }
        if let Some(names) = self.names.get_mut(&old.folder_id)
            && names.get(&old.name).is_some_and(|i| i == id)
        {
            names.remove(&old.name);
        }
        Some(seq)
    }

    /// Whether an image in `folder` has this name.
    fn name_taken(&self, folder: &str, name: &str) -> bool {
        self.names
            .get(folder)
            .is_some_and(|names| names.contains_key(name))
    }

    /// Puts an operation into memory (replacing the one with its ID), counting it as running in
    /// its image's folder while it is not done, and running its copy if that is its work.
    fn insert_operation(&mut self, stored: StoredOperation) {
        let id = stored.operation.id.clone();
        if let Some(old) = self.operations.remove(&id) {
            self.count_running(&old.resource_id, !old.operation.done, -1);
            self.copies.stop(&id);
        }
        self.count_running(&stored.resource_id, !stored.operation.done, 1);
        if !stored.operation.done
            && let Some(Work::Copy { bytes, since }) = stored.work.as_deref().and_then(Work::decode)
        {
            self.copies.start(&id, &stored.resource_id, bytes, since);
        }
        // In row order: new rows come last.
        let of_resource = self
            .of_resource
            .entry(stored.resource_id.clone())
            .or_default();
        let at = of_resource.partition_point(|&(seq, _)| seq < stored.seq);
        of_resource.insert(at, (stored.seq, id.clone()));
        self.operations.insert(id, Box::new(stored));
    }

    fn count_running(&mut self, resource_id: &str, running: bool, change: i64) {
        if !running {
            return;
        }
        let Some(folder) = self.images.get(resource_id).map(|(_, i)| &i.folder_id) else {
            return;
        };
        match self.running.get_mut(folder) {
            Some(count) => *count += change,
            None => {
                self.running.insert(folder.clone(), change);
            }
        }
    }
}

/// A stored message that does not decode: the database was changed by something else.
fn undecodable(e: prost::DecodeError) -> StoreError {
    failure(format!("a stored record does not decode: {e}"))
}

/// Writes a new row of `records`.
fn insert(
    c: &Connection,
    seq: i64,
    kind: i64,
    reference: Option<&str>,
    body: &[u8],
    extra: Option<&[u8]>,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO records (seq, kind, ref, body, extra) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq, kind, reference, body, extra])
    .map(drop)
}

/// Rewrites the body of a row of `records`.
fn rewrite(c: &Connection, seq: i64, body: &[u8]) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE records SET body = ?2 WHERE seq = ?1")?
        .execute(params![seq, body])
        .map(drop)
}

/// Stores an image (new, or replacing the one with its ID); `body` is it encoded.
fn put_image(
    c: &Connection,
    state: &mut State,
    image: Image,
    body: &[u8],
) -> Result<(), StoreError> {
    let seq = match state.images.get(&image.id) {
        Some(&(seq, _)) => {
            rewrite(c, seq, body)?;
            seq
        }
        None => {
            let seq = state.new_seq();
            insert(c, seq, IMAGE, None, body, None)?;
            seq
        }
    };
    state.insert_image(seq, image);
    Ok(())
}

/// Deletes an image, if there is one with this ID.
fn delete_image(c: &Connection, state: &mut State, id: &str) -> Result<(), StoreError> {
    if let Some(seq) = state.remove_image(id) {
        c.prepare_cached("DELETE FROM records WHERE seq = ?1")?
            .execute([seq])?;
    }
    Ok(())
}

/// Stores a new operation on `resource_id` (with the work of a Create, if any).
fn put_operation(
    c: &Connection,
    state: &mut State,
    operation: Operation,
    body: &[u8],
    resource_id: &str,
    work: Option<Vec<u8>>,
) -> Result<(), StoreError> {
    if state.operations.contains_key(&operation.id) {
        return Err(failure(format!("operation {} exists", operation.id)));
    }
    let seq = state.new_seq();
    insert(c, seq, OPERATION, Some(resource_id), body, work.as_deref())?;
    state.insert_operation(StoredOperation {
        seq,
        resource_id: resource_id.to_owned(),
        operation,
        work,
    });
    Ok(())
}

/// Replaces a stored operation that is not done yet; `false` when there is none.
fn replace_running(
    c: &Connection,
    state: &mut State,
    operation: Operation,
    body: &[u8],
) -> Result<bool, StoreError> {
    let Some(stored) = state
        .operations
        .get_mut(&operation.id)
        .filter(|o| !o.operation.done)
    else {
        return Ok(false);
    };
    rewrite(c, stored.seq, body)?;
    // Changed in place: its row, resource and work stay; only the running count may change.
    let ended = operation
        .done
        .then(|| (stored.resource_id.clone(), operation.id.clone()));
    stored.operation = operation;
    if let Some((resource_id, id)) = ended {
        state.count_running(&resource_id, true, -1);
        state.copies.stop(&id);
    }
    Ok(true)
}

impl Store {
    /// Opens (or creates and seeds) the database at `path`; copies run at `copy_rate` bytes per
    /// second.
    pub fn open(path: &Path, copy_rate: u64) -> Result<Store, StoreError> {
        let mut connection = Connection::open(path)?;
        connection.execute_batch(SCHEMA)?;
        let previous: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images')",
            [],
            |r| r.get(0),
        )?;
        if previous {
            connection.execute_batch(MIGRATE)?;
        }
        // Checkpoints (the only fsyncs in WAL mode with synchronous = NORMAL) run on a thread of
        // their own with its own connection, so no call waits for one.
        connection.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        connection.set_prepared_statement_cache_capacity(64);
        seed(&mut connection)?;
        let read = |table: &str| -> Result<BTreeMap<String, (String, Vec<u8>)>, StoreError> {
            let mut statement =
                connection.prepare(&format!("SELECT id, folder_id, body FROM {table}"))?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
            rows.collect()
        };
        let sources = SeedSources {
            disks: read("disks")?,
            snapshots: read("snapshots")?,
        };
        let state = State::load(&connection, copy_rate)?;
        let (sender, calls) = mpsc::channel();
        let store = Store {
            calls: Arc::new(sender),
            sources: Arc::new(sources),
        };
        std::thread::Builder::new()
            .name("kiln-store".into())
            .spawn(move || run_calls(&connection, state, &calls))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        checkpointer(path, Arc::downgrade(&store.calls))?;
        Ok(store)
    }

    /// Runs `f` on the store's thread, inside the transaction of its group; its result comes
    /// back once that transaction is committed.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnMut(&Connection, &mut State) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (send, receive) = tokio::sync::oneshot::channel();
        let call = Box::new(Pending {
            f,
            result: None,
            send,
        });
        let gone = || failure("the store has stopped".into());
        self.calls.send(call).map_err(|_| gone())?;
        receive.await.map_err(|_| gone())?
    }

    /// An image by ID.
    pub async fn image(&self, id: &str) -> Result<Option<Image>, StoreError> {
        let id = id.to_owned();
        self.with(move |_, s| Ok(s.images.get(&id).map(|(_, i)| Image::clone(i))))
            .await
    }

    /// Images of a folder (with this name, if given) in `order`, from `offset`, at most `limit`.
    pub async fn images(
        &self,
        folder: &str,
        name: Option<&str>,
        order: ImageOrder,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Image>, StoreError> {
        let (folder, name) = (folder.to_owned(), name.map(str::to_owned));
        self.with(move |_, s| {
            let mut found: Vec<&Image> = s
                .folders
                .get(&folder)
                .into_iter()
                .flatten()
                .filter_map(|id| s.images.get(id).map(|(_, i)| &**i))
                .filter(|i| name.as_ref().is_none_or(|n| &i.name == n))
                .collect();
            // As `ORDER BY column, id` (each in the same direction).
            let ascending = |a: &&Image, b: &&Image| match order.column {
                OrderColumn::Id => a.id.cmp(&b.id),
                OrderColumn::Name => a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)),
                OrderColumn::CreatedAt => created_key(a)
                    .cmp(&created_key(b))
                    .then_with(|| a.id.cmp(&b.id)),
            };
            found.sort_by(|a, b| {
                if order.descending {
                    ascending(b, a)
                } else {
                    ascending(a, b)
                }
            });
            let page = found.get(offset..).unwrap_or_default();
            Ok(page.iter().take(limit).map(|&i| i.clone()).collect())
        })
        .await
    }

    /// The newest READY image of a family in a folder.
    pub async fn latest_by_family(
        &self,
        folder: &str,
        family: &str,
    ) -> Result<Option<Image>, StoreError> {
        let (folder, family) = (folder.to_owned(), family.to_owned());
        self.with(move |_, s| {
            Ok(s.folders
                .get(&folder)
                .into_iter()
                .flatten()
                .filter_map(|id| s.images.get(id).map(|(_, i)| &**i))
                .filter(|i| i.family == family && i.status() == image::Status::Ready)
                .max_by(|a, b| created_key(a).cmp(&created_key(b)).then(a.id.cmp(&b.id)))
                .cloned())
        })
        .await
    }

    /// Whether another image in `folder` has this name.
    pub async fn name_taken(&self, folder: &str, name: &str) -> Result<bool, StoreError> {
        let (folder, name) = (folder.to_owned(), name.to_owned());
        self.with(move |_, s| Ok(s.name_taken(&folder, &name)))
            .await
    }

    /// A disk by ID.
    pub fn disk(&self, id: &str) -> Option<Disk> {
        let (_, body) = self.sources.disks.get(id)?;
        Some(Disk::decode(body.as_slice()).expect("stored disk decodes"))
    }

    /// A snapshot by ID.
    pub fn snapshot(&self, id: &str) -> Option<Snapshot> {
        let (_, body) = self.sources.snapshots.get(id)?;
        Some(Snapshot::decode(body.as_slice()).expect("stored snapshot decodes"))
    }

    /// Disks or snapshots of a folder, encoded, by ID, after `after`, at most `limit`.
    pub fn sources(
        &self,
        table: SourceTable,
        folder: &str,
        after: &str,
        limit: usize,
    ) -> Vec<Vec<u8>> {
        let table = match table {
            SourceTable::Disks => &self.sources.disks,
            SourceTable::Snapshots => &self.sources.snapshots,
        };
        table
            .range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            .filter(|(_, (f, _))| f == folder)
            .take(limit)
            .map(|(_, (_, body))| body.clone())
            .collect()
    }

    /// The operation an idempotency key started for `method`, with the request it came with.
    pub async fn idempotent(
        &self,
        key: &str,
        method: &'static str,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let key = (method.to_owned(), key.to_owned());
        self.with(move |_, s| Ok(s.keys.get(&key).cloned())).await
    }

    /// Checks that the image's name is free in its folder and the folder's quotas allow one
    /// more, then stores the new image and the operation creating it (and the idempotency key
    /// that started it with its encoded request, if any), all in one step: two Creates cannot
    /// both pass the checks on the same name or the last place.
    pub async fn start_create(
        &self,
        image: Image,
        operation: Operation,
        work: Vec<u8>,
        key: Option<(String, Vec<u8>)>,
        limits: CreateLimits,
    ) -> Result<Result<(), Refusal>, StoreError> {
        // Encoded here, on the caller's thread: the store's thread is the one that is shared.
        let (image_body, operation_body) = (image.encode_to_vec(), operation.encode_to_vec());
        self.with(move |c, s| {
            if let Some((key, _)) = &key
                && let Some((request, operation_id)) =
                    s.keys.get(&("Create".to_owned(), key.clone()))
            {
                return Ok(Err(Refusal::KeyUsed {
                    request: request.clone(),
                    operation_id: operation_id.clone(),
                }));
            }
            let folder = &image.folder_id;
            if !image.name.is_empty() && s.name_taken(folder, &image.name) {
                return Ok(Err(Refusal::NameTaken));
            }
            if s.running.get(folder).copied().unwrap_or(0) >= limits.running_operations {
                return Ok(Err(Refusal::RunningOperations));
            }
            if s.folders.get(folder).map_or(0, |ids| ids.len() as i64) >= limits.images {
                return Ok(Err(Refusal::Images));
            }
            if let Some((key, request)) = &key {
                let seq = s.new_seq();
                let reference = format!("Create {key}");
                insert(
                    c,
                    seq,
                    KEY,
                    Some(&reference),
                    request,
                    Some(operation.id.as_bytes()),
                )?;
                s.keys.insert(
                    ("Create".to_owned(), key.clone()),
                    (request.clone(), operation.id.clone()),
                );
            }
            put_image(c, s, image.clone(), &image_body)?;
            let work = Some(work.clone());
            put_operation(c, s, operation.clone(), &operation_body, &image.id, work)?;
            Ok(Ok(()))
        })
        .await
    }

    /// Stores a new (finished) operation.
    pub async fn put_operation(
        &self,
        operation: Operation,
        resource_id: &str,
    ) -> Result<(), StoreError> {
        let resource_id = resource_id.to_owned();
        let body = operation.encode_to_vec();
        self.with(move |c, s| put_operation(c, s, operation.clone(), &body, &resource_id, None))
            .await
    }

    /// Stores a changed image and the (finished) operation that changed it, together.
    pub async fn update_image(&self, image: Image, operation: Operation) -> Result<(), StoreError> {
        let (image_body, operation_body) = (image.encode_to_vec(), operation.encode_to_vec());
        self.with(move |c, s| {
            put_image(c, s, image.clone(), &image_body)?;
            put_operation(c, s, operation.clone(), &operation_body, &image.id, None)
        })
        .await
    }

    /// Operations on a resource in the order they started, after the position `after` (a page
    /// token), at most `limit`, each with its position.
    pub async fn operations_of(
        &self,
        resource_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Operation)>, StoreError> {
        let resource_id = resource_id.to_owned();
        self.with(move |_, s| {
            let Some(ids) = s.of_resource.get(&resource_id) else {
                return Ok(Vec::new());
            };
            let from = ids.partition_point(|&(seq, _)| seq <= after);
            Ok(ids[from..]
                .iter()
                .take(limit)
                .filter_map(|(seq, id)| Some((*seq, s.operations.get(id)?.operation.clone())))
                .collect())
        })
        .await
    }

    /// An operation by ID.
    pub async fn operation(&self, id: &str) -> Result<Option<Operation>, StoreError> {
        let id = id.to_owned();
        self.with(move |_, s| Ok(s.operations.get(&id).map(|o| o.operation.clone())))
            .await
    }

    /// Not-done operations with their stored requests (to resume after a restart), in the order
    /// they started.
    pub async fn unfinished(&self) -> Result<Vec<(Operation, Vec<u8>)>, StoreError> {
        self.with(|_, s| {
            let mut running: Vec<&StoredOperation> = s
                .operations
                .values()
                .map(|o| &**o)
                .filter(|o| !o.operation.done)
                .collect();
            running.sort_by_key(|o| o.seq);
            Ok(running
                .into_iter()
                .map(|o| (o.operation.clone(), o.work.clone().unwrap_or_default()))
                .collect())
        })
        .await
    }

    /// Ends an operation that is not done yet with an error (CANCELLED for a Cancel): its copy
    /// stops and its image is removed. The operation as it is then (a finished one unchanged),
    /// with the image's ID if this call ended it; `None` when there is no such operation. Of
    /// this and the end of a copy, the first wins.
    pub async fn end_with_error(
        &self,
        operation_id: &str,
        code: rpc::Code,
        message: &str,
    ) -> Result<Option<(Operation, Option<String>)>, StoreError> {
        let (operation_id, message) = (operation_id.to_owned(), message.to_owned());
        self.with(move |c, s| {
            let Some(stored) = s.operations.get(&operation_id) else {
                return Ok(None);
            };
            if stored.operation.done {
                return Ok(Some((stored.operation.clone(), None)));
            }
            let image_id = stored.resource_id.clone();
            let ended = fail(stored.operation.clone(), code, &message);
            let body = ended.encode_to_vec();
            // The operation ends first (its image's folder counts one running fewer), then the
            // image goes.
            replace_running(c, s, ended.clone(), &body)?;
            delete_image(c, s, &image_id)?;
            Ok(Some((ended, Some(image_id))))
        })
        .await
    }

    /// Hands a running import over to the copier: its image (still CREATING) gets its
    /// `min_disk_size`, and the operation's work becomes the copy of `bytes`, from now. `false`
    /// when the operation is done already (cancelled while downloading).
    pub async fn begin_copy(
        &self,
        operation_id: &str,
        min_disk_size: i64,
        bytes: i64,
    ) -> Result<bool, StoreError> {
        let operation_id = operation_id.to_owned();
        let since = now_micros();
        self.with(move |c, s| {
            let Some(stored) = s
                .operations
                .get_mut(&operation_id)
                .filter(|o| !o.operation.done)
            else {
                return Ok(false);
            };
            let image_id = stored.resource_id.clone();
            let Some((_, image)) = s.images.get(&image_id) else {
                return Ok(false);
            };
            let image = Image {
                min_disk_size,
                ..Image::clone(image)
            };
            let body = image.encode_to_vec();
            let work = Work::Copy {
                bytes,
                since: Some(since),
            }
            .encode();
            c.prepare_cached("UPDATE records SET extra = ?2 WHERE seq = ?1")?
                .execute(params![stored.seq, work])?;
            stored.work = Some(work);
            put_image(c, s, image, &body)?;
            s.copies.start(&operation_id, &image_id, bytes, Some(since));
            Ok(true)
        })
        .await
    }

    /// Deletes an image.
    pub async fn delete_image(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.with(move |c, s| delete_image(c, s, &id)).await
    }
}

/// The order of `created_at` (seconds, then nanoseconds).
fn created_key(image: &Image) -> (i64, i32) {
    image.created_at.map_or((0, 0), |t| (t.seconds, t.nanos))
}

/// How long the copies wait after their own writes failed before they try again.
const COPIES_RETRY: Duration = Duration::from_secs(1);

/// Runs the calls sent to the store, as many as are waiting in one transaction, and the copies
/// that are due (in the same transaction), until every handle is gone.
fn run_calls(connection: &Connection, mut state: State, calls: &mpsc::Receiver<Box<dyn Call>>) {
    let mut copies_wait_until: Option<Instant> = None;
    loop {
        let wake = state
            .copies
            .next()
            .map(|at| copies_wait_until.map_or(at, |until| until.max(at)));
        let first = match wake {
            None => match calls.recv() {
                Ok(call) => Some(call),
                Err(mpsc::RecvError) => return,
            },
            Some(at) => match calls.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(call) => Some(call),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            },
        };
        let mut group: Vec<Box<dyn Call>> = first
            .into_iter()
            .chain(std::iter::from_fn(|| calls.try_recv().ok()).take(MOST_PER_TRANSACTION - 1))
            .collect();
        let now = Instant::now();
        let copies_due = copies_wait_until.is_none_or(|until| until <= now)
            && state.copies.next().is_some_and(|at| at <= now);
        if group.is_empty() && !copies_due {
            continue;
        }
        let outcome = in_transaction(connection, &mut state, |c, s| {
            (!copies_due || run_copies(c, s, now).is_ok())
                && group.iter_mut().all(|call| call.run(c, s))
        });
        match outcome {
            Some(committed) => {
                if copies_due {
                    copies_wait_until = committed.is_err().then_some(now + COPIES_RETRY);
                }
                for call in group {
                    call.answer(committed.as_ref().err());
                }
            }
            // Something failed and the group was rolled back: the copies and each call run
            // again on their own.
            None => {
                if copies_due {
                    let alone = in_transaction(connection, &mut state, |c, s| {
                        run_copies(c, s, now)
                            .inspect_err(|e| eprintln!("kiln serve: copies: {e}"))
                            .is_ok()
                    });
                    let failed = !matches!(alone, Some(Ok(())));
                    copies_wait_until = failed.then_some(now + COPIES_RETRY);
                }
                for mut call in group {
                    let committed = in_transaction(connection, &mut state, |c, s| call.run(c, s));
                    call.answer(committed.as_ref().and_then(|c| c.as_ref().err()));
                }
            }
        }
    }
}

/// Writes the progress of the copies due at `now` and finishes those whose time is up: the
/// image READY with its size, the operation done with the image as its response.
fn run_copies(c: &Connection, s: &mut State, at: Instant) -> Result<(), StoreError> {
    for step in s.copies.due(at) {
        let changed = match step {
            Step::Progress {
                operation_id,
                description,
            } => {
                let Some(stored) = s.operations.get(&operation_id) else {
                    continue;
                };
                Operation {
                    description,
                    modified_at: Some(now()),
                    ..stored.operation.clone()
                }
            }
            Step::Finish {
                operation_id,
                image_id,
                bytes,
            } => {
                let Some(stored) = s.operations.get(&operation_id) else {
                    continue;
                };
                let operation = stored.operation.clone();
                match s.images.get(&image_id) {
                    None => fail(
                        operation,
                        rpc::Code::Internal,
                        "the image being created is gone",
                    ),
                    Some((_, image)) => {
                        let ready = Image {
                            status: image::Status::Ready as i32,
                            storage_size: bytes,
                            size: bytes,
                            ..Image::clone(image)
                        };
                        let body = ready.encode_to_vec();
                        let done = Operation {
                            done: true,
                            modified_at: Some(now()),
                            result: Some(operation::Result::Response(encoded_any(
                                "yandex.cloud.compute.v1.Image",
                                body.clone(),
                            ))),
                            ..operation
                        };
                        put_image(c, s, ready, &body)?;
                        done
                    }
                }
            }
        };
        let body = changed.encode_to_vec();
        replace_running(c, s, changed, &body)?;
    }
    Ok(())
}

/// Runs `body` in a transaction, committed when it returns `true` (`Some` of the commit's
/// outcome, or of BEGIN's error) and rolled back when it returns `false` (`None`). After a
/// rollback or a failed commit, the state in memory is read again from the database.
fn in_transaction(
    connection: &Connection,
    state: &mut State,
    body: impl FnOnce(&Connection, &mut State) -> bool,
) -> Option<Result<(), StoreError>> {
    let run = |sql: &str| {
        connection
            .prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map(drop)
    };
    if let Err(e) = run("BEGIN") {
        eprintln!("kiln serve: store: cannot begin a transaction: {e}");
        return Some(Err(e));
    }
    let committed = if body(connection, state) {
        Some(run("COMMIT").inspect_err(|_| {
            let _ = run("ROLLBACK");
        }))
    } else {
        let _ = run("ROLLBACK");
        None
    };
    if !matches!(committed, Some(Ok(()))) {
        match State::load(connection, state.copies.rate()) {
            Ok(reloaded) => *state = reloaded,
            Err(e) => eprintln!("kiln serve: store: cannot read the state again: {e}"),
        }
    }
    committed
}

/// An error of the store itself (not of SQLite's answer to a statement).
fn failure(message: String) -> StoreError {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some(message),
    )
}

/// Seeds `dev-folder` with disks, snapshots and images of realistic sizes, once.
fn seed(connection: &mut Connection) -> Result<(), StoreError> {
    const GIB: i64 = 1 << 30;
    let count: i64 = connection.query_row("SELECT COUNT(*) FROM disks", [], |r| r.get(0))?;
    if count > 0 {
        return Ok(());
    }
    let linux = Some(Os {
        r#type: os::Type::Linux as i32,
        nvidia: None,
    });
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
        ("fhm0dev0disk0ubuntu01", "ubuntu-boot", 20 * GIB),
        ("fhm0dev0disk0data0001", "postgres-data", 100 * GIB),
        ("fhm0dev0disk0win00001", "windows-boot", 50 * GIB),
    ];
    let snapshots = [
        (
            "fd80dev0snap0ubuntu1",
            "ubuntu-boot-2026-11-01",
            20 * GIB,
            4 * GIB,
        ),
        (
            "fd80dev0snap0data001",
            "postgres-data-nightly",
            100 * GIB,
            37 * GIB,
        ),
    ];
    {
        let tx = connection.transaction()?;
        for (id, name, size) in disks {
            let disk = Disk {
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
            };
            tx.execute(
                "INSERT INTO disks VALUES (?1, ?2, ?3)",
                params![id, DEV_FOLDER, disk.encode_to_vec()],
            )?;
        }
        for (id, name, disk_size, storage_size) in snapshots {
            let snapshot = Snapshot {
                id: id.into(),
                folder_id: DEV_FOLDER.into(),
                created_at,
                name: name.into(),
                storage_size,
                disk_size,
                status: snapshot::Status::Ready as i32,
                hardware_generation: gen_1_2.clone(),
                ..Default::default()
            };
            tx.execute(
                "INSERT INTO snapshots VALUES (?1, ?2, ?3)",
                params![id, DEV_FOLDER, snapshot.encode_to_vec()],
            )?;
        }
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
            os: linux.clone(),
            hardware_generation: gen_1_2.clone(),
            ..Default::default()
        };
        tx.execute(
            "INSERT INTO records (kind, body) VALUES (?1, ?2)",
            params![IMAGE, image.encode_to_vec()],
        )?;
        tx.commit()
    }
}

/// Checkpoints the WAL every 200 ms from a connection of its own (PASSIVE: it never blocks
/// the writer), until the store is dropped.
fn checkpointer(
    path: &Path,
    store: std::sync::Weak<mpsc::Sender<Box<dyn Call>>>,
) -> Result<(), StoreError> {
    let connection = Connection::open(path)?;
    std::thread::Builder::new()
        .name("kiln-checkpoint".into())
        .spawn(move || {
            while store.strong_count() > 0 {
                std::thread::sleep(std::time::Duration::from_millis(200));
                if let Err(e) = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE);") {
                    eprintln!("kiln serve: checkpoint: {e}");
                }
            }
        })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column of every row `sql` selects, as text.
    async fn texts(store: &Store, sql: &'static str) -> Vec<String> {
        store
            .with(move |c, _| {
                let mut statement = c.prepare(sql)?;
                let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_database_of_the_previous_design_moves_into_records_whole() {
        let dir = std::env::temp_dir().join(format!("kiln-store-old-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kiln.sqlite3");
        let image = Image {
            id: "fd8oldimage".into(),
            folder_id: DEV_FOLDER.into(),
            name: "kept".into(),
            status: image::Status::Creating as i32,
            ..Default::default()
        };
        let operation = Operation {
            id: "fd8oldoperation".into(),
            description: "Create image".into(),
            ..Default::default()
        };
        {
            // The tables as the previous design made them (without its triggers).
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE images (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL,
                     name TEXT NOT NULL, family TEXT NOT NULL, created_at INTEGER NOT NULL,
                     body BLOB NOT NULL);
                 CREATE TABLE operations (id TEXT PRIMARY KEY, resource_id TEXT NOT NULL,
                     done INTEGER NOT NULL, request BLOB, body BLOB NOT NULL);
                 CREATE TABLE idempotency (key TEXT NOT NULL, method TEXT NOT NULL,
                     request BLOB NOT NULL, operation_id TEXT NOT NULL, PRIMARY KEY (key, method));
                 CREATE TABLE folder_images (folder_id TEXT PRIMARY KEY, count INTEGER NOT NULL);",
            )
            .unwrap();
            c.execute(
                "INSERT INTO images VALUES (?1, ?2, 'kept', '', 1, ?3)",
                params![image.id, DEV_FOLDER, image.encode_to_vec()],
            )
            .unwrap();
            c.execute(
                "INSERT INTO operations VALUES (?1, ?2, 0, x'0102', ?3)",
                params![operation.id, image.id, operation.encode_to_vec()],
            )
            .unwrap();
            c.execute(
                "INSERT INTO idempotency VALUES ('key 1', 'Create', x'0a0b', ?1)",
                [&operation.id],
            )
            .unwrap();
        }
        let store = Store::open(&path, 1 << 30).unwrap();
        assert_eq!(store.image(&image.id).await.unwrap(), Some(image.clone()));
        assert!(store.name_taken(DEV_FOLDER, "kept").await.unwrap());
        let history = store.operations_of(&image.id, 0, 10).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].1, operation);
        assert_eq!(
            store.unfinished().await.unwrap(),
            vec![(operation.clone(), vec![1, 2])]
        );
        assert_eq!(
            store.idempotent("key 1", "Create").await.unwrap(),
            Some((vec![0x0a, 0x0b], operation.id.clone()))
        );
        let tables = texts(
            &store,
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        )
        .await;
        assert_eq!(tables, ["disks", "records", "snapshots"]);
        drop(store);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_failing_call_leaves_no_trace_and_spares_the_others_of_its_transaction() {
        let dir = std::env::temp_dir().join(format!("kiln-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&dir.join("kiln.sqlite3"), 1 << 30).unwrap();
        // Hold the store's thread so that the calls below queue up and run as one group.
        let (held, release) = std::sync::mpsc::channel::<()>();
        let holder = tokio::spawn({
            let store = store.clone();
            let release = std::sync::Mutex::new(release);
            async move {
                store
                    .with(move |_, _| {
                        let _ = release.lock().unwrap().recv();
                        Ok(())
                    })
                    .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let calls: Vec<_> = (0..30)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .with(move |c, s| {
                            c.execute(
                                "INSERT INTO snapshots VALUES (?1, 'group', x'00')",
                                [format!("s{i:02}")],
                            )?;
                            // A change in memory too: it must go with the rolled-back rows.
                            let image = Image {
                                id: format!("fd8group{i:02}"),
                                folder_id: "group".into(),
                                name: format!("group-{i}"),
                                ..Default::default()
                            };
                            let body = image.encode_to_vec();
                            put_image(c, s, image, &body)?;
                            if i % 3 == 0 {
                                c.execute("INSERT INTO no_such_table VALUES (1)", [])?;
                            }
                            Ok(i)
                        })
                        .await
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        held.send(()).unwrap();
        holder.await.unwrap().unwrap();
        for (i, call) in calls.into_iter().enumerate() {
            let result = call.await.unwrap();
            assert_eq!(result.is_ok(), i % 3 != 0, "call {i}: {result:?}");
        }
        let stored = texts(
            &store,
            "SELECT id FROM snapshots WHERE folder_id = 'group' ORDER BY id",
        )
        .await;
        let expected: Vec<String> = (0..30)
            .filter(|i| i % 3 != 0)
            .map(|i| format!("s{i:02}"))
            .collect();
        assert_eq!(stored, expected);
        for i in 0..30 {
            let image = store.image(&format!("fd8group{i:02}")).await.unwrap();
            assert_eq!(image.is_some(), i % 3 != 0, "image of call {i}");
            let named = store
                .name_taken("group", &format!("group-{i}"))
                .await
                .unwrap();
            assert_eq!(named, i % 3 != 0, "name of call {i}");
        }
        drop(store);
        std::fs::remove_dir_all(dir).ok();
    }
}
