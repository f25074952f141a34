//! The database's tables, the seed written into a new one, and the moves from the layouts of
//! earlier versions.
//!
//! Images and operations are rows keyed by their ID (`WITHOUT ROWID`: one b-tree less per
//! insert) with the columns their look-ups need, each with the encoded protobuf message (the
//! wire form) as its body; lists are served by indexes in the order asked for (an operation's
//! `seq` is its position among all, for ListOperations' pages). Idempotency keys are per folder.

use kiln_core::proto::yandex::cloud::{compute::v1::Image, operation::Operation};
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};

use super::seed;
use super::{StoreError, rows::insert_image};
use crate::domain::Work;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS images (
        id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, name TEXT NOT NULL, family TEXT NOT NULL,
        created_at INTEGER NOT NULL, ready INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS images_by_id ON images (folder_id, id);
    CREATE INDEX IF NOT EXISTS images_by_name ON images (folder_id, name, id);
    CREATE INDEX IF NOT EXISTS images_by_created ON images (folder_id, created_at, id);
    CREATE INDEX IF NOT EXISTS images_by_family ON images (folder_id, family, created_at, id)
        WHERE family != '';
    CREATE TABLE IF NOT EXISTS operations (
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL, resource_id TEXT NOT NULL,
        folder_id TEXT NOT NULL, done INTEGER NOT NULL, body BLOB NOT NULL, work BLOB)
        WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS operations_by_resource ON operations (resource_id, seq);
    CREATE TABLE IF NOT EXISTS idempotency_keys (
        folder_id TEXT NOT NULL, key TEXT NOT NULL, request BLOB NOT NULL,
        operation_id TEXT NOT NULL, PRIMARY KEY (folder_id, key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS disks (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL, body BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS disks_by_folder ON disks (folder_id, id);
    CREATE INDEX IF NOT EXISTS snapshots_by_folder ON snapshots (folder_id, id);
";

/// The first layout (tables `images`, `operations`, `idempotency` with counting triggers) moved
/// into the second (`records`), once.
const FIRST_TO_RECORDS: &str = "
    CREATE TABLE IF NOT EXISTS records (
        seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, ref TEXT, body BLOB NOT NULL, extra BLOB);
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
";

/// A row of `records`: seq, kind, ref, body, extra.
type RecordRow = (i64, i64, Option<String>, Vec<u8>, Option<Vec<u8>>);

/// `records.kind` of the second layout.
const RECORD_IMAGE: i64 = 1;
const RECORD_OPERATION: i64 = 2;
const RECORD_KEY: i64 = 3;

/// Brings the database at `c` to this version's layout (and seeds a new one with `seed`), in
/// one transaction. With `replace_sources` (a seed file), the disks and snapshots of an existing
/// database become the seed's, and its images are added where missing.
pub fn prepare(
    c: &mut Connection,
    seed: &seed::Seed,
    replace_sources: bool,
) -> Result<(), StoreError> {
    c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    let tx = c.transaction()?;
    let has = |table: &str| -> Result<bool, StoreError> {
        Ok(tx
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    if has("idempotency")? {
        tx.execute_batch(FIRST_TO_RECORDS)?;
    }
    let fresh = !has("disks")?;
    tx.execute_batch(SCHEMA)?;
    if has("records")? {
        records_to_rows(&tx)?;
    }
    if fresh {
        write_seed(&tx, seed)?;
    } else if replace_sources {
        tx.execute_batch("DELETE FROM disks; DELETE FROM snapshots;")?;
        write_sources(&tx, seed)?;
        for image in &seed.images {
            let known = tx
                .query_row(
                    "SELECT 1 FROM images WHERE id = ?1",
                    [&image.id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !known {
                insert_image(&tx, image)?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Writes `seed` into an empty database.
fn write_seed(c: &Connection, seed: &seed::Seed) -> Result<(), StoreError> {
    write_sources(c, seed)?;
    for image in &seed.images {
        insert_image(c, image)?;
    }
    Ok(())
}

fn write_sources(c: &Connection, seed: &seed::Seed) -> Result<(), StoreError> {
    for disk in &seed.disks {
        c.execute(
            "INSERT INTO disks VALUES (?1, ?2, ?3)",
            params![disk.id, disk.folder_id, disk.encode_to_vec()],
        )?;
    }
    for snapshot in &seed.snapshots {
        c.execute(
            "INSERT INTO snapshots VALUES (?1, ?2, ?3)",
            params![snapshot.id, snapshot.folder_id, snapshot.encode_to_vec()],
        )?;
    }
    Ok(())
}

/// The second layout (`records`: every image, operation and key one row of encoded message)
/// moved into this one's tables, once. An operation belongs to its image's folder; one whose
/// image is gone, and a key whose operation is, belong to no folder (nobody sees them).
fn records_to_rows(c: &Connection) -> Result<(), StoreError> {
    let rows: Vec<RecordRow> = c
        .prepare("SELECT seq, kind, ref, body, extra FROM records ORDER BY seq")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut folders = std::collections::HashMap::new();
    for (_, kind, _, body, _) in &rows {
        if *kind == RECORD_IMAGE {
            let image = Image::decode(body.as_slice())?;
            folders.insert(image.id.clone(), image.folder_id.clone());
            insert_image(c, &image)?;
        }
    }
    let mut operation_folders = std::collections::HashMap::new();
    for (seq, kind, reference, body, extra) in &rows {
        if *kind == RECORD_OPERATION {
            let operation = Operation::decode(body.as_slice())?;
            let resource_id = reference.clone().unwrap_or_default();
            let folder = folders.get(&resource_id).cloned().unwrap_or_default();
            operation_folders.insert(operation.id.clone(), folder.clone());
            // Works stored by that layout decode as they are.
            let work = extra.as_deref().and_then(Work::decode).map(|w| w.encode());
            c.execute(
                "INSERT INTO operations (seq, id, resource_id, folder_id, done, body, work)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    seq,
                    operation.id,
                    resource_id,
                    folder,
                    operation.done,
                    body,
                    work
                ],
            )?;
        }
    }
    for (_, kind, reference, body, extra) in &rows {
        if *kind == RECORD_KEY {
            let reference = reference.clone().unwrap_or_default();
            let key = reference.strip_prefix("Create ").unwrap_or(&reference);
            let operation_id = String::from_utf8_lossy(extra.as_deref().unwrap_or_default());
            let folder = operation_folders
                .get(operation_id.as_ref())
                .cloned()
                .unwrap_or_default();
            c.execute(
                "INSERT OR IGNORE INTO idempotency_keys VALUES (?1, ?2, ?3, ?4)",
                params![folder, key, body, operation_id],
            )?;
        }
    }
    c.execute_batch("DROP TABLE records;")?;
    Ok(())
}
