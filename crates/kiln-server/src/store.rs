//! The SQLite store in the data folder. Resources and operations are kept as their encoded
//! protobuf messages beside the columns the service looks them up by, so the stored form is the
//! wire form.
//!
//! One thread owns the connection and runs the store's calls (group commit): it takes every call
//! waiting, runs them in one transaction, commits once, and only then answers them. When a call
//! fails, its group is rolled back and each of its calls runs again in a transaction of its own,
//! so a failing call leaves no trace and does not disturb the others. A crash leaves each call's
//! change either whole or absent, an answer is never sent for a change that is not committed,
//! and no async worker thread ever blocks on SQLite.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, mpsc},
};

use kiln_core::proto::yandex::cloud::{
    compute::v1::{
        Disk, HardwareGeneration, Image, LegacyHardwareFeatures, Os, PciTopology, Snapshot, disk,
        hardware_generation, image, os, snapshot,
    },
    operation::Operation,
};
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};

use crate::auth::DEV_FOLDER;

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
    fn run(&mut self, connection: &Connection) -> bool;
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
    F: FnMut(&Connection) -> Result<T, StoreError> + Send,
    T: Send,
{
    fn run(&mut self, connection: &Connection) -> bool {
        let result = (self.f)(connection);
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

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS images (
        id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, name TEXT NOT NULL, family TEXT NOT NULL,
        created_at INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS images_by_folder ON images (folder_id, name);
    CREATE TABLE IF NOT EXISTS operations (
        id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, done INTEGER NOT NULL,
        request BLOB, body BLOB NOT NULL);
    DROP INDEX IF EXISTS operations_by_resource;
    CREATE INDEX IF NOT EXISTS operations_of_resource ON operations (resource_id);
    CREATE INDEX IF NOT EXISTS operations_running ON operations (done) WHERE done = 0;
    CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT NOT NULL, method TEXT NOT NULL, request BLOB NOT NULL, operation_id TEXT NOT NULL,
        PRIMARY KEY (key, method));
    PRAGMA recursive_triggers = ON;
    CREATE TABLE IF NOT EXISTS folder_images (folder_id TEXT PRIMARY KEY, count INTEGER NOT NULL);
    DROP TRIGGER IF EXISTS folder_images_insert;
    CREATE TRIGGER folder_images_insert AFTER INSERT ON images BEGIN
        -- no conflict clause: an outer INSERT OR REPLACE would override it (and reset the count)
        INSERT INTO folder_images (folder_id, count) SELECT NEW.folder_id, 0
            WHERE NOT EXISTS (SELECT 1 FROM folder_images WHERE folder_id = NEW.folder_id);
        UPDATE folder_images SET count = count + 1 WHERE folder_id = NEW.folder_id;
    END;
    CREATE TRIGGER IF NOT EXISTS folder_images_delete AFTER DELETE ON images BEGIN
        UPDATE folder_images SET count = count - 1 WHERE folder_id = OLD.folder_id;
    END;
    -- Running operations per folder, for the quota: an operation starts after its image is
    -- stored and ends before a failed or cancelled image is removed.
    CREATE TABLE IF NOT EXISTS folder_running (folder_id TEXT PRIMARY KEY, count INTEGER NOT NULL);
    CREATE TRIGGER IF NOT EXISTS folder_running_start AFTER INSERT ON operations
    WHEN NEW.done = 0 BEGIN
        INSERT INTO folder_running (folder_id, count)
            SELECT folder_id, 0 FROM images WHERE id = NEW.resource_id
            AND NOT EXISTS (SELECT 1 FROM folder_running r WHERE r.folder_id = images.folder_id);
        UPDATE folder_running SET count = count + 1
            WHERE folder_id = (SELECT folder_id FROM images WHERE id = NEW.resource_id);
    END;
    CREATE TRIGGER IF NOT EXISTS folder_running_end AFTER UPDATE OF done ON operations
    WHEN OLD.done = 0 AND NEW.done = 1 BEGIN
        UPDATE folder_running SET count = count - 1
            WHERE folder_id = (SELECT folder_id FROM images WHERE id = NEW.resource_id);
    END;
    CREATE TABLE IF NOT EXISTS disks (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
";

impl Store {
    /// Opens (or creates and seeds) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut connection = Connection::open(path)?;
        connection.execute_batch(SCHEMA)?;
        // The quotas read counts kept by triggers (counting the folder's images or joining its
        // running operations on every Create grew with the folder); rebuilt here so an older
        // database starts right.
        connection.execute_batch(
            "BEGIN;
             DELETE FROM folder_images;
             INSERT INTO folder_images SELECT folder_id, COUNT(*) FROM images GROUP BY folder_id;
             DELETE FROM folder_running;
             INSERT INTO folder_running SELECT i.folder_id, COUNT(*) FROM operations o
                 JOIN images i ON i.id = o.resource_id WHERE o.done = 0 GROUP BY i.folder_id;
             COMMIT;",
        )?;
        // Checkpoints (the only fsyncs in WAL mode with synchronous = NORMAL) run on a thread of
        // their own with its own connection, so no request waits for one while holding the
        // store's lock (see crates/kiln-server/BENCHMARKS.md).
        connection.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        connection.set_prepared_statement_cache_capacity(64);
        // Reads map the file instead of copying pages into the cache.
        connection.execute_batch("PRAGMA mmap_size = 268435456;")?;
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
        let (sender, calls) = mpsc::channel();
        let store = Store {
            calls: Arc::new(sender),
            sources: Arc::new(sources),
        };
        std::thread::Builder::new()
            .name("kiln-store".into())
            .spawn(move || run_calls(&connection, &calls))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        checkpointer(path, Arc::downgrade(&store.calls))?;
        Ok(store)
    }

    /// Runs `f` on the store's thread, inside the transaction of its group; its result comes
    /// back once that transaction is committed.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
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
        self.with(move |c| image_by_id(c, &id)).await
    }

    /// Images of a folder, by ID, after `after` (a page token), at most `limit`.
    pub async fn images(
        &self,
        folder: &str,
        name: Option<&str>,
        order: ImageOrder,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Image>, StoreError> {
        let column = match order.column {
            OrderColumn::Id => "id",
            OrderColumn::Name => "name",
            OrderColumn::CreatedAt => "created_at",
        };
        let direction = if order.descending { "DESC" } else { "ASC" };
        let (folder, name) = (folder.to_owned(), name.map(str::to_owned));
        self.with(move |c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT body FROM images WHERE folder_id = ?1 AND (?2 IS NULL OR name = ?2)
                 ORDER BY {column} {direction}, id {direction} LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = statement
                .query_map(params![folder, name, limit as i64, offset as i64], |r| {
                    r.get::<_, Vec<u8>>(0)
                })?;
            rows.map(|b| Ok(Image::decode(b?.as_slice()).expect("stored image decodes")))
                .collect()
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
        let images = self.with(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT body FROM images WHERE folder_id = ?1 AND family = ?2 ORDER BY created_at DESC, id DESC",
            )?;
            let rows = statement.query_map(params![folder, family], |r| r.get::<_, Vec<u8>>(0))?;
            rows.map(|b| Ok(Image::decode(b?.as_slice()).expect("stored image decodes"))).collect::<Result<Vec<_>, _>>()
        }).await?;
        Ok(images
            .into_iter()
            .find(|i| i.status() == image::Status::Ready))
    }

    /// Whether another image in `folder` has this name.
    pub async fn name_taken(&self, folder: &str, name: &str) -> Result<bool, StoreError> {
        let (folder, name) = (folder.to_owned(), name.to_owned());
        self.with(move |c| name_taken(c, &folder, &name)).await
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
        let key = key.to_owned();
        self.with(move |c| idempotent(c, &key, method)).await
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
        self.with(move |c| {
            if let Some((key, _)) = &key
                && let Some((request, operation_id)) = idempotent(c, key, "Create")?
            {
                return Ok(Err(Refusal::KeyUsed {
                    request,
                    operation_id,
                }));
            }
            if !image.name.is_empty() && name_taken(c, &image.folder_id, &image.name)? {
                return Ok(Err(Refusal::NameTaken));
            }
            let (running, images) = folder_usage(c, &image.folder_id)?;
            if running >= limits.running_operations {
                return Ok(Err(Refusal::RunningOperations));
            }
            if images >= limits.images {
                return Ok(Err(Refusal::Images));
            }
            if let Some((key, request)) = &key {
                c.prepare_cached(
                    "INSERT INTO idempotency (key, method, request, operation_id) VALUES (?1, 'Create', ?2, ?3)",
                )?
                .execute(params![key, request, operation.id])?;
            }
            put_image(c, &image)?;
            put_operation(c, &operation, &image.id, Some(&work))?;
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
        self.with(move |c| put_operation(c, &operation, &resource_id, None))
            .await
    }

    /// Stores a changed image and the (finished) operation that changed it, together.
    pub async fn update_image(&self, image: Image, operation: Operation) -> Result<(), StoreError> {
        self.with(move |c| {
            put_image(c, &image)?;
            put_operation(c, &operation, &image.id, None)
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
        self.with(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT rowid, body FROM operations WHERE resource_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3",
            )?;
            let rows = statement.query_map(params![resource_id, after, limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            rows.map(|row| {
                let (position, body) = row?;
                Ok((position, Operation::decode(body.as_slice()).expect("stored operation decodes")))
            })
            .collect()
        })
        .await
    }

    /// Replaces a running operation (its progress); a finished one is left alone.
    pub async fn progress(&self, operation: Operation) -> Result<(), StoreError> {
        self.with(move |c| {
            c.prepare_cached("UPDATE operations SET body = ?2 WHERE id = ?1 AND done = 0")?
                .execute(params![operation.id, operation.encode_to_vec()])
                .map(drop)
        })
        .await
    }

    /// An operation by ID.
    pub async fn operation(&self, id: &str) -> Result<Option<Operation>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let body: Option<Vec<u8>> = c
                .prepare_cached("SELECT body FROM operations WHERE id = ?1")?
                .query_row([&id], |r| r.get(0))
                .optional()?;
            Ok(body.map(|b| Operation::decode(b.as_slice()).expect("stored operation decodes")))
        })
        .await
    }

    /// Not-done operations with their stored requests (to resume after a restart).
    pub async fn unfinished(&self) -> Result<Vec<(Operation, Vec<u8>)>, StoreError> {
        self.with(|c| {
            let mut statement = c.prepare("SELECT body, request FROM operations WHERE done = 0")?;
            let rows = statement.query_map([], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
            })?;
            rows.map(|row| {
                let (body, request) = row?;
                Ok((
                    Operation::decode(body.as_slice()).expect("stored operation decodes"),
                    request.unwrap_or_default(),
                ))
            })
            .collect()
        })
        .await
    }

    /// Finishes an operation if it is not done yet, applying `image` (`Some` = store it, `None`
    /// = delete `image_id`). Returns `false` when the operation had already finished: the first
    /// of completion and cancellation wins.
    pub async fn finish(
        &self,
        operation: Operation,
        image_id: &str,
        image: Option<Image>,
    ) -> Result<bool, StoreError> {
        let image_id = image_id.to_owned();
        self.with(move |c| {
            let changed = c
                .prepare_cached(
                    "UPDATE operations SET done = 1, body = ?2 WHERE id = ?1 AND done = 0",
                )?
                .execute(params![operation.id, operation.encode_to_vec()])?;
            if changed == 0 {
                return Ok(false);
            }
            match &image {
                Some(image) => {
                    // Only the body changes (status, sizes): an UPDATE of it leaves every index
                    // alone, where a REPLACE would delete and re-insert the row in each.
                    c.prepare_cached("UPDATE images SET body = ?2 WHERE id = ?1")?
                        .execute(params![image.id, image.encode_to_vec()])?;
                }
                None => {
                    c.prepare_cached("DELETE FROM images WHERE id = ?1")?
                        .execute([&image_id])?;
                }
            }
            Ok(true)
        })
        .await
    }

    /// Deletes an image.
    pub async fn delete_image(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.prepare_cached("DELETE FROM images WHERE id = ?1")?
                .execute([&id])
                .map(drop)
        })
        .await
    }
}

/// Runs the calls sent to the store, as many as are waiting in one transaction, until every
/// handle is gone.
fn run_calls(connection: &Connection, calls: &mpsc::Receiver<Box<dyn Call>>) {
    while let Ok(first) = calls.recv() {
        let mut group: Vec<Box<dyn Call>> = std::iter::once(first)
            .chain(std::iter::from_fn(|| calls.try_recv().ok()).take(MOST_PER_TRANSACTION - 1))
            .collect();
        match in_transaction(connection, |c| group.iter_mut().all(|call| call.run(c))) {
            Some(committed) => {
                for call in group {
                    call.answer(committed.as_ref().err());
                }
            }
            // A call failed and the group was rolled back: each call runs again on its own.
            None => {
                for mut call in group {
                    let committed = in_transaction(connection, |c| call.run(c));
                    call.answer(committed.as_ref().and_then(|c| c.as_ref().err()));
                }
            }
        }
    }
}

/// Runs `body` in a transaction, committed when it returns `true` (`Some` of the commit's
/// outcome, or of BEGIN's error) and rolled back when it returns `false` (`None`).
fn in_transaction(
    connection: &Connection,
    body: impl FnOnce(&Connection) -> bool,
) -> Option<Result<(), StoreError>> {
    let run = |sql: &str| {
        connection
            .prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map(drop)
    };
    if let Err(e) = run("BEGIN IMMEDIATE") {
        eprintln!("kiln serve: store: cannot begin a transaction: {e}");
        return Some(Err(e));
    }
    if body(connection) {
        Some(run("COMMIT").inspect_err(|_| {
            let _ = run("ROLLBACK");
        }))
    } else {
        let _ = run("ROLLBACK");
        None
    }
}

/// An error of the store itself (not of SQLite's answer to a statement).
fn failure(message: String) -> StoreError {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some(message),
    )
}

fn image_by_id(c: &Connection, id: &str) -> Result<Option<Image>, StoreError> {
    let body: Option<Vec<u8>> = c
        .prepare_cached("SELECT body FROM images WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| Image::decode(b.as_slice()).expect("stored image decodes")))
}

/// The encoded request an idempotency key came with for `method`, and the operation it started.
fn idempotent(
    c: &Connection,
    key: &str,
    method: &str,
) -> Result<Option<(Vec<u8>, String)>, StoreError> {
    c.prepare_cached(
        "SELECT request, operation_id FROM idempotency WHERE key = ?1 AND method = ?2",
    )?
    .query_row([key, method], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

/// Whether an image in `folder` has this name.
fn name_taken(c: &Connection, folder: &str, name: &str) -> Result<bool, StoreError> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM images WHERE folder_id = ?1 AND name = ?2)")?
        .query_row([folder, name], |r| r.get(0))
}

/// How many operations on images of `folder` are still running, and how many images it has.
fn folder_usage(c: &Connection, folder: &str) -> Result<(i64, i64), StoreError> {
    let running = c
        .prepare_cached("SELECT count FROM folder_running WHERE folder_id = ?1")?
        .query_row([folder], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let images = c
        .prepare_cached("SELECT count FROM folder_images WHERE folder_id = ?1")?
        .query_row([folder], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    Ok((running, images))
}

fn put_operation(
    c: &Connection,
    operation: &Operation,
    resource_id: &str,
    work: Option<&[u8]>,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO operations (id, resource_id, done, request, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        operation.id,
        resource_id,
        operation.done,
        work,
        operation.encode_to_vec()
    ])
    .map(drop)
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
        put_image(&tx, &image)?;
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

fn put_image(c: &Connection, image: &Image) -> Result<(), StoreError> {
    let created = image
        .created_at
        .map_or(0, |t| t.seconds * 1_000_000_000 + i64::from(t.nanos));
    c.prepare_cached(
        "INSERT OR REPLACE INTO images (id, folder_id, name, family, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![image.id, image.folder_id, image.name, image.family, created, image.encode_to_vec()])
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_call_leaves_no_trace_and_spares_the_others_of_its_transaction() {
        let dir = std::env::temp_dir().join(format!("kiln-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&dir.join("kiln.sqlite3")).unwrap();
        // Hold the store's thread so that the calls below queue up and run as one group.
        let (held, release) = std::sync::mpsc::channel::<()>();
        let holder = tokio::spawn({
            let store = store.clone();
            let release = std::sync::Mutex::new(release);
            async move {
                store
                    .with(move |_| {
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
                        .with(move |c| {
                            c.execute(
                                "INSERT INTO snapshots VALUES (?1, 'group', x'00')",
                                [format!("s{i:02}")],
                            )?;
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
        let stored = store
            .with(|c| {
                let mut statement =
                    c.prepare("SELECT id FROM snapshots WHERE folder_id = 'group' ORDER BY id")?;
                let ids = statement.query_map([], |r| r.get::<_, String>(0))?;
                ids.collect::<Result<Vec<_>, _>>()
            })
            .await
            .unwrap();
        let expected: Vec<String> = (0..30)
            .filter(|i| i % 3 != 0)
            .map(|i| format!("s{i:02}"))
            .collect();
        assert_eq!(stored, expected);
        drop(store);
        std::fs::remove_dir_all(dir).ok();
    }
}
