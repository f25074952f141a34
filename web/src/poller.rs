//! Polls the operations in the panel until they are done, at the interval the service asks
//! for, and records poll errors next to them.

use kiln_console::operations::poll_interval_ms;
use leptos::prelude::*;
use tonic::Code;

use crate::state::{Ctx, PollError};

/// How many NOT_FOUND answers in a row polling accepts (a new operation may not be on every
/// replica yet, as the SDKs say) before it gives up.
const NOT_FOUND_TOLERANCE: u32 = 3;

/// Polls operation `id` until it is done. Starting it twice polls once.
pub fn poll(ctx: Ctx, id: String) {
    thread_local! {
        static POLLING: std::cell::RefCell<std::collections::BTreeSet<String>> = Default::default();
    }
    if !POLLING.with(|p| p.borrow_mut().insert(id.clone())) {
        return;
    }
    leptos::task::spawn_local(async move {
        let mut not_found = 0;
        loop {
            let wait = match ctx.api().get_operation(&id).await {
                Ok((op, interval)) => {
                    not_found = 0;
                    ctx.poll_errors.update(|e| {
                        e.remove(&id);
                    });
                    ctx.panel.update(|p| p.update(&op));
                    if op.done {
                        break;
                    }
                    interval
                }
                Err(e) => {
                    if e.code == Code::NotFound {
                        not_found += 1;
                        if not_found > NOT_FOUND_TOLERANCE {
                            ctx.poll_errors.update(|m| {
                                m.insert(
                                    id.clone(),
                                    PollError {
                                        error: e,
                                        stopped: true,
                                    },
                                );
                            });
                            break;
                        }
                    }
                    ctx.poll_errors.update(|m| {
                        m.insert(
                            id.clone(),
                            PollError {
                                error: e,
                                stopped: false,
                            },
                        );
                    });
                    2 * poll_interval_ms(None)
                }
            };
            gloo_timers::future::TimeoutFuture::new(wait).await;
        }
        POLLING.with(|p| p.borrow_mut().remove(&id));
    });
}
