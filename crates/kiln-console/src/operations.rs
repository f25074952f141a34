//! The operations panel's state: every operation the page started, what its last poll said,
//! and the text kept in storage so the panel survives a reload.

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

/// The percent in a description like `Create image: 42% (8.4 of 20.0 GiB)`.
pub fn progress_of(description: &str) -> Option<u8> {
    let (_, rest) = description.split_once(": ")?;
    let (number, _) = rest.split_once('%')?;
    number.trim().parse::<u8>().ok().filter(|p| *p <= 100)
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
        self.description = op.description.clone();
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
                message: status.message.clone(),
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

    /// The panel entry for an operation just returned by Delete.
    pub fn deleting(op: &Operation, image_name: &str) -> Tracked {
        Tracked {
            deletes: true,
            ..Tracked::new(op, image_name)
        }
    }
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
}

impl Panel {
    /// Adds an operation at the top, or updates it when the panel has it already (an
    /// idempotent retry returns the same operation).
    pub fn upsert(&mut self, tracked: Tracked) {
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
        self.operations.retain(Tracked::running);
    }
}
