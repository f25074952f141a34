//! Loads that stop when they are no longer wanted. Dropping a tonic-web-wasm-client call's
//! future aborts its fetch; Leptos's resources ignore a superseded result but let its future
//! run on, so [`Latest`] drops it: starting a load aborts the one before it, and leaving the
//! component aborts the last.

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

    /// Runs `call`, aborting the load this place started before (its fetch stops; its result,
    /// which the resource would ignore anyway, is CANCELLED).
    pub async fn run<T>(
        self,
        call: impl Future<Output = Result<T, CallError>>,
    ) -> Result<T, CallError> {
        let (call, handle) = abortable(call);
        if let Some(Some(before)) = self.0.try_update_value(|h| h.replace(handle)) {
            before.abort();
        }
        call.await.unwrap_or_else(|_| {
            Err(CallError::new(
                tonic::Code::Cancelled,
                "superseded by a newer load",
            ))
        })
    }
}

impl Default for Latest {
    fn default() -> Self {
        Latest::new()
    }
}
