//! One image's page (`/images/{id}`): its details in view (focus on its heading), its running
//! operation with progress and Cancel (anyone's), an Edit of name, description and labels
//! through `ImageService.Update` (the core's rules, the same words as Create), and the list of
//! its operations: who, when, what, outcome.

use kiln_console::edit::ImageEdit;
use kiln_console::form::{FieldError, messages, server_errors};
use kiln_console::panel::{self as ops, State as OpState, Tracked};
use kiln_console::resources::image_details;
use kiln_console::text::Lang;
use kiln_core::proto::yandex::cloud::compute::v1::Image;
use kiln_core::proto::yandex::cloud::operation::Operation;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::{Failed, Messages, Raw, Waiting};
use crate::load::{Asked, Latest, Status};
use crate::state::{ctx, paths};

/// The image's page.
#[component]
pub fn ImagePage() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    crate::dom::set_title(&lang.page_title(w.loading_image));
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let image = RwSignal::new(None::<Image>);
    let history = RwSignal::new(Vec::<Operation>::new());
    let status = RwSignal::new(Status::Waiting(ctx.now.get_untracked()));
    let again = RwSignal::new(0u32);
    // Set before `again` when the page reads the image again in the background (an operation
    // on it ended): no "Loading", no focus move, the Edit keeps what is typed.
    let quiet = StoredValue::new(false);
    let latest = Latest::new();
    let last = Asked::new();
    Effect::new(move || {
        let n = again.get();
        let (ready, settings, id) = (ctx.ready.get(), ctx.settings.get(), id.get());
        if !ready || !last.is_new((n, settings.clone(), id.clone())) {
            return;
        }
        let api = settings.api();
        let background = quiet.try_update_value(std::mem::take).unwrap_or(false);
        // An address that cannot hold an image ID names no image: nothing to ask.
        if kiln_console::listing::find(&id)
            .and_then(|f| f.id)
            .is_none()
        {
            image.set(None);
            status.set(Status::Done);
            return;
        }
        if !background {
            status.set(Status::Waiting(ctx.now.get_untracked()));
        }
        let call = {
            let id = id.clone();
            async move {
                let found = api.get_image(&id).await?;
                let list = match &found {
                    Some(_) => api.image_operations(&id).await?,
                    None => Vec::new(),
                };
                Ok((found, list))
            }
        };
        crate::load::start(latest, status, call, move |(found, list)| {
            // A running operation on it (anyone's) joins the panel, which polls it.
            if let Some(image) = &found
                && let Some(op) = ops::running_of(&list)
            {
                let name = kiln_console::listing::shown_name(image).to_owned();
                if ctx.panel.try_update(|p| p.adopt(op, &id, &name)) == Some(true) {
                    crate::poller::poll(ctx, op.id.clone());
                }
            }
            let _ = image.try_set(found);
            let _ = history.try_set(list);
            if !background {
                crate::dom::focus(vec!["#image-title".into()]);
            }
        });
    });
    crate::load::again_when_online(ctx.online, status, again);
    // When an operation on this image ends (here or anywhere the panel hears of it), the
    // page reads the image again.
    Effect::new(move |before: Option<usize>| {
        let running = ctx.panel.with(|p| {
            p.operations
                .iter()
                .filter(|t| t.running() && t.image_id == id.get())
                .count()
        });
        if before.is_some_and(|b| b > running) {
            quiet.set_value(true);
            again.update(|n| *n += 1);
        }
        running
    });
    // Built again only when the load's state or the image shown changes, not when the image
    // is read again: the Edit keeps what is typed.
    let shown = Memo::new(move |_| status.get());
    let image_id = Memo::new(move |_| image.with(|i| i.as_ref().map(|i| i.id.clone())));
    let body = move || match shown.get() {
        Status::Waiting(since) => view! { <Waiting since text=w.loading_image /> }.into_any(),
        Status::Failed(e) => {
            let (text, detail) = lang.call_error_parts(&e);
            view! { <Failed text detail retry=move || again.update(|n| *n += 1) /> }.into_any()
        }
        Status::Done => match image_id.get() {
            None => view! { <h1 id="image-title" tabindex="-1">{move || {
                let gone = lang.image_gone(&id.get());
                crate::dom::set_title(&lang.page_title(&gone));
                gone
            }}</h1> }
            .into_any(),
            Some(found) => view! {
                {move || image.get().map(|i| view! { <Details image=i lang /> })}
                <Running id=found lang />
                {image.get_untracked().map(|i| view! { <Edit image=i lang /> })}
                {move || view! { <History list=history.get() lang /> }}
            }
            .into_any(),
        },
    };
    view! {
        <section class="image-page" aria-labelledby="image-title">
            <p><A href=paths::IMAGES>{w.all_images}</A></p>
            {body}
        </section>
    }
}

#[component]
fn Details(image: Image, lang: Lang) -> impl IntoView {
    let w = lang.words();
    let mut rows = image_details(&image, lang);
    rows.push((
        w.d_created,
        image
            .created_at
            .map(|t| format_time(t.seconds, lang))
            .unwrap_or_default(),
    ));
    rows.push((w.col_id, image.id.clone()));
    let title = lang.image_title(kiln_console::listing::shown_name(&image));
    crate::dom::set_title(&lang.page_title(&title));
    view! {
        <h1 id="image-title" tabindex="-1">{title}</h1>
        <dl class="details">
            {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
        </dl>
    }
}

/// The running operation on the image, from the panel (which polls it): progress, elapsed
/// time, and Cancel.
#[component]
fn Running(id: String, lang: Lang) -> impl IntoView {
    let ctx = ctx();
    let w = lang.words();
    let entry = Memo::new(move |_| ctx.panel.with(|p| p.running_on(&id).cloned()));
    let note = RwSignal::new(None::<String>);
    let cancel = Action::new_local(move |op: &String| {
        let op = op.clone();
        async move {
            let text = match ctx.api().cancel_operation(&op).await {
                Ok(after) => {
                    ctx.panel.update(|p| p.update(&after));
                    let deletes = ctx
                        .panel
                        .with_untracked(|p| p.operations.iter().any(|t| t.id == op && t.deletes));
                    lang.cancel_note(&Tracked::new(&after, "").state, deletes)
                        .map(str::to_owned)
                }
                Err(e) => Some(lang.cancel_failed(&e)),
            };
            let _ = note.try_set(text);
        }
    });
    let op_id = Memo::new(move |_| entry.with(|t| t.as_ref().map(|t| t.id.clone())));
    // Keyed on the operation: a poll changes text in place, never the Cancel button.
    move || {
        op_id.get().map(|op| {
            let read = move |f: fn(&Tracked) -> String| {
                move || entry.with(|t| t.as_ref().map(f).unwrap_or_default())
            };
            let label = move || {
                entry.with(|t| {
                    t.as_ref()
                        .map(|t| lang.cancel_of(&t.image_name, t.deletes))
                        .unwrap_or_default()
                })
            };
            let description = move || {
                entry.with(|t| {
                    t.as_ref()
                        .map(|t| lang.operation_description(&t.description))
                        .unwrap_or_default()
                })
            };
            let elapsed = move || {
                entry.with(|t| {
                    t.as_ref()
                        .map(|t| lang.elapsed(t.elapsed(ctx.now.get())))
                        .unwrap_or_default()
                })
            };
            let progress = move || entry.with(|t| t.as_ref().and_then(|t| t.progress));
            view! {
                <div class="running" role="group" aria-label=w.running_here>
                    <strong>{w.running_here}</strong>
                    " " <code>{read(|t| t.id.clone())}</code>
                    <span>" · " {description}</span>
                    <span>" · " {elapsed}</span>
                    {move || progress().map(|p| view! { <progress max="100" value=p>{format!("{p}%")}</progress> })}
                    <button type="button" class="secondary" aria-label=label
                        on:click=move |_| { cancel.dispatch(op.clone()); }>{w.cancel}</button>
                    {move || note.get().map(|n| view! { <p class="note" role="status">{n}</p> })}
                </div>
            }
        })
    }
}

/// The Edit of name, description and labels.
#[component]
fn Edit(image: Image, lang: Lang) -> impl IntoView {
    let ctx = ctx();
    let w = lang.words();
    let before = ImageEdit::of(&image);
    let image_id = image.id.clone();
    let edit = RwSignal::new(before.clone());
    let shown = RwSignal::new(false);
    let server = RwSignal::new(Vec::<FieldError>::new());
    let note = RwSignal::new(None::<(bool, String)>);
    let raw = RwSignal::new(None::<String>);
    let problems = {
        let image_id = image_id.clone();
        Memo::new(move |_| edit.with(|e| e.check(&image_id, lang)))
    };
    let texts = move |field: &'static str| {
        Signal::derive(move || {
            problems.with(|p| server.with(|s| messages(field, p, shown.get(), s)))
        })
    };
    let op_image = image_id.clone();
    let save = Action::new_local(
        move |request: &kiln_core::proto::yandex::cloud::compute::v1::UpdateImageRequest| {
            let (request, op_image) = (request.clone(), op_image.clone());
            // Read before the call: the screen (and its signals) may be gone when it answers.
            let name = if request.name.is_empty() {
                op_image.clone()
            } else {
                request.name.clone()
            };
            async move {
                match ctx.api().update_image(request).await {
                    Ok(op) => {
                        ctx.panel
                            .update(|p| p.upsert(Tracked::listed(&op, &op_image, &name)));
                        crate::poller::poll(ctx, op.id.clone());
                        let _ = note.try_set(Some((true, lang.update_started(&op.id))));
                    }
                    Err(e) => {
                        let _ = server.try_set(server_errors(&e, lang));
                        let _ = note.try_set(Some((false, lang.update_failed(&e))));
                        let _ = raw.try_set(lang.call_error_parts(&e).1);
                    }
                }
            }
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(true);
        if !problems.with_untracked(Vec::is_empty) {
            crate::dom::focus_first_invalid();
            return;
        }
        let request = edit.with_untracked(|e| e.to_request(&image_id, &before));
        if request
            .update_mask
            .as_ref()
            .is_none_or(|m| m.paths.is_empty())
        {
            note.set(Some((true, w.nothing_changed.to_owned())));
            return;
        }
        note.set(Some((true, w.saving.to_owned())));
        save.dispatch(request);
    };
    let text_input = move |id: &'static str,
                           field: &'static str,
                           label: &'static str,
                           get: fn(&ImageEdit) -> String,
                           set: fn(&mut ImageEdit, String)| {
        let messages = texts(field);
        view! {
            <div class="field" class:invalid=move || messages.with(|m| !m.is_empty()) data-field=field>
                <label for=id>{label}</label>
                <input id=id type="text" autocomplete="off" aria-describedby=format!("{id}-error")
                    aria-invalid=move || messages.with(|m| !m.is_empty()).to_string()
                    prop:value=move || edit.with(get)
                    on:input=move |ev| { edit.update(|e| set(e, event_target_value(&ev))); server.set(Vec::new()); } />
                <Messages messages id=format!("{id}-error") />
            </div>
        }
    };
    let labels = texts("labels");
    // The rows are built again only when one is added or removed, not on every keystroke.
    let label_count = Memo::new(move |_| edit.with(|e| e.labels.len()));
    view! {
        <form class="edit" novalidate aria-labelledby="edit-title" on:submit=submit>
            <h2 id="edit-title">{w.edit_title}</h2>
            {text_input("edit-name", "name", w.name, |e| e.name.clone(), |e, v| e.name = v)}
            {text_input("edit-description", "description", w.description, |e| e.description.clone(), |e, v| e.description = v)}
            <fieldset class="field" class:invalid=move || labels.with(|m| !m.is_empty()) data-field="labels">
                <legend>{w.labels}</legend>
                {move || (0..label_count.get()).map(|i| view! {
                    <div class="row">
                        <input type="text" aria-label=lang.label_key(i + 1) autocomplete="off"
                            prop:value=move || edit.with(|e| e.labels.get(i).map(|l| l.0.clone()).unwrap_or_default())
                            on:input=move |ev| edit.update(|e| if let Some(l) = e.labels.get_mut(i) { l.0 = event_target_value(&ev) }) />
                        <input type="text" aria-label=lang.label_value(i + 1) autocomplete="off"
                            prop:value=move || edit.with(|e| e.labels.get(i).map(|l| l.1.clone()).unwrap_or_default())
                            on:input=move |ev| edit.update(|e| if let Some(l) = e.labels.get_mut(i) { l.1 = event_target_value(&ev) }) />
                        <button type="button" class="secondary" aria-label=lang.remove_label(i + 1)
                            on:click=move |_| edit.update(|e| { if i < e.labels.len() { e.labels.remove(i); } })>"×"</button>
                    </div>
                }).collect_view()}
                <button type="button" class="secondary" on:click=move |_| edit.update(|e| e.labels.push(Default::default()))>{w.add_label}</button>
                <Messages messages=labels />
            </fieldset>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || save.pending().get()>{w.save_changes}</button>
            </div>
            {move || note.get().map(|(ok, text)| view! {
                <div class=if ok { "banner banner-info" } else { "banner banner-error" } role="status">
                    {text}
                    <Raw detail=raw.get() />
                </div>
            })}
        </form>
    }
}

/// How many of an image's operations its page lists (the newest).
const HISTORY_SHOWN: usize = 50;

/// The image's operations, newest first: when, what, who, outcome.
#[component]
fn History(list: Vec<Operation>, lang: Lang) -> impl IntoView {
    let w = lang.words();
    let total = list.len();
    let rows = list
        .iter()
        .rev()
        .take(HISTORY_SHOWN)
        .map(|op| {
            let when = op
                .created_at
                .map(|t| format_time(t.seconds, lang))
                .unwrap_or_default();
            let state = Tracked::new(op, "").state;
            let outcome = match &state {
                OpState::Failed { code, message } => lang.operation_failure(*code, message),
                other => lang.operation_status(other).to_owned(),
            };
            view! {
                <tr>
                    <td data-label=w.col_when>{when}</td>
                    <td data-label=w.col_what>{lang.operation_kind(ops::kind_of(op))}</td>
                    <td data-label=w.col_who>{op.created_by.clone()}</td>
                    <td data-label=w.col_outcome>{outcome}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">{w.history}</h2>
            {if list.is_empty() {
                view! { <p class="muted">{w.no_history}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="image-table" aria-labelledby="history-title">
                            <thead><tr>
                                <th scope="col">{w.col_when}</th><th scope="col">{w.col_what}</th>
                                <th scope="col">{w.col_who}</th><th scope="col">{w.col_outcome}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    {(total > HISTORY_SHOWN).then(|| view! { <p class="muted">{lang.newest_of(HISTORY_SHOWN, total)}</p> })}
                }
                .into_any()
            }}
        </section>
    }
}

/// A time as the browser writes it for the language (its own time zone).
fn format_time(seconds: i64, lang: Lang) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_locale_string(lang.tag(), &wasm_bindgen::JsValue::UNDEFINED))
}
