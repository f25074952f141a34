//! Persistence: the SQLite database in the data folder (rows of images, operations and
//! idempotency keys, see [`schema`]), written by one thread that runs the domain's commands.
//!
//! One thread owns the writing connection and runs every command ([`Store::apply`]): it takes
//! every command waiting, runs each (its reads, its checks, its writes) inside one transaction,
//! commits once, and only then answers them (group commit). When a write fails, the group is
//! rolled back, the counts in memory are read again, and each command of the group runs again
//! in a transaction of its own, so a failing one leaves no trace and does not disturb the
//! others. A crash leaves each command's change whole or absent, and an answer is never sent
//! for a change that is not committed. Between groups the same thread writes the progress and
//! the end of running copies ([`copies`]), as commands too.
//!
//! Get and List read on connections of their own ([`Store::read`]): they see what is
//! committed, do not queue behind the writer's commands (only, for a moment, behind a reset of
//! the WAL), and read from indexes in the order asked for. In memory stays only what is bounded
//! by the operations running: the quotas' counts, the running operations with the images they
//! create, and their copies. Disks and snapshots (seed data nobody changes) are rows too, read
//! like the rest, through the domain's look-ups and the readers' pages.

mod copies;
mod page;
mod rows;
mod schema;
pub mod seed;

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use kiln_core::proto::yandex::cloud::compute::v1::{Image, image};
use rusqlite::{Connection, OpenFlags};

pub use rows::{After, ImageOrder, OrderColumn, Reader, SourceTable, Writer};

use crate::domain::{Applied, Refusal};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused a statement.
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    /// A stored message does not decode: something else changed the database.
    #[error("a stored record does not decode: {0}")]
    Undecodable(prost::DecodeError),
    /// The store's thread is gone.
    #[error("the store has stopped")]
    Stopped,
    /// The transaction the command ran in did not commit.
    #[error("the change was not committed: {0}")]
    NotCommitted(String),
    /// A change replaces a record that is not stored (or an operation that is done).
    #[error("no {0} to replace")]
    Missing(String),
    /// A thread could not be started.
    #[error("cannot start the store's thread: {0}")]
    Thread(std::io::Error),
}

// Each wrapped error's text is in the message, so it is not also the `source` (a chain would
// print it twice): the conversions are written out instead of `#[from]`.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(e)
    }
}

impl From<prost::DecodeError> for StoreError {
    fn from(e: prost::DecodeError) -> StoreError {
        StoreError::Undecodable(e)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> StoreError {
        StoreError::Thread(e)
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Storage(e.to_string())
    }
}

/// A handle on the store.
#[derive(Clone)]
pub struct Store {
    calls: Arc<mpsc::Sender<Box<dyn Call>>>,
    readers: Arc<Readers>,
}

/// Read connections, taken one per read and given back.
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Read connections kept open between reads.
const IDLE_READERS: usize = 8;

/// A command run on the store's thread.
trait Call: Send {
    /// Runs the command in the open transaction (again, alone, if another of its group failed);
    /// whether its writes succeeded.
    fn run(&mut self, writer: &mut Writer<'_>) -> bool;
    /// Sends the result of the last run, or `error` when its transaction did not commit.
    fn answer(self: Box<Self>, error: Option<&StoreError>);
}

/// A command and where its result goes.
struct Pending<F, T> {
    f: F,
    result: Option<Result<T, Refusal>>,
    failed: Option<String>,
    send: tokio::sync::oneshot::Sender<Result<T, Refusal>>,
}

impl<F, T> Call for Pending<F, T>
where
    F: FnMut(&Writer<'_>) -> Result<Applied<T>, Refusal> + Send,
    T: Send,
{
    fn run(&mut self, writer: &mut Writer<'_>) -> bool {
        self.failed = None;
        match (self.f)(writer) {
            Err(refusal) => {
                self.result = Some(Err(refusal));
                true
            }
            Ok(applied) => match writer.write(applied.changes) {
                Ok(()) => {
                    self.result = Some(Ok(applied.reply));
                    true
                }
                Err(e) => {
                    self.failed = Some(e.to_string());
                    self.result = None;
                    false
                }
            },
        }
    }

    fn answer(self: Box<Self>, error: Option<&StoreError>) {
        let result = match (self.result, error, self.failed) {
            (_, _, Some(failed)) => Err(Refusal::Storage(failed)),
            (Some(Err(refusal)), _, None) => Err(refusal),
            (Some(Ok(_)), Some(e), None) => Err(Refusal::Storage(e.to_string())),
            (Some(Ok(value)), None, None) => Ok(value),
            (None, e, None) => Err(Refusal::Storage(
                e.map_or("the command was not run".into(), |e| e.to_string()),
            )),
        };
        let _ = self.send.send(result);
    }
}

/// Commands run in one transaction at most (more wait for the next one).
const MOST_PER_TRANSACTION: usize = 256;
/// How long the copies wait after their own writes failed before they try again.
const COPIES_RETRY: Duration = Duration::from_secs(1);

/// How a connection waits out another's lock: in steps of 100 µs, for about 10 s at most.
/// (SQLite's own busy timeout sleeps 1, 2, 5, 10, 15… ms: the writer, meeting the lock a
/// checkpoint holds for a moment, lost some 40 ms each time.)
fn wait_briefly(attempt: i32) -> bool {
    if attempt >= 100_000 {
        return false;
    }
    std::thread::sleep(Duration::from_micros(100));
    true
}

/// Whether an image is READY (the `ready` column).
fn is_ready(image: &Image) -> bool {
    image.status() == image::Status::Ready
}

/// An image's `created_at` in microseconds (the `created_at` column).
fn created_micros(image: &Image) -> i64 {
    image.created_at.map_or(0, |t| {
        t.seconds
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(t.nanos / 1000))
    })
}

impl Store {
    /// Opens (or creates and seeds) the database at `path`; copies run at `copy_rate` bytes per
    /// second.
    pub fn open(path: &Path, copy_rate: u64) -> Result<Store, StoreError> {
        Store::open_seeded(path, copy_rate, &crate::store::seed::development(), false)
    }

    /// [`Store::open`] with `seed` for a new database; with `replace_sources` (a seed file) an
    /// existing one's disks and snapshots become the seed's and its images are added where
    /// missing.
    pub fn open_seeded(
        path: &Path,
        copy_rate: u64,
        seed: &crate::store::seed::Seed,
        replace_sources: bool,
    ) -> Result<Store, StoreError> {
        let mut connection = Connection::open(path)?;
        schema::prepare(&mut connection, seed, replace_sources)?;
        // Checkpoints (the only fsyncs in WAL mode with synchronous = NORMAL) run on a thread of
        // their own, so no command waits for one; the writer waits out the short moments a
        // checkpoint that resets the log holds the lock.
        connection.execute_batch(
            "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;",
        )?;
        connection.busy_handler(Some(wait_briefly))?;
        connection.set_prepared_statement_cache_capacity(64);
        let counts = rows::Counts::load(&connection, copy_rate)?;
        let (sender, calls) = mpsc::channel();
        let store = Store {
            calls: Arc::new(sender),
            readers: Arc::new(Readers {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        };
        let reset = Arc::new(AtomicBool::new(false));
        let reset_wanted = reset.clone();
        std::thread::Builder::new()
            .name("kiln-store".into())
            .spawn(move || run_calls(&connection, counts, &calls, &reset_wanted))?;
        checkpointer(path, Arc::downgrade(&store.calls), reset)?;
        Ok(store)
    }

    /// Runs a domain command on the store's thread, inside the transaction of its group, and
    /// writes its changes there; its reply comes back once that transaction is committed.
    pub async fn apply<T: Send + 'static>(
        &self,
        command: impl FnMut(&Writer<'_>) -> Result<Applied<T>, Refusal> + Send + 'static,
    ) -> Result<T, Refusal> {
        let (send, receive) = tokio::sync::oneshot::channel();
        let call = Box::new(Pending {
            f: command,
            result: None,
            failed: None,
            send,
        });
        let gone = || Refusal::Storage(StoreError::Stopped.to_string());
        self.calls.send(call).map_err(|_| gone())?;
        receive.await.map_err(|_| gone())?
    }

    /// Runs `f` on a read connection (what is committed, at once). Reads are point look-ups
    /// and index ranges of at most a page, so they run on the caller's thread.
    pub fn read<T>(&self, f: impl FnOnce(&Reader<'_>) -> Result<T, Refusal>) -> Result<T, Refusal> {
        let storage = |e: rusqlite::Error| Refusal::Storage(StoreError::from(e).to_string());
        let taken = self
            .readers
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let connection = match taken {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.readers.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(storage)?;
                c.busy_handler(Some(wait_briefly)).map_err(storage)?;
                c.set_prepared_statement_cache_capacity(32);
                c
            }
        };
        let result = f(&Reader { c: &connection });
        let mut idle = self.readers.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
        result
    }
}

/// Runs the commands sent to the store, as many as are waiting in one transaction, and the
/// copies that are due (in the same transaction), until every handle is gone.
fn run_calls(
    connection: &Connection,
    mut counts: rows::Counts,
    calls: &mpsc::Receiver<Box<dyn Call>>,
    reset_wal_wanted: &AtomicBool,
) {
    let mut copies_wait_until: Option<Instant> = None;
    loop {
        if reset_wal_wanted.swap(false, Ordering::Relaxed) {
            reset_wal(connection);
        }
        let wake = counts
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
            && counts.copies.next().is_some_and(|at| at <= now);
        if group.is_empty() && !copies_due {
            continue;
        }
        let outcome = in_transaction(connection, &mut counts, |w| {
            (!copies_due || copies::run_due(w, now).is_ok())
                && group.iter_mut().all(|call| call.run(w))
        });
        match outcome {
            Some(Ok(())) => {
                if copies_due {
                    copies_wait_until = None;
                }
                for call in group {
                    call.answer(None);
                }
            }
            // Something failed and the group was rolled back, or its commit failed (then even
            // a refusal may rest on a change that is not there): the copies and each command
            // run again on their own.
            _ => {
                if copies_due {
                    let alone = in_transaction(connection, &mut counts, |w| {
                        copies::run_due(w, now)
                            .inspect_err(|e| eprintln!("kiln serve: copies: {e}"))
                            .is_ok()
                    });
                    let failed = !matches!(alone, Some(Ok(())));
                    copies_wait_until = failed.then_some(now + COPIES_RETRY);
                }
                for mut call in group {
                    let committed = in_transaction(connection, &mut counts, |w| call.run(w));
                    let error = match committed {
                        Some(Ok(())) => None,
                        Some(Err(e)) => Some(e),
                        None => Some(StoreError::NotCommitted("rolled back".into())),
                    };
                    call.answer(error.as_ref());
                }
            }
        }
    }
}

/// Runs `body` in a transaction, committed when it returns `true` (`Some` of the commit's
/// outcome, or of BEGIN's error) and rolled back when it returns `false` (`None`). After a
/// rollback or a failed commit, the counts in memory are read again from the database.
fn in_transaction(
    connection: &Connection,
    counts: &mut rows::Counts,
    body: impl FnOnce(&mut Writer<'_>) -> bool,
) -> Option<Result<(), StoreError>> {
    let run = |sql: &str| {
        connection
            .prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map(drop)
    };
    // Memory that could not be read again after a failure is not trusted with a command.
    if counts.stale {
        match rows::Counts::load(connection, counts.copies.rate()) {
            Ok(reloaded) => *counts = reloaded,
            Err(e) => return Some(Err(e)),
        }
    }
    // IMMEDIATE: the write lock from the start, waiting (busy handler) while a checkpoint
    // resets the log; a deferred transaction that read first would fail to upgrade instead.
    if let Err(e) = run("BEGIN IMMEDIATE") {
        eprintln!("kiln serve: store: cannot begin a transaction: {e}");
        return Some(Err(e.into()));
    }
    let mut writer = Writer {
        c: connection,
        counts,
    };
    let committed = if body(&mut writer) {
        Some(
            run("COMMIT")
                .inspect_err(|_| {
                    let _ = run("ROLLBACK");
                })
                .map_err(|e| StoreError::NotCommitted(e.to_string())),
        )
    } else {
        let _ = run("ROLLBACK");
        None
    };
    if !matches!(committed, Some(Ok(()))) {
        if !connection.is_autocommit() {
            eprintln!("kiln serve: store: a rolled-back transaction is still open");
        }
        match rows::Counts::load(connection, counts.copies.rate()) {
            Ok(reloaded) => *counts = reloaded,
            Err(e) => {
                eprintln!("kiln serve: store: cannot read the counts again: {e}");
                counts.stale = true;
            }
        }
    }
    committed
}

/// WAL pages past which the log is reset (about 16 MB at 4 KiB pages).
const WAL_RESET_PAGES: i64 = 4096;

/// Checkpoints the WAL every 200 ms from a connection of its own, until the store is dropped.
/// A PASSIVE checkpoint never blocks the writer, but under steady writes it never reaches the
/// log's end, so the log would only grow: when it holds more than [`WAL_RESET_PAGES`], the
/// checkpointer asks the writer (`reset`) to reset it between two groups of commands. The
/// writer holds the write lock anyway, so its RESTART checkpoint only copies what the passive
/// ones left and waits for the readers of the moment; it then writes the log again from its
/// start, over the file's pages (no growing of the file).
fn checkpointer(
    path: &Path,
    store: std::sync::Weak<mpsc::Sender<Box<dyn Call>>>,
    reset: Arc<AtomicBool>,
) -> Result<(), StoreError> {
    let connection = Connection::open(path)?;
    connection.busy_handler(Some(wait_briefly))?;
    std::thread::Builder::new()
        .name("kiln-checkpoint".into())
        .spawn(move || {
            while store.strong_count() > 0 {
                std::thread::sleep(Duration::from_millis(200));
                match connection.query_row("PRAGMA wal_checkpoint(PASSIVE);", [], |r| {
                    r.get::<_, i64>(1)
                }) {
                    Ok(pages) if pages > WAL_RESET_PAGES => reset.store(true, Ordering::Relaxed),
                    Ok(_) => {}
                    Err(e) => eprintln!("kiln serve: checkpoint: {e}"),
                }
            }
        })?;
    Ok(())
}

/// Resets the WAL from the writer's connection, between groups (see [`checkpointer`]).
fn reset_wal(connection: &Connection) {
    if let Err(e) = connection.query_row("PRAGMA wal_checkpoint(RESTART);", [], |_| Ok(())) {
        eprintln!("kiln serve: checkpoint: {e}");
    }
}

#[cfg(test)]
mod tests;
