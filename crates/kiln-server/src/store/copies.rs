//! The copies in flight ([`Copies`]): when each running copy next needs its progress written
//! or its end.
//!
//! A Create from a disk, snapshot or image, and an import once its file is downloaded, copies
//! its bytes at the configured rate. The store's thread runs every copy: [`Copies`] is part of
//! its state, ordered by when each copy next needs attention, and between groups of calls the
//! thread writes the progress of running copies (about four times a second, for copies long
//! enough to show any) and finishes those whose time is up, inside the group's transaction. A
//! copy costs no task, timer or round trip of its own, and Cancel (a store call) and the end
//! of a copy are ordered by that one thread: whichever comes first wins.
//!
//! A copy's start is stored with its work, so after a restart it goes on where the clock says
//! it is (a copy whose time passed while the service was down finishes at once).

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use foldhash::HashMap;
use kiln_core::progress::Progress;

use super::{StoreError, Writer};
use crate::domain::{
    self,
    ids::{clock, now_micros},
};

/// Copies shorter than this show no progress (nobody could see it).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// The longest a copy takes.
const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// A running copy.
#[derive(Debug)]
struct Copy {
    bytes: i64,
    total: Duration,
    end: Instant,
    /// When it next needs attention (its key in the queue).
    next: Instant,
}

/// What a running copy needs now.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// Its operation's description becomes this.
    Progress {
        operation_id: String,
        description: String,
    },
    /// Its time is up: the image is READY, the operation done.
    Finish { operation_id: String },
}

/// The running copies, by operation ID and by when each next needs attention.
#[derive(Debug)]
pub struct Copies {
    /// Bytes per second.
    rate: u64,
    running: HashMap<String, Copy>,
    queue: BTreeSet<(Instant, String)>,
}

impl Copies {
    /// No copies, at `rate` bytes per second.
    pub fn new(rate: u64) -> Copies {
        Copies {
            rate: rate.max(1),
            running: HashMap::default(),
            queue: BTreeSet::new(),
        }
    }

    /// The copy rate, bytes per second.
    pub fn rate(&self) -> u64 {
        self.rate
    }

    /// Starts (or, after a restart, goes on with) the copy of `bytes` for `operation_id`,
    /// begun at `since` (microseconds since the Unix epoch; `None` = now).
    pub fn start(&mut self, operation_id: &str, bytes: i64, since: Option<i64>) {
        self.stop(operation_id);
        // At most a year (a copy of exabytes at a byte a second must not overflow the clock).
        let total = Duration::from_secs_f64(
            (bytes.max(0) as f64 / self.rate as f64).min(LONGEST.as_secs_f64()),
        );
        let elapsed = since.map_or(0, |since| now_micros().saturating_sub(since).max(0));
        let now = Instant::now();
        let end = now + total.saturating_sub(Duration::from_micros(elapsed as u64));
        let next = if total < PROGRESS_EVERY {
            end
        } else {
            end.min(now + PROGRESS_EVERY)
        };
        self.queue.insert((next, operation_id.to_owned()));
        self.running.insert(
            operation_id.to_owned(),
            Copy {
                bytes,
                total,
                end,
                next,
            },
        );
    }

    /// Forgets the copy of `operation_id` (it ended or was cancelled), if there is one.
    pub fn stop(&mut self, operation_id: &str) {
        if let Some(copy) = self.running.remove(operation_id) {
            self.queue.remove(&(copy.next, operation_id.to_owned()));
        }
    }

    /// Whether the copy of `operation_id` runs.
    pub fn contains(&self, operation_id: &str) -> bool {
        self.running.contains_key(operation_id)
    }

    /// When the first copy needs attention.
    pub fn next(&self) -> Option<Instant> {
        self.queue.first().map(|(at, _)| *at)
    }

    /// The steps due at `now`: copies whose time is up are forgotten (to be finished), the
    /// others get their progress and their next turn.
    pub fn due(&mut self, now: Instant) -> Vec<Step> {
        let mut steps = Vec::new();
        while let Some((at, _)) = self.queue.first()
            && *at <= now
        {
            let Some((_, operation_id)) = self.queue.pop_first() else {
                break;
            };
            let Some(copy) = self.running.get_mut(&operation_id) else {
                continue;
            };
            if copy.end <= now {
                self.running.remove(&operation_id);
                steps.push(Step::Finish { operation_id });
                continue;
            }
            let left = copy.end - now;
            let share = 1.0 - left.as_secs_f64() / copy.total.as_secs_f64();
            let total_bytes = copy.bytes.max(0) as u64;
            let progress = Progress::Copying {
                percent: (share * 100.0) as u8,
                done_bytes: (share * total_bytes as f64) as u64,
                total_bytes,
            };
            steps.push(Step::Progress {
                description: progress.describe(),
                operation_id: operation_id.clone(),
            });
            copy.next = copy.end.min(now + PROGRESS_EVERY);
            self.queue.insert((copy.next, operation_id));
        }
        steps
    }
}

/// Writes the progress of the copies due at `at` and finishes those whose time is up.
pub(super) fn run_due(w: &mut Writer<'_>, at: Instant) -> Result<(), StoreError> {
    let now = clock();
    for step in w.counts.copies.due(at) {
        let applied = match step {
            Step::Progress {
                operation_id,
                description,
            } => domain::progress(w, &operation_id, description, now),
            Step::Finish { operation_id } => domain::finish_copy(w, &operation_id, now),
        };
        // A refusal here is a store that could not read: the group is rolled back and the
        // copies (read again with the rest) come back after a pause.
        let applied = applied.map_err(|refusal| StoreError::NotCommitted(refusal.to_string()))?;
        w.write(applied.changes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: i64 = 1 << 30;

    #[test]
    fn a_long_copy_shows_progress_then_finishes_and_a_short_one_just_finishes() {
        let mut copies = Copies::new(GIB as u64); // 1 GiB/s
        copies.start("long", 2 * GIB, None);
        copies.start("short", GIB / 8, None);
        let start = Instant::now();
        assert!(copies.due(start).is_empty());
        // The short copy (125 ms) is due first, and only to finish.
        let first = copies.next().unwrap();
        assert!(first <= start + Duration::from_millis(130));
        let steps = copies.due(start + Duration::from_millis(200));
        assert_eq!(
            steps,
            [Step::Finish {
                operation_id: "short".into(),
            }]
        );
        // The long one (2 s) shows progress every 250 ms until its end.
        let steps = copies.due(start + Duration::from_millis(1010));
        let [
            Step::Progress {
                operation_id,
                description,
            },
        ] = steps.as_slice()
        else {
            panic!("{steps:?}")
        };
        assert_eq!(operation_id, "long");
        assert!(
            description.starts_with("Create image: 50% (1.0 of 2.0 GiB)")
                || description.starts_with("Create image: 49% (1.0 of 2.0 GiB)"),
            "{description}"
        );
        let next = copies.next().unwrap();
        assert!(next > start + Duration::from_millis(1010), "a turn later");
        let steps = copies.due(start + Duration::from_millis(2100));
        assert!(
            matches!(steps.as_slice(), [Step::Finish { operation_id }] if operation_id == "long"),
            "{steps:?}"
        );
        assert_eq!(copies.next(), None);
    }

    #[test]
    fn an_enormous_copy_at_a_byte_a_second_is_a_year_long() {
        let mut copies = Copies::new(1);
        copies.start("huge", i64::MAX, None);
        let next = copies.next().unwrap();
        assert!(next <= Instant::now() + PROGRESS_EVERY);
        let steps = copies.due(next);
        let [Step::Progress { description, .. }] = steps.as_slice() else {
            panic!("{steps:?}")
        };
        assert!(
            description.starts_with("Create image: 0% "),
            "{description}"
        );
    }

    #[test]
    fn a_stopped_copy_is_never_due_and_a_restarted_one_goes_on_from_its_start() {
        let mut copies = Copies::new(GIB as u64);
        copies.start("cancelled", GIB / 10, None);
        copies.stop("cancelled");
        assert_eq!(copies.next(), None);
        assert!(
            copies
                .due(Instant::now() + Duration::from_secs(9))
                .is_empty()
        );
        // Begun 10 s ago at 1 GiB/s: a 4 GiB copy is over, a 20 GiB one half way.
        let ten_seconds_ago = Some(now_micros() - 10_000_000);
        copies.start("over", 4 * GIB, ten_seconds_ago);
        copies.start("half", 20 * GIB, ten_seconds_ago);
        let steps = copies.due(Instant::now());
        assert!(
            matches!(steps.as_slice(), [Step::Finish { operation_id, .. }] if operation_id == "over"),
            "{steps:?}"
        );
        let steps = copies.due(Instant::now() + PROGRESS_EVERY);
        let [Step::Progress { description, .. }] = steps.as_slice() else {
            panic!("{steps:?}")
        };
        assert!(description.starts_with("Create image: 5"), "{description}");
    }
}
