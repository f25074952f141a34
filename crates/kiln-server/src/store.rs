//! The SQLite store in the data folder. Resources and operations are kept as their encoded
//! protobuf messages beside the columns the service looks them up by, so the stored form is the
//! wire form. Every change is one transaction: a crash leaves either the old or the new state.

use std::{
    path::Path,
    sync::{Arc, Mutex},
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

/// A shared connection (SQLite serialises writers anyway; the service's transactions are tiny).
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
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
    CREATE INDEX IF NOT EXISTS operations_by_resource ON operations (resource_id, done);
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
    CREATE TABLE IF NOT EXISTS disks (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
";

impl Store {
    /// Opens (or creates and seeds) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let connection = Connection::open(path)?;
        connection.execute_batch(SCHEMA)?;
        // The image quota reads a count kept by triggers (counting the folder's images on every
        // Create grew with the folder); rebuilt here so an older database starts right.
        connection.execute_batch(
            "BEGIN;
             DELETE FROM folder_images;
             INSERT INTO folder_images SELECT folder_id, COUNT(*) FROM images GROUP BY folder_id;
             COMMIT;",
        )?;
        // Checkpoints (the only fsyncs in WAL mode with synchronous = NORMAL) run on a thread of
        // their own with its own connection, so no request waits for one while holding the
        // store's lock (see crates/kiln-server/BENCHMARKS.md).
        connection.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        let store = Store {
            connection: Arc::new(Mutex::new(connection)),
        };
        store.seed()?;
        checkpointer(path, Arc::downgrade(&store.connection))?;
        Ok(store)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut connection)
    }

    /// An image by ID.
    pub fn image(&self, id: &str) -> Result<Option<Image>, StoreError> {
        self.with(|c| {
            let body: Option<Vec<u8>> = c
                .query_row("SELECT body FROM images WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            Ok(body.map(|b| Image::decode(b.as_slice()).expect("stored image decodes")))
        })
    }

    /// Images of a folder, by ID, after `after` (a page token), at most `limit`.
    pub fn images(
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
        self.with(|c| {
            let mut statement = c.prepare(&format!(
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
    }

    /// The newest READY image of a family in a folder.
    pub fn latest_by_family(
        &self,
        folder: &str,
        family: &str,
    ) -> Result<Option<Image>, StoreError> {
        let images = self.with(|c| {
            let mut statement = c.prepare(
                "SELECT body FROM images WHERE folder_id = ?1 AND family = ?2 ORDER BY created_at DESC, id DESC",
            )?;
            let rows = statement.query_map(params![folder, family], |r| r.get::<_, Vec<u8>>(0))?;
            rows.map(|b| Ok(Image::decode(b?.as_slice()).expect("stored image decodes"))).collect::<Result<Vec<_>, _>>()
        })?;
        Ok(images
            .into_iter()
            .find(|i| i.status() == image::Status::Ready))
    }

    /// Whether another image in `folder` has this name.
    pub fn name_taken(&self, folder: &str, name: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM images WHERE folder_id = ?1 AND name = ?2",
                [folder, name],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
        })
    }

    /// A disk by ID.
    pub fn disk(&self, id: &str) -> Result<Option<Disk>, StoreError> {
        self.body("disks", id)
            .map(|b| b.map(|b| Disk::decode(b.as_slice()).expect("stored disk decodes")))
    }

    /// A snapshot by ID.
    pub fn snapshot(&self, id: &str) -> Result<Option<Snapshot>, StoreError> {
        self.body("snapshots", id)
            .map(|b| b.map(|b| Snapshot::decode(b.as_slice()).expect("stored snapshot decodes")))
    }

    fn body(&self, table: &str, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT body FROM {table} WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Disks (`table = "disks"`) or snapshots of a folder, encoded, by ID.
    pub fn sources(
        &self,
        table: &str,
        folder: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT body FROM {table} WHERE folder_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            ))?;
            let rows = statement.query_map(params![folder, after, limit as i64], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// The operation an idempotency key started for `method`, with the request it came with.
    pub fn idempotent(
        &self,
        key: &str,
        method: &str,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT request, operation_id FROM idempotency WHERE key = ?1 AND method = ?2",
                [key, method],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }

    /// Stores a new image and the operation creating it, together (and the idempotency key that
    /// started it with its encoded request, if any).
    pub fn start_create(
        &self,
        image: &Image,
        operation: &Operation,
        copy_bytes: &[u8],
        key: Option<(&str, &[u8])>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            if let Some((key, request)) = key {
                tx.execute(
                    "INSERT INTO idempotency (key, method, request, operation_id) VALUES (?1, 'Create', ?2, ?3)",
                    params![key, request, operation.id],
                )?;
            }
            put_image(&tx, image)?;
            tx.execute(
                "INSERT INTO operations (id, resource_id, done, request, body) VALUES (?1, ?2, 0, ?3, ?4)",
                params![operation.id, image.id, copy_bytes, operation.encode_to_vec()],
            )?;
            tx.commit()
        })
    }

    /// Stores a new operation (and optionally an image change) in one transaction.
    pub fn put_operation(
        &self,
        operation: &Operation,
        resource_id: &str,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO operations (id, resource_id, done, request, body) VALUES (?1, ?2, ?3, NULL, ?4)",
                params![operation.id, resource_id, operation.done, operation.encode_to_vec()],
            )
            .map(drop)
        })
    }

    /// Stores a changed image and the (finished) operation that changed it, together.
    pub fn update_image(&self, image: &Image, operation: &Operation) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            put_image(&tx, image)?;
            tx.execute(
                "INSERT INTO operations (id, resource_id, done, request, body) VALUES (?1, ?2, ?3, NULL, ?4)",
                params![operation.id, image.id, operation.done, operation.encode_to_vec()],
            )?;
            tx.commit()
        })
    }

    /// Operations on a resource in the order they started, after the position `after` (a page
    /// token), at most `limit`, each with its position.
    pub fn operations_of(
        &self,
        resource_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Operation)>, StoreError> {
        self.with(|c| {
            let mut statement = c.prepare(
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
    }

    /// How many operations on images of `folder` are still running, and how many images it has.
    pub fn folder_usage(&self, folder: &str) -> Result<(i64, i64), StoreError> {
        self.with(|c| {
            let running = c.query_row(
                "SELECT COUNT(*) FROM operations o JOIN images i ON i.id = o.resource_id
                 WHERE o.done = 0 AND i.folder_id = ?1",
                [folder],
                |r| r.get(0),
            )?;
            let images = c
                .query_row(
                    "SELECT count FROM folder_images WHERE folder_id = ?1",
                    [folder],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            Ok((running, images))
        })
    }

    /// Replaces a running operation (its progress); a finished one is left alone.
    pub fn progress(&self, operation: &Operation) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE operations SET body = ?2 WHERE id = ?1 AND done = 0",
                params![operation.id, operation.encode_to_vec()],
            )
            .map(drop)
        })
    }

    /// An operation by ID.
    pub fn operation(&self, id: &str) -> Result<Option<Operation>, StoreError> {
        self.with(|c| {
            let body: Option<Vec<u8>> = c
                .query_row("SELECT body FROM operations WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(body.map(|b| Operation::decode(b.as_slice()).expect("stored operation decodes")))
        })
    }

    /// Not-done operations with their stored requests (to resume after a restart).
    pub fn unfinished(&self) -> Result<Vec<(Operation, Vec<u8>)>, StoreError> {
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
    }

    /// Finishes an operation if it is not done yet, applying `image` (`Some` = store it, `None`
    /// = delete `image_id`). Returns `false` when the operation had already finished: the first
    /// of completion and cancellation wins.
    pub fn finish(
        &self,
        operation: &Operation,
        image_id: &str,
        image: Option<&Image>,
    ) -> Result<bool, StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let changed = tx.execute(
                "UPDATE operations SET done = 1, body = ?2 WHERE id = ?1 AND done = 0",
                params![operation.id, operation.encode_to_vec()],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            match image {
                Some(image) => put_image(&tx, image)?,
                None => {
                    tx.execute("DELETE FROM images WHERE id = ?1", [image_id])?;
                }
            }
            tx.commit()?;
            Ok(true)
        })
    }

    /// Deletes an image.
    pub fn delete_image(&self, id: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM images WHERE id = ?1", [id])
                .map(drop)
        })
    }

    /// Seeds `dev-folder` with disks, snapshots and images of realistic sizes, once.
    fn seed(&self) -> Result<(), StoreError> {
        const GIB: i64 = 1 << 30;
        let count: i64 =
            self.with(|c| c.query_row("SELECT COUNT(*) FROM disks", [], |r| r.get(0)))?;
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
        self.with(|c| {
            let tx = c.transaction()?;
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
        })
    }
}

/// Checkpoints the WAL every 200 ms from a connection of its own (PASSIVE: it never blocks
/// the writer), until the store is dropped.
fn checkpointer(path: &Path, store: std::sync::Weak<Mutex<Connection>>) -> Result<(), StoreError> {
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

fn put_image(tx: &rusqlite::Transaction<'_>, image: &Image) -> Result<(), StoreError> {
    let created = image
        .created_at
        .map_or(0, |t| t.seconds * 1_000_000_000 + i64::from(t.nanos));
    tx.execute(
        "INSERT OR REPLACE INTO images (id, folder_id, name, family, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![image.id, image.folder_id, image.name, image.family, created, image.encode_to_vec()],
    )
    .map(drop)
}
