//! Loads that stop when they are no longer wanted. Dropping a tonic-web-wasm-client call's
//! future aborts its fetch, so [`Latest`] drops a superseded one: starting a load (because the
//! user asked for something else) aborts the one before it, and leaving the component aborts
//! the last.

use std::future::Future;

use futures_util::future::{AbortHandle, abortable};
use kiln_console::call::CallError;
use leptos::prelude::*;

/// The latest load of one place on the page (a resource's fetcher).
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<Option<AbortHandle>>);

impl Latest {
    /// A new place; its last load is aborted when the current component is cleaned up.
    pub fn new() -> Latest {
        let handle = StoredValue::new(None::<AbortHandle>);
        on_cleanup(move || {
            if let Some(Some(last)) = handle.try_update_value(Option::take) {
                last.abort();
            }
        });
        Latest(handle)
    }

    /// Runs `call`, aborting the load this place started before (its fetch stops, and it
    /// answers `None`: its result is no longer wanted). Only what the user asks for starts a
    /// load; no timer does, so a slow link never loses an answer to a newer request.
    pub async fn run<T>(self, call: impl Future<Output = T>) -> Option<T> {
        let (call, handle) = abortable(call);
        if let Some(Some(before)) = self.0.try_update_value(|h| h.replace(handle)) {
            before.abort();
        }
        call.await.ok()
    }
}

impl Default for Latest {
    fn default() -> Self {
        Latest::new()
    }
}

/// Where one place's load stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// A call is in flight since this second (the page says so, and after a few seconds that
    /// it is still waiting).
    Waiting(i64),
    /// The last call answered.
    Done,
    /// The last call failed: why (the page says so, with Retry).
    Failed(kiln_console::call::CallError),
}

/// Runs a failed load again (bumps `again`) when the browser comes back online.
pub fn again_when_online(online: RwSignal<bool>, status: RwSignal<Status>, again: RwSignal<u32>) {
    Effect::new(move |was: Option<bool>| {
        let now = online.get();
        let failed = status.with_untracked(|s| matches!(s, Status::Failed(_)));
        if was == Some(false) && now && failed {
            again.update(|n| *n = n.wrapping_add(1));
        }
        now
    });
}

/// What a place last asked for: an effect that runs again for the same ask (a signal it reads
/// was set to the same value) starts nothing, so it cannot abort the call in flight.
pub struct Asked<K: 'static>(StoredValue<Option<K>>);

impl<K: 'static> Clone for Asked<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: 'static> Copy for Asked<K> {}

impl<K: PartialEq + Send + Sync + 'static> Asked<K> {
    /// A place that has asked nothing yet.
    pub fn new() -> Asked<K> {
        Asked(StoredValue::new(None))
    }

    /// Whether `key` is a new ask (and remembers it).
    pub fn is_new(self, key: K) -> bool {
        self.0
            .try_update_value(|last| {
                if last.as_ref() == Some(&key) {
                    false
                } else {
                    *last = Some(key);
                    true
                }
            })
            .unwrap_or(false)
    }
}

impl<K: PartialEq + Send + Sync + 'static> Default for Asked<K> {
    fn default() -> Self {
        Asked::new()
    }
}

/// Runs one load of a place in the background: the call replaces the place's last; its answer
/// goes to `done` and the place's status then says Done, a failure says Failed, and a replaced
/// call changes nothing. (The caller says Waiting first, unless it reads again quietly.)
pub fn start<T: 'static>(
    latest: Latest,
    status: RwSignal<Status>,
    call: impl Future<Output = Result<T, CallError>> + 'static,
    done: impl FnOnce(T) + 'static,
) {
    leptos::task::spawn_local(async move {
        match latest.run(call).await {
            None => {} // replaced: the newer load shows its own
            Some(Ok(value)) => {
                done(value);
                let _ = status.try_set(Status::Done);
            }
            Some(Err(e)) => {
                let _ = status.try_set(Status::Failed(e));
            }
        }
    });
}
