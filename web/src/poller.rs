//! Polls the operations in the panel until they are done, at the interval the service asks
//! for, and records poll errors next to them. When to go on is `kiln_console::submit::Poll`.

use kiln_console::submit::{Poll, PollStep};
use leptos::prelude::*;

use crate::state::{Ctx, PollError};

/// Polls operation `id` until it is done. Starting it twice polls once.
pub fn poll(ctx: Ctx, id: String) {
    thread_local! {
        static POLLING: std::cell::RefCell<std::collections::BTreeSet<String>> = Default::default();
    }
    if !POLLING.with(|p| p.borrow_mut().insert(id.clone())) {
        return;
    }
    leptos::task::spawn_local(async move {
        let mut poll = Poll::default();
        loop {
            let step = match ctx.api().get_operation(&id).await {
                Ok((op, interval)) => {
                    // Only when there was one: every row listens to this map.
                    ctx.poll_errors.maybe_update(|e| e.remove(&id).is_some());
                    ctx.panel.update(|p| p.update(&op));
                    poll.answered(op.done, interval)
                }
                Err(error) => {
                    let step = poll.failed(error.code);
                    let stopped = step == PollStep::GiveUp;
                    if stopped {
                        // Not running any more as far as the page can tell: shown so, not
                        // polled again, and no longer blocking the form that started it.
                        ctx.panel
                            .update(|p| p.lost(&id, error.code as i32, &error.message));
                    }
                    ctx.poll_errors.update(|m| {
                        m.insert(id.clone(), PollError { error, stopped });
                    });
                    step
                }
            };
            match step {
                PollStep::Again(wait) => gloo_timers::future::TimeoutFuture::new(wait).await,
                PollStep::Done | PollStep::GiveUp => break,
            }
        }
        POLLING.with(|p| p.borrow_mut().remove(&id));
    });
}
