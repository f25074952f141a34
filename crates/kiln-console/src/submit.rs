//! What pressing Create does: show the problems, wait for the call in flight, say the same form
//! was already created, or send with an idempotency key. The key of a form is kept (with the
//! form's JSON) until its Create started, so the same form sent again after a failure, a
//! language switch, a screen change or a reload reuses it and the service makes one image.

use serde::{Deserialize, Serialize};

use crate::call::CallError;

/// The Create the console is sending or last sent: the form's JSON, its key, and whether a
/// call is in flight. Kept in the shared state and session storage, not in a screen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flight {
    /// The form as sent (its proto3 JSON).
    pub json: String,
    /// The idempotency key it is sent with.
    pub key: String,
    /// Whether a call is in flight (cleared when it ends, either way).
    pub sending: bool,
    /// The operation it started, once it did.
    pub operation: Option<String>,
}

/// What a press of Create does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submit {
    /// The form has problems: show them all, send nothing.
    ShowProblems,
    /// A Create of this form is in flight: send nothing, say so.
    Wait,
    /// This form already started the operation named, which runs or succeeded: say so.
    AlreadyCreated(String),
    /// Send with this key.
    Send {
        /// The idempotency key.
        key: String,
    },
}

/// Decides what a press of Create does.
///
/// `standing(op)` says whether operation `op` runs or succeeded (after a failure or a cancel
/// the same form is sent again, with a fresh key, because the image was not made).
pub fn decide(
    problems: usize,
    json: &str,
    flight: Option<&Flight>,
    standing: impl Fn(&str) -> bool,
    fresh_key: impl FnOnce() -> String,
) -> Submit {
    if problems > 0 {
        return Submit::ShowProblems;
    }
    match flight {
        Some(f) if f.sending => Submit::Wait,
        Some(f) if f.json == json => match &f.operation {
            Some(op) if standing(op) => Submit::AlreadyCreated(op.clone()),
            // Started but failed or cancelled: a new image is wanted.
            Some(_) => Submit::Send { key: fresh_key() },
            // Not started (the call failed): the same key, so a Create the service did take
            // but whose answer was lost is not made twice.
            None => Submit::Send { key: f.key.clone() },
        },
        _ => Submit::Send { key: fresh_key() },
    }
}

/// What the create screen's banner says, kept as what happened (not as text), so it is worded
/// in the language the page speaks when it is shown: a language switch rewords it.
#[derive(Clone, Debug, PartialEq)]
pub enum Banner {
    /// The Create is being sent.
    Sending,
    /// Pressed again while it is being sent.
    StillSending,
    /// It started operation `0`.
    Started(String),
    /// The same form already started operation `0`.
    AlreadyCreated(String),
    /// It failed in a way worth retrying; retried after `delay_ms`, attempt `attempt` of `of`.
    Retrying {
        /// Why.
        error: CallError,
        /// The wait before the next attempt.
        delay_ms: u32,
        /// The attempt about to run.
        attempt: u32,
        /// Attempts in all.
        of: u32,
    },
    /// It failed.
    Failed(CallError),
}

/// The flight of a Create being sent.
pub fn sending(json: &str, key: &str) -> Flight {
    Flight {
        json: json.to_owned(),
        key: key.to_owned(),
        sending: true,
        operation: None,
    }
}

impl Flight {
    /// The call ended: with the operation it started, or with none (a failure; the key stays).
    pub fn ended(&mut self, operation: Option<String>) {
        self.sending = false;
        self.operation = operation;
    }
}

/// How many NOT_FOUND answers in a row polling accepts (a new operation may not be on every
/// replica yet, as the SDKs say) before it gives up.
pub const NOT_FOUND_TOLERANCE: u32 = 3;

/// What the poller does after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PollStep {
    /// Poll again after this many milliseconds.
    Again(u32),
    /// The operation is done: stop.
    Done,
    /// Stop: the operation cannot be found (or cannot be polled) any more.
    GiveUp,
}

/// The poller of one operation: how it reacts to answers and failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    not_found: u32,
}

impl Poll {
    /// An answer: done, or poll again after the interval the service asked for.
    pub fn answered(&mut self, done: bool, interval_ms: u32) -> PollStep {
        self.not_found = 0;
        if done {
            PollStep::Done
        } else {
            PollStep::Again(interval_ms)
        }
    }

    /// A failure: NOT_FOUND is tolerated a few times in a row; a caller error that will not
    /// change by waiting (permission, authentication, a bad ID) stops polling; anything else
    /// (unreachable, deadline, unavailable) is retried with the error shown, at twice the pace.
    pub fn failed(&mut self, code: tonic::Code) -> PollStep {
        use tonic::Code;
        let again = PollStep::Again(2 * crate::panel::poll_interval_ms(None));
        match code {
            Code::NotFound => {
                self.not_found += 1;
                if self.not_found > NOT_FOUND_TOLERANCE {
                    PollStep::GiveUp
                } else {
                    again
                }
            }
            Code::PermissionDenied | Code::InvalidArgument => PollStep::GiveUp,
            _ => again,
        }
    }
}
