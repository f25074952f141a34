//! Rows of images, operations and keys: the reads a command makes in its transaction
//! ([`Writer`], the domain's [`Records`]), the writes of its [`Change`]s, and the reads of
//! Get and List on a connection of their own ([`Reader`]).

use foldhash::HashMap;
use kiln_core::proto::yandex::cloud::{
    compute::v1::{Disk, Image, Snapshot, image},
    operation::Operation,
};
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    StoreError,
    copies::Copies,
    created_micros, is_ready,
    page::{Page, read_page},
};
use crate::domain::{Change, KeyRecord, Lookup, OperationRecord, Records, Refusal, Work};

/// What the writer keeps in memory besides the database: the quotas' counts, the running
/// operations and the images they are creating (what every copy's progress and end reads), and
/// the running copies. All of it is bounded by the operations running, not by what is stored.
/// Rebuilt from the database at open and after a rollback.
pub struct Counts {
    /// Images per folder.
    pub images: HashMap<String, i64>,
    /// Operations not done per folder.
    pub running: HashMap<String, i64>,
    /// Operations not done, by ID.
    active: HashMap<String, OperationRecord>,
    /// The position the next new operation gets (ListOperations pages by it).
    next_seq: i64,
    /// Images being created (CREATING), by ID.
    creating: HashMap<String, Image>,
    /// The copies of running operations.
    pub copies: Copies,
    /// Whether this is out of step with the database (a reload after a failure failed): it is
    /// read again before the next command.
    pub stale: bool,
}

impl Counts {
    /// Reads the counts, the running operations and copies and the images being created.
    pub fn load(c: &Connection, copy_rate: u64) -> Result<Counts, StoreError> {
        let count = |sql: &str| -> Result<HashMap<String, i64>, StoreError> {
            let mut statement = c.prepare(sql)?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let mut counts = Counts {
            images: count("SELECT folder_id, COUNT(*) FROM images GROUP BY folder_id")?,
            running: count(
                "SELECT folder_id, COUNT(*) FROM operations WHERE done = 0 GROUP BY folder_id",
            )?,
            active: HashMap::default(),
            next_seq: c.query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM operations",
                [],
                |r| r.get(0),
            )?,
            creating: HashMap::default(),
            copies: Copies::new(copy_rate),
            stale: false,
        };
        for record in unfinished(c)? {
            if let Some(Work::Copy { bytes, since }) = record.work {
                counts.copies.start(&record.operation.id, bytes, since);
            }
            counts.active.insert(record.operation.id.clone(), record);
        }
        let mut statement = c.prepare("SELECT body FROM images WHERE ready = 0")?;
        for body in statement.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
            let image = Image::decode(body?.as_slice())?;
            if image.status() == image::Status::Creating {
                counts.creating.insert(image.id.clone(), image);
            }
        }
        Ok(counts)
    }
}

fn add(counts: &mut HashMap<String, i64>, folder: &str, change: i64) {
    match counts.get_mut(folder) {
        Some(count) => *count += change,
        None => {
            counts.insert(folder.to_owned(), change);
        }
    }
}

/// The writer's view inside the transaction a command runs in.
pub struct Writer<'a> {
    /// The writer's connection, in the open transaction.
    pub c: &'a Connection,
    /// The counts.
    pub counts: &'a mut Counts,
}

/// A store failure as the domain sees it.
fn storage(e: impl std::fmt::Display) -> Refusal {
    Refusal::Storage(e.to_string())
}

impl Lookup for Writer<'_> {
    fn image(&self, id: &str) -> Result<Option<Image>, Refusal> {
        if let Some(image) = self.counts.creating.get(id) {
            return Ok(Some(image.clone()));
        }
        image(self.c, id).map_err(storage)
    }

    fn operation(&self, id: &str) -> Result<Option<OperationRecord>, Refusal> {
        if let Some(record) = self.counts.active.get(id) {
            return Ok(Some(record.clone()));
        }
        operation(self.c, id).map_err(storage)
    }

    fn disk(&self, id: &str) -> Result<Option<Disk>, Refusal> {
        source(self.c, SourceTable::Disks, id).map_err(storage)
    }

    fn snapshot(&self, id: &str) -> Result<Option<Snapshot>, Refusal> {
        source(self.c, SourceTable::Snapshots, id).map_err(storage)
    }
}

impl Records for Writer<'_> {
    fn image_named(&self, folder: &str, name: &str) -> Result<Option<String>, Refusal> {
        image_named(self.c, folder, name).map_err(storage)
    }

    fn key(&self, folder: &str, key: &str) -> Result<Option<KeyRecord>, Refusal> {
        idempotency_key(self.c, folder, key).map_err(storage)
    }

    fn images_in(&self, folder: &str) -> i64 {
        self.counts.images.get(folder).copied().unwrap_or(0)
    }

    fn running_in(&self, folder: &str) -> i64 {
        self.counts.running.get(folder).copied().unwrap_or(0)
    }
}

impl Writer<'_> {
    /// Writes a command's changes (in its transaction) and follows them in memory.
    pub fn write(&mut self, changes: Vec<Change>) -> Result<(), StoreError> {
        for change in changes {
            match change {
                Change::AddImage(image) => self.add_image(*image)?,
                Change::ReplaceImage(image) => self.replace_image(*image)?,
                Change::RemoveImage { id, folder_id } => {
                    let removed = self
                        .c
                        .prepare_cached("DELETE FROM images WHERE id = ?1")?
                        .execute([&id])?;
                    if removed > 0 {
                        add(&mut self.counts.images, &folder_id, -1);
                    }
                    self.counts.creating.remove(&id);
                }
                Change::AddOperation(record) => self.add_operation(*record)?,
                Change::Reset { images } => {
                    empty_to_seed(self.c, &images)?;
                    *self.counts = Counts::load(self.c, self.counts.copies.rate())?;
                }
                Change::ReplaceOperation(record) => self.replace_operation(*record)?,
                Change::AddKey {
                    folder_id,
                    key,
                    record,
                } => {
                    self.c
                        .prepare_cached("INSERT INTO idempotency_keys VALUES (?1, ?2, ?3, ?4)")?
                        .execute(params![folder_id, key, record.request, record.operation_id])?;
                }
            }
        }
        Ok(())
    }

    fn add_image(&mut self, image: Image) -> Result<(), StoreError> {
        insert_image(self.c, &image)?;
        add(&mut self.counts.images, &image.folder_id, 1);
        self.follow_image(image);
        Ok(())
    }

    fn replace_image(&mut self, image: Image) -> Result<(), StoreError> {
        let changed = self
            .c
            .prepare_cached(
                "UPDATE images SET folder_id = ?2, name = ?3, family = ?4, ready = ?5, body = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                image.id,
                image.folder_id,
                image.name,
                image.family,
                is_ready(&image),
                image.encode_to_vec()
            ])?;
        if changed == 0 {
            return Err(StoreError::Missing(format!("image {}", image.id)));
        }
        self.follow_image(image);
        Ok(())
    }

    /// Keeps the images being created in memory.
    fn follow_image(&mut self, image: Image) {
        if image.status() == image::Status::Creating {
            self.counts.creating.insert(image.id.clone(), image);
        } else {
            self.counts.creating.remove(&image.id);
        }
    }

    fn add_operation(&mut self, record: OperationRecord) -> Result<(), StoreError> {
        let operation = &record.operation;
        let seq = self.counts.next_seq;
        self.c
            .prepare_cached(
                "INSERT INTO operations (id, seq, resource_id, folder_id, done, body, work)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                operation.id,
                seq,
                record.resource_id,
                record.folder_id,
                operation.done,
                operation.encode_to_vec(),
                record.work.as_ref().map(Work::encode)
            ])?;
        self.counts.next_seq += 1;
        if !operation.done {
            add(&mut self.counts.running, &record.folder_id, 1);
        }
        self.follow_operation(record);
        Ok(())
    }

    fn replace_operation(&mut self, record: OperationRecord) -> Result<(), StoreError> {
        let operation = &record.operation;
        // Only a running operation changes; a done one is never written again.
        let changed = self
            .c
            .prepare_cached(
                "UPDATE operations SET done = ?2, body = ?3, work = ?4 WHERE id = ?1 AND done = 0",
            )?
            .execute(params![
                operation.id,
                operation.done,
                operation.encode_to_vec(),
                record.work.as_ref().map(Work::encode)
            ])?;
        if changed == 0 {
            return Err(StoreError::Missing(format!(
                "running operation {}",
                operation.id
            )));
        }
        if operation.done {
            add(&mut self.counts.running, &record.folder_id, -1);
        }
        self.follow_operation(record);
        Ok(())
    }

    /// Keeps the running operations and their copies in memory.
    fn follow_operation(&mut self, record: OperationRecord) {
        let id = &record.operation.id;
        if record.operation.done {
            self.counts.copies.stop(id);
            self.counts.active.remove(id);
            return;
        }
        if let Some(Work::Copy { bytes, since }) = record.work
            && !self.counts.copies.contains(id)
        {
            self.counts.copies.start(id, bytes, since);
        }
        self.counts.active.insert(id.clone(), record);
    }
}

/// Writes a new image's row.
pub(super) fn insert_image(c: &Connection, image: &Image) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO images (id, folder_id, name, family, created_at, ready, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        image.id,
        image.folder_id,
        image.name,
        image.family,
        created_micros(image),
        is_ready(image),
        image.encode_to_vec()
    ])?;
    Ok(())
}

/// The operations not done, in the order they started.
fn unfinished(c: &Connection) -> Result<Vec<OperationRecord>, StoreError> {
    let mut statement = c.prepare(&format!(
        "SELECT {OPERATION_COLUMNS} FROM operations WHERE done = 0 ORDER BY seq"
    ))?;
    let rows = statement.query_map([], operation_record)?;
    let mut found = Vec::new();
    for row in rows {
        found.push(row??);
    }
    Ok(found)
}

fn image(c: &Connection, id: &str) -> Result<Option<Image>, StoreError> {
    let body: Option<Vec<u8>> = c
        .prepare_cached("SELECT body FROM images WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| Image::decode(b.as_slice())).transpose()?)
}

fn image_named(c: &Connection, folder: &str, name: &str) -> Result<Option<String>, StoreError> {
    Ok(
        c.prepare_cached("SELECT id FROM images WHERE folder_id = ?1 AND name = ?2 LIMIT 1")?
            .query_row(params![folder, name], |r| r.get(0))
            .optional()?,
    )
}

fn idempotency_key(
    c: &Connection,
    folder: &str,
    key: &str,
) -> Result<Option<KeyRecord>, StoreError> {
    Ok(c.prepare_cached(
        "SELECT request, operation_id FROM idempotency_keys WHERE folder_id = ?1 AND key = ?2",
    )?
    .query_row(params![folder, key], |r| {
        Ok(KeyRecord {
            request: r.get(0)?,
            operation_id: r.get(1)?,
        })
    })
    .optional()?)
}

/// The columns of an operation's row that make its record.
const OPERATION_COLUMNS: &str = "resource_id, folder_id, body, work";

/// An operation's record from a row of [`OPERATION_COLUMNS`].
fn operation_record(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<Result<OperationRecord, StoreError>> {
    let body: Vec<u8> = r.get(2)?;
    let work: Option<Vec<u8>> = r.get(3)?;
    let (resource_id, folder_id) = (r.get(0)?, r.get(1)?);
    Ok(Operation::decode(body.as_slice())
        .map(|operation| OperationRecord {
            operation,
            resource_id,
            folder_id,
            work: work.as_deref().and_then(Work::decode),
        })
        .map_err(StoreError::from))
}

fn operation(c: &Connection, id: &str) -> Result<Option<OperationRecord>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {OPERATION_COLUMNS} FROM operations WHERE id = ?1"
    ))?
    .query_row([id], operation_record)
    .optional()?
    .transpose()
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

/// Where a page of images starts: after the image with this sort key (the column's value,
/// then the ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// From the first.
    Start,
    /// After an ID.
    Id(String),
    /// After a name and ID.
    Name(String, String),
    /// After a creation time (microseconds) and ID.
    CreatedAt(i64, String),
}

/// The query of a List page: `?1` the folder, `?2` the name, `?3` and `?4` the sort key the
/// page starts after, `?5` how many rows; `None` when `after` is not a key of `order`.
pub(super) fn images_sql(by_name: bool, order: ImageOrder, after: &After) -> Option<String> {
    let (direction, compare) = if order.descending {
        ("DESC", "<")
    } else {
        ("ASC", ">")
    };
    let (order_by, key) = match order.column {
        OrderColumn::Id => (format!("id {direction}"), "id"),
        OrderColumn::Name => (format!("name {direction}, id {direction}"), "(name, id)"),
        OrderColumn::CreatedAt => (
            format!("created_at {direction}, id {direction}"),
            "(created_at, id)",
        ),
    };
    // Names are unique in a folder: a name filter finds at most one image through the name's
    // index (whatever the order; only `name=""`, the unnamed images, can find more, sorted).
    let (indexed, name_filter) = if by_name {
        ("INDEXED BY images_by_name", "AND name = ?2")
    } else {
        ("", "")
    };
    let bound = match (after, order.column) {
        (After::Start, _) => String::new(),
        (After::Id(_), OrderColumn::Id) => format!("AND id {compare} ?3"),
        (After::Name(..), OrderColumn::Name) | (After::CreatedAt(..), OrderColumn::CreatedAt) => {
            format!("AND {key} {compare} (?3, ?4)")
        }
        _ => return None,
    };
    Some(format!(
        "SELECT body FROM images {indexed} WHERE folder_id = ?1 {name_filter} {bound}
         ORDER BY {order_by} LIMIT ?5"
    ))
}

/// The newest READY image of a family in a folder (`?1`, `?2`).
pub(super) const LATEST_BY_FAMILY: &str = "SELECT body FROM images
    WHERE folder_id = ?1 AND family = ?2 AND family != '' AND ready = 1
    ORDER BY created_at DESC, id DESC LIMIT 1";

/// The operations of a resource (`?1`) after a position (`?2`), at most `?3`.
pub(super) const OPERATIONS_OF: &str = "SELECT body FROM operations
    WHERE resource_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

/// A connection for Get and List: it sees every committed change, never a transaction in
/// flight, and never waits for the writer.
pub struct Reader<'a> {
    /// The read connection.
    pub c: &'a Connection,
}

impl Lookup for Reader<'_> {
    fn image(&self, id: &str) -> Result<Option<Image>, Refusal> {
        image(self.c, id).map_err(storage)
    }

    fn operation(&self, id: &str) -> Result<Option<OperationRecord>, Refusal> {
        operation(self.c, id).map_err(storage)
    }

    fn disk(&self, id: &str) -> Result<Option<Disk>, Refusal> {
        source(self.c, SourceTable::Disks, id).map_err(storage)
    }

    fn snapshot(&self, id: &str) -> Result<Option<Snapshot>, Refusal> {
        source(self.c, SourceTable::Snapshots, id).map_err(storage)
    }
}

/// A table of seed sources (disks and snapshots: seed data nobody changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTable {
    /// `disks`.
    Disks,
    /// `snapshots`.
    Snapshots,
}

impl SourceTable {
    /// The point look-up by ID (a Create from a disk or snapshot reads it: no SQL built per
    /// call).
    fn by_id(self) -> &'static str {
        match self {
            SourceTable::Disks => "SELECT body FROM disks WHERE id = ?1",
            SourceTable::Snapshots => "SELECT body FROM snapshots WHERE id = ?1",
        }
    }

    /// Whether a folder has the ID (a page token names one).
    fn in_folder(self) -> &'static str {
        match self {
            SourceTable::Disks => "SELECT 1 FROM disks WHERE id = ?1 AND folder_id = ?2",
            SourceTable::Snapshots => "SELECT 1 FROM snapshots WHERE id = ?1 AND folder_id = ?2",
        }
    }

    /// A page of a folder's rows by ID, from the table's folder index.
    fn page(self) -> &'static str {
        match self {
            SourceTable::Disks => {
                "SELECT id, body FROM disks WHERE folder_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            SourceTable::Snapshots => {
                "SELECT id, body FROM snapshots WHERE folder_id = ?1 AND id > ?2 ORDER BY id \
                 LIMIT ?3"
            }
        }
    }
}

/// A disk or snapshot by ID.
fn source<M: Message + Default>(
    c: &Connection,
    table: SourceTable,
    id: &str,
) -> Result<Option<M>, StoreError> {
    let body: Option<Vec<u8>> = c
        .prepare_cached(table.by_id())?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| M::decode(b.as_slice())).transpose()?)
}

impl Reader<'_> {
    /// A page of the disks or snapshots of `folder` by ID, after the ID `after` (`""`: from
    /// the first), at most `limit`; the next page starts after the ID in `next`.
    pub fn sources<M: Message + Default>(
        &self,
        table: SourceTable,
        folder: &str,
        after: &str,
        limit: usize,
    ) -> Result<Page<M, String>, StoreError> {
        let mut statement = self.c.prepare_cached(table.page())?;
        let rows = statement.query_map(params![folder, after, (limit + 1) as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let rows = rows.map(|row| {
            let (id, body) = row?;
            Ok((id, M::decode(body.as_slice())?))
        });
        let page = read_page(rows, limit, |(id, _)| id.clone())?;
        Ok(page.map(|(_, m)| m))
    }

    /// Whether `folder` has a disk or snapshot with this ID (a page token names one).
    pub fn has_source(
        &self,
        table: SourceTable,
        folder: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let found = self
            .c
            .prepare_cached(table.in_folder())?
            .query_row([id, folder], |_| Ok(()));
        Ok(found.optional()?.is_some())
    }

    /// A page of the images of `folder` (with this name, if given) in `order`, after `after`,
    /// at most `limit`: read from the index of the order, never sorted.
    pub fn images(
        &self,
        folder: &str,
        name: Option<&str>,
        order: ImageOrder,
        after: &After,
        limit: usize,
    ) -> Result<Page<Image, After>, StoreError> {
        let Some(sql) = images_sql(name.is_some(), order, after) else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let (first, second): (rusqlite::types::Value, rusqlite::types::Value) = match after {
            After::Start => (rusqlite::types::Value::Null, rusqlite::types::Value::Null),
            After::Id(id) => (id.clone().into(), rusqlite::types::Value::Null),
            After::Name(name, id) => (name.clone().into(), id.clone().into()),
            After::CreatedAt(at, id) => ((*at).into(), id.clone().into()),
        };
        let mut statement = self.c.prepare_cached(&sql)?;
        let rows = statement.query_map(
            params![folder, name, first, second, (limit + 1) as i64],
            |r| r.get::<_, Vec<u8>>(0),
        )?;
        let rows = rows.map(|row| Ok(Image::decode(row?.as_slice())?));
        read_page(rows, limit, |image: &Image| match order.column {
            OrderColumn::Id => After::Id(image.id.clone()),
            OrderColumn::Name => After::Name(image.name.clone(), image.id.clone()),
            OrderColumn::CreatedAt => After::CreatedAt(created_micros(image), image.id.clone()),
        })
    }

    /// The newest READY image of a family in a folder.
    pub fn latest_by_family(
        &self,
        folder: &str,
        family: &str,
    ) -> Result<Option<Image>, StoreError> {
        let body: Option<Vec<u8>> = self
            .c
            .prepare_cached(LATEST_BY_FAMILY)?
            .query_row(params![folder, family], |r| r.get(0))
            .optional()?;
        Ok(body.map(|b| Image::decode(b.as_slice())).transpose()?)
    }

    /// The position of operation `id` among those of `resource_id` (where a page after it
    /// starts), if it is one of them.
    pub fn position_of(&self, resource_id: &str, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .c
            .prepare_cached("SELECT seq FROM operations WHERE id = ?1 AND resource_id = ?2")?
            .query_row(params![id, resource_id], |r| r.get(0))
            .optional()?)
    }

    /// A page of the operations on a resource in the order they started, after the position
    /// `after`, at most `limit`; the next page starts after the operation ID in `next`.
    pub fn operations_of(
        &self,
        resource_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<Page<Operation, String>, StoreError> {
        let mut statement = self.c.prepare_cached(OPERATIONS_OF)?;
        let rows = statement.query_map(params![resource_id, after, (limit + 1) as i64], |r| {
            r.get::<_, Vec<u8>>(0)
        })?;
        let rows = rows.map(|body| Ok(Operation::decode(body?.as_slice())?));
        read_page(rows, limit, |o: &Operation| o.id.clone())
    }

    /// Operations not done with their records (to resume after a restart), in the order they
    /// started.
    pub fn unfinished(&self) -> Result<Vec<OperationRecord>, StoreError> {
        unfinished(self.c)
    }
}

/// Empties the images, operations and idempotency keys, and writes the seed's images (a
/// reset; the disks and snapshots stay as they are).
fn empty_to_seed(c: &Connection, images: &[Image]) -> Result<(), StoreError> {
    c.execute_batch("DELETE FROM images; DELETE FROM operations; DELETE FROM idempotency_keys;")?;
    for image in images {
        insert_image(c, image)?;
    }
    Ok(())
}
