//! The operations panel: every operation this browser started (polled by `poller`), with
//! progress, elapsed time, result and a Cancel button named by its image.

use kiln_console::panel::{State, Tracked};
use leptos::prelude::*;

use leptos_router::components::A;

use crate::components::Raw;
use crate::state::{ctx, paths};

/// The panel.
#[component]
pub fn OperationsPanel() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    let cancel_notes = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    // Cancel is an action: its call runs detached from the row, which may re-render meanwhile.
    let cancel = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let note = match ctx.api().cancel_operation(&id).await {
                Ok(op) => {
                    ctx.panel.update(|p| p.update(&op));
                    // The service often answers with the operation already ended as CANCELLED:
                    // then its status says it, and no note repeats it.
                    let after = Tracked::new(&op, "").state;
                    let deletes = ctx
                        .panel
                        .with_untracked(|p| p.operations.iter().any(|t| t.id == id && t.deletes));
                    lang.cancel_note(&after, deletes).map(str::to_owned)
                }
                Err(e) => Some(lang.cancel_failed(&e)),
            };
            let _ = cancel_notes.try_update(|n| match note {
                Some(note) => {
                    n.insert(id, note);
                }
                None => {
                    n.remove(&id);
                }
            });
        }
    });
    let cancel = move |id: String| {
        cancel_notes.update(|n| {
            n.insert(id.clone(), w.cancelling.into());
        });
        cancel.dispatch(id);
    };
    // After Create, the new operation is brought into view and focused (on a narrow screen the
    // panel is under the form).
    Effect::new(move || {
        if let Some(id) = ctx.reveal.get() {
            crate::dom::focus_operation(&id);
            ctx.reveal.set(None);
        }
    });
    // Rows are keyed by operation ID and read their entry reactively, so a poll updates text
    // in place and never rebuilds a row (a focused Cancel button keeps its focus).
    let row = move |id: String| {
        let entry = {
            let id = id.clone();
            Memo::new(move |_| {
                ctx.panel
                    .with(|p| p.operations.iter().find(|t| t.id == id).cloned())
            })
        };
        let get = move |f: fn(&Tracked) -> String| {
            move || entry.with(|t| t.as_ref().map(f).unwrap_or_default())
        };
        let running = Memo::new(move |_| entry.with(|t| t.as_ref().is_some_and(Tracked::running)));
        let progress = Memo::new(move |_| entry.with(|t| t.as_ref().and_then(|t| t.progress)));
        let state = Memo::new(move |_| {
            entry.with(|t| t.as_ref().map(|t| (t.state.clone(), t.image_id.clone())))
        });
        let elapsed = move || {
            entry.with(|t| {
                t.as_ref()
                    .map(|t| lang.elapsed(t.elapsed(ctx.now.get())))
                    .unwrap_or_default()
            })
        };
        // What came of it, said once (the status says the rest); a created image's link.
        let result = move || {
            let said = entry.with(|t| t.as_ref().and_then(|t| lang.operation_result(t)));
            match (said, state.get()) {
                (Some((text, detail)), Some((State::Failed { .. }, _))) => view! {
                    <span class="error-text">{text}</span><Raw detail />
                }
                .into_any(),
                (Some((text, detail)), _) => view! { <span>{text}</span><Raw detail /> }.into_any(),
                (None, Some((State::Succeeded, image))) if !image.is_empty() => {
                    let label = lang.image_link(&image);
                    view! { <A href=paths::image(&image)>{label}</A> }.into_any()
                }
                _ => ().into_any(),
            }
        };
        let poll_error = {
            let id = id.clone();
            move || {
                ctx.poll_errors.with(|m| m.get(&id).cloned()).map(|e| {
                    let text = if e.stopped {
                        lang.poll_stopped(&e.error)
                    } else {
                        lang.poll_retrying(&e.error)
                    };
                    let detail = lang.call_error_parts(&e.error).1;
                    view! { <div class="error-text">{text}<Raw detail /></div> }
                })
            }
        };
        let (id_cancel, id_note) = (id.clone(), id.clone());
        // A Memo: a poll that changes only progress does not rebuild the Cancel button (a
        // focused one keeps its focus).
        let name = Memo::new(move |_| {
            entry.with(|t| {
                t.as_ref()
                    .map(|t| (t.image_name.clone(), t.deletes))
                    .unwrap_or_default()
            })
        });
        view! {
            <li class="operation" data-operation-id=id.clone() tabindex="-1">
                <div class="op-head">
                    <strong>{move || {
                        let (name, deletes) = name.get();
                        if deletes { lang.delete_named(&name) } else { name }
                    }}</strong>
                    <span class=get(|t| format!("status status-{}", t.state.class()))>
                        {move || entry.with(|t| t.as_ref().map(|t| lang.operation_status(&t.state)).unwrap_or_default())}
                    </span>
                </div>
                <div class="op-desc">{move || entry.with(|t| t.as_ref().map(|t| lang.operation_description(&t.description)).unwrap_or_default())}</div>
                <div class="op-meta">
                    <span>{w.operation} " " <code>{id.clone()}</code></span>
                    <span>" · " {elapsed}</span>
                </div>
                {move || progress.get().map(|p| view! {
                    <progress max="100" value=p aria-label=lang.progress_of(&name.get().0)>{format!("{p}%")}</progress>
                })}
                <div class="op-result">{result}</div>
                {poll_error}
                {move || cancel_notes.with(|n| n.get(&id_note).cloned()).map(|n| view! { <div class="note" role="status">{n}</div> })}
                {move || {
                    let id = id_cancel.clone();
                    running.get().then(|| {
                        let (name, deletes) = name.get();
                        view! {
                            <button type="button" class="secondary" aria-label=lang.cancel_of(&name, deletes)
                                on:click=move |_| cancel(id.clone())>
                                {w.cancel}
                            </button>
                        }
                    })
                }}
            </li>
        }
    };
    let ids = Memo::new(move |_| {
        ctx.panel.with(|p| {
            p.operations
                .iter()
                .map(|t| t.id.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <aside class="panel" aria-labelledby="ops-title">
            <div class="panel-head">
                <h2 id="ops-title">{w.operations}</h2>
                <button type="button" class="secondary" on:click=move |_| ctx.panel.update(|p| p.clear_finished())>
                    {w.clear_finished}
                </button>
            </div>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="muted">{w.no_operations}</p>
            </Show>
            <ul class="operations">
                <For each=move || ids.get() key=|id| id.clone() children=row />
            </ul>
        </aside>
    }
}
