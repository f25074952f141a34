//! The operations panel's state: every operation the page started, what its last poll said,
//! and the text kept in storage so the panel survives a reload.

use kiln_core::progress::Progress;
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::proto::yandex::cloud::operation::{Operation, operation};
use prost::Message;
use serde::{Deserialize, Serialize};

/// Where an operation stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Not done yet.
    Running,
    /// Done with a response: the image is ready.
    Succeeded,
    /// Done with error code CANCELLED.
    Cancelled,
    /// Done with another error.
    Failed {
        /// gRPC status code.
        code: i32,
        /// The service's message.
        message: String,
    },
}

impl State {
    /// The status's class name for the page's styles (`running`, `done`, ...).
    pub fn class(&self) -> &'static str {
        match self {
            State::Running => "running",
            State::Succeeded => "done",
            State::Cancelled => "cancelled",
            State::Failed { .. } => "failed",
        }
    }
}

/// One operation in the panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracked {
    /// Operation ID.
    pub id: String,
    /// The operation's description as last polled (the local service puts progress there).
    pub description: String,
    /// The image being created (`CreateImageMetadata.image_id`).
    pub image_id: String,
    /// The image's name as submitted.
    pub image_name: String,
    /// When the operation was created, in seconds since the epoch (the service's clock).
    pub created_at: i64,
    /// When it was last modified, in seconds since the epoch (its end when done).
    pub modified_at: i64,
    /// Its state.
    pub state: State,
    /// Progress in percent, when the description carries it.
    pub progress: Option<u8>,
    /// Whether it deletes an image (else it creates one).
    #[serde(default)]
    pub deletes: bool,
}

/// The percent in a description like `Create image: 42% (8.4 of 20.0 GiB)` (read by the
/// core's reader of the service's descriptions, `kiln_core::progress`).
pub fn progress_of(description: &str) -> Option<u8> {
    Progress::parse(description)?.percent()
}

/// The image ID in an operation's `CreateImageMetadata`, if it carries one.
pub fn image_id_of(op: &Operation) -> Option<String> {
    let any = op.metadata.as_ref()?;
    if !any
        .type_url
        .ends_with("yandex.cloud.compute.v1.CreateImageMetadata")
    {
        return None;
    }
    compute::CreateImageMetadata::decode(any.value.as_slice())
        .ok()
        .map(|m| m.image_id)
}

impl Tracked {
    /// The panel entry for an operation just returned by Create.
    pub fn new(op: &Operation, image_name: &str) -> Tracked {
        let mut tracked = Tracked {
            id: op.id.clone(),
            description: String::new(),
            image_id: String::new(),
            image_name: image_name.to_owned(),
            created_at: 0,
            modified_at: 0,
            state: State::Running,
            progress: None,
            deletes: false,
        };
        tracked.update(op);
        tracked
    }

    /// Takes in what a poll returned.
    pub fn update(&mut self, op: &Operation) {
        // Kept in local storage: bounded whatever the service says.
        self.description = crate::call::kept(&op.description);
        if let Some(id) = image_id_of(op) {
            self.image_id = id;
        }
        self.created_at = op.created_at.map_or(self.created_at, |t| t.seconds);
        self.modified_at = op.modified_at.map_or(self.modified_at, |t| t.seconds);
        self.state = match (&op.result, op.done) {
            (Some(operation::Result::Error(status)), true)
                if status.code == tonic::Code::Cancelled as i32 =>
            {
                State::Cancelled
            }
            (Some(operation::Result::Error(status)), true) => State::Failed {
                code: status.code,
                message: crate::call::kept(&status.message),
            },
            (_, true) => State::Succeeded,
            (_, false) => State::Running,
        };
        self.progress = match self.state {
            State::Succeeded => Some(100),
            State::Running => progress_of(&op.description).or(self.progress),
            _ => self.progress,
        };
    }

    /// Whether polling should go on.
    pub fn running(&self) -> bool {
        self.state == State::Running
    }

    /// Seconds from creation to `now` (while running) or to the last change (when done).
    pub fn elapsed(&self, now: i64) -> i64 {
        let end = if self.running() {
            now
        } else {
            self.modified_at
        };
        (end - self.created_at).max(0)
    }

    /// The panel entry for an operation the service listed for image `image_id` (started by
    /// anyone: this browser, the CLI, a colleague).
    pub fn listed(op: &Operation, image_id: &str, image_name: &str) -> Tracked {
        let mut tracked = Tracked {
            deletes: kind_of(op) == Kind::Delete,
            ..Tracked::new(op, image_name)
        };
        if tracked.image_id.is_empty() {
            tracked.image_id = image_id.to_owned();
        }
        tracked
    }
}

/// What an operation does to an image, read from its metadata's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `CreateImageMetadata`.
    Create,
    /// `UpdateImageMetadata`.
    Update,
    /// `DeleteImageMetadata`.
    Delete,
    /// Anything else.
    Other,
}

/// What `op` does, by its metadata's type.
pub fn kind_of(op: &Operation) -> Kind {
    let url = op.metadata.as_ref().map_or("", |m| m.type_url.as_str());
    let name = url.rsplit(['/', '.']).next().unwrap_or_default();
    match name {
        "CreateImageMetadata" => Kind::Create,
        "UpdateImageMetadata" => Kind::Update,
        "DeleteImageMetadata" => Kind::Delete,
        _ => Kind::Other,
    }
}

/// The operation of a listing that is still running, if any (the newest one first).
pub fn running_of(ops: &[Operation]) -> Option<&Operation> {
    ops.iter()
        .filter(|op| !op.done)
        .max_by_key(|op| op.created_at.map_or(0, |t| t.seconds))
}

/// The poll interval the service asks for (`x-operation-poll-interval`, whole seconds), in
/// milliseconds; one second when absent or unreadable, as the SDKs do.
pub fn poll_interval_ms(header: Option<&str>) -> u32 {
    header
        .and_then(|h| h.trim().parse::<u32>().ok())
        .filter(|s| (1..=60).contains(s))
        .map_or(1000, |s| s * 1000)
}

/// The panel: newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    /// The tracked operations.
    pub operations: Vec<Tracked>,
    /// Operations cleared from the panel (so a merge with another tab does not bring them
    /// back); the newest [`FORGOTTEN_KEPT`] only.
    #[serde(default)]
    pub forgotten: Vec<String>,
}

/// How many cleared operation IDs a panel remembers.
pub const FORGOTTEN_KEPT: usize = 200;

impl Panel {
    /// Adds an operation at the top, or updates it when the panel has it already (an
    /// idempotent retry returns the same operation).
    pub fn upsert(&mut self, tracked: Tracked) {
        self.forgotten.retain(|id| *id != tracked.id);
        match self.operations.iter_mut().find(|t| t.id == tracked.id) {
            Some(existing) => *existing = tracked,
            None => self.operations.insert(0, tracked),
        }
    }

    /// Applies a polled operation to its entry.
    pub fn update(&mut self, op: &Operation) {
        if let Some(t) = self.operations.iter_mut().find(|t| t.id == op.id) {
            t.update(op);
        }
    }

    /// IDs of the operations still to poll.
    pub fn running(&self) -> Vec<String> {
        self.operations
            .iter()
            .filter(|t| t.running())
            .map(|t| t.id.clone())
            .collect()
    }

    /// Forgets the finished operations.
    pub fn clear_finished(&mut self) {
        let finished = self.operations.iter().filter(|t| !t.running());
        let ids: Vec<String> = finished.map(|t| t.id.clone()).collect();
        self.forget(ids);
    }

    fn forget(&mut self, ids: Vec<String>) {
        self.forgotten.extend(ids);
        // Sorted (IDs grow with time), so two tabs keep the same list in the same order.
        self.forgotten.sort();
        self.forgotten.dedup();
        let extra = self.forgotten.len().saturating_sub(FORGOTTEN_KEPT);
        self.forgotten.drain(..extra);
        let forgotten = &self.forgotten;
        self.operations.retain(|t| !forgotten.contains(&t.id));
    }

    /// Whether the operation a form started still stands for that form: it runs or succeeded,
    /// or the panel no longer knows it (cleared here or in another tab: the image may well
    /// exist, so the same form must not make a second one). Only an operation seen to fail or
    /// be cancelled lets the same form be sent again.
    pub fn standing(&self, op: &str) -> bool {
        self.operations
            .iter()
            .find(|t| t.id == op)
            .is_none_or(|t| matches!(t.state, State::Running | State::Succeeded))
    }

    /// Polling gave up on operation `id` (it cannot be found any more): it is no longer shown
    /// as running, nor polled again, and says why.
    pub fn lost(&mut self, id: &str, code: i32, message: &str) {
        if let Some(t) = self
            .operations
            .iter_mut()
            .find(|t| t.id == id && t.running())
        {
            t.state = State::Failed {
                code,
                message: message.to_owned(),
            };
        }
    }

    /// Takes in a running operation the service listed for an image (anyone's), unless the
    /// panel has it already; whether it is new (and so must be polled).
    pub fn adopt(&mut self, op: &Operation, image_id: &str, image_name: &str) -> bool {
        if self.operations.iter().any(|t| t.id == op.id) {
            return false;
        }
        self.upsert(Tracked::listed(op, image_id, image_name));
        true
    }

    /// The entry of the running operation on image `image_id`, if the panel has one.
    pub fn running_on(&self, image_id: &str) -> Option<&Tracked> {
        self.operations
            .iter()
            .find(|t| t.running() && t.image_id == image_id)
    }

    /// Takes in another tab's panel: every operation of either, each at its furthest state
    /// (done beats running, then the later change). Both tabs end with the same panel
    /// whatever order the merges run in, so two tabs writing storage settle at once.
    pub fn merge(&mut self, other: Panel) {
        self.forget(other.forgotten);
        for theirs in other.operations {
            match self.operations.iter_mut().find(|t| t.id == theirs.id) {
                Some(ours) if further(&theirs, ours) => *ours = theirs,
                Some(_) => {}
                None if !self.forgotten.contains(&theirs.id) => self.operations.push(theirs),
                None => {}
            }
        }
        // Newest first, ties by ID: one order whatever each tab had.
        self.operations.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
    }
}

/// Whether `a` is further along than `b` (the same operation seen at two moments).
fn further(a: &Tracked, b: &Tracked) -> bool {
    let rank = |t: &Tracked| (!t.running(), t.modified_at, t.progress);
    rank(a) > rank(b)
}
