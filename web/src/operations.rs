//! The operations panel: every operation this browser started (polled by `poller`), with
//! progress, elapsed time, result and a Cancel button.

use kiln_console::operations::{State, Tracked, format_elapsed};
use leptos::prelude::*;

use crate::state::{Page, ctx};

/// The panel.
#[component]
pub fn OperationsPanel() -> impl IntoView {
    let ctx = ctx();
    let cancel_notes = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    // Cancel is an action: its call runs detached from the row, which may re-render meanwhile.
    let cancel = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let note = match ctx.api().cancel_operation(&id).await {
                Ok(op) => {
                    ctx.panel.update(|p| p.update(&op));
                    if op.done {
                        "Cancel answered: the operation had already ended.".to_owned()
                    } else {
                        "Cancel requested.".to_owned()
                    }
                }
                Err(e) => format!("Cancel failed: {e}"),
            };
            cancel_notes.update(|n| {
                n.insert(id, note);
            });
        }
    });
    let cancel = move |id: String| {
        cancel_notes.update(|n| {
            n.insert(id.clone(), "Cancelling…".into());
        });
        cancel.dispatch(id);
    };
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
                    .map(|t| format_elapsed(t.elapsed(ctx.now.get())))
                    .unwrap_or_default()
            })
        };
        let result = move || match state.get() {
            // A Delete (or any operation without CreateImageMetadata) has no image to link.
            Some((State::Succeeded, image)) if image.is_empty() => {
                view! { <span>"Done."</span> }.into_any()
            }
            Some((State::Succeeded, image)) => {
                let label = format!("Image {image}");
                view! {
                    <button type="button" class="link" on:click=move |_| {
                        ctx.selected_image.set(Some(image.clone()));
                        ctx.page.set(Page::Images);
                    }>{label}</button>
                }
                .into_any()
            }
            Some((failed @ State::Failed { .. }, _)) => {
                view! { <span class="error-text">{failed.failure_text()}</span> }.into_any()
            }
            Some((State::Cancelled, _)) => {
                view! { <span>"Cancelled; the image was removed."</span> }.into_any()
            }
            _ => ().into_any(),
        };
        let (id_cancel, id_note, id_error, id_label) =
            (id.clone(), id.clone(), id.clone(), id.clone());
        view! {
            <li class="operation" data-operation-id=id.clone()>
                <div class="op-head">
                    <strong>{get(|t| t.image_name.clone())}</strong>
                    <span class=get(|t| format!("status status-{}", t.status().to_lowercase()))>
                        {get(|t| t.status().to_owned())}
                    </span>
                </div>
                <div class="op-desc">{get(|t| t.description.clone())}</div>
                <div class="op-meta">
                    <span>"Operation " <code>{id.clone()}</code></span>
                    <span>" · " {elapsed}</span>
                </div>
                {move || progress.get().map(|p| view! {
                    <progress max="100" value=p aria-label=format!("Progress of {id_label}")>{format!("{p}%")}</progress>
                })}
                <div class="op-result">{result}</div>
                {move || ctx.poll_errors.with(|m| m.get(&id_error).cloned()).map(|e| view! { <div class="error-text">{e}</div> })}
                {move || cancel_notes.with(|n| n.get(&id_note).cloned()).map(|n| view! { <div class="note" role="status">{n}</div> })}
                {move || {
                    let id = id_cancel.clone();
                    running.get().then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| cancel(id.clone())>
                            "Cancel"
                        </button>
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
                <h2 id="ops-title">"Operations"</h2>
                <button type="button" class="secondary" on:click=move |_| ctx.panel.update(|p| p.clear_finished())>
                    "Clear finished"
                </button>
            </div>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="muted">"No operations yet. Submitted requests appear here."</p>
            </Show>
            <ul class="operations">
                <For each=move || ids.get() key=|id| id.clone() children=row />
            </ul>
        </aside>
    }
}
