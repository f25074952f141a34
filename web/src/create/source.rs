//! The source picker: Image / Disk / Snapshot / URI, the folder's resources of the chosen kind
//! (loaded as a resource, searchable), the latest image of a family, or an ID typed in.

use kiln_console::call::CallError;
use kiln_console::form::{SourceKind, uri_warning};
use kiln_console::hints;
use kiln_console::listing::{self, Cursor};
use kiln_console::resources::Row;
use kiln_console::text::Lang;
use leptos::prelude::*;

use super::State;
use crate::components::{Failed, Messages, Pager, Waiting};
use crate::load::{Asked, Latest, Status};
use crate::state::ctx;

/// The source field set.
#[component]
pub(super) fn SourcePicker(state: State) -> impl IntoView {
    let lang = state.lang;
    let w = lang.words();
    let kind = Memo::new(move |_| state.form.with(|f| f.source));
    let messages = state.messages_of("source");
    let value_label = move || lang.source_value(kind.get());
    view! {
        <fieldset class="field source" class:invalid=move || messages.with(|m| !m.is_empty()) data-field="source">
            <legend>{w.source}</legend>
            <div class="choices" role="radiogroup" aria-label=w.source_kind>
                {SourceKind::ALL.into_iter().map(|k| {
                    let id = format!("source-kind-{}", k.slug());
                    view! {
                        <span class="choice">
                            <input type="radio" name="source-kind" id=id.clone()
                                prop:checked=move || kind.get() == k
                                on:change=move |_| state.edit(|f| { f.source = k; f.source_value.clear(); }) />
                            <label for=id>{lang.source_kind(k)}</label>
                        </span>
                    }
                }).collect_view()}
            </div>
            <label for="source-value">{value_label}</label>
            <input
                id="source-value"
                type="text"
                autocomplete="off"
                maxlength=move || hints::hint(kind.get().field(), lang).max_length
                aria-describedby="source-value-error"
                aria-invalid=state.invalid("source")
                prop:value=move || state.form.with(|f| f.source_value.clone())
                on:input=move |ev| state.edit(|f| f.source_value = event_target_value(&ev))
                on:focusout=move |_| state.touch("source")
            />
            <Messages messages id="source-value-error" />
            {move || match kind.get() {
                SourceKind::Uri => view! { <UriNotes state /> }.into_any(),
                kind => view! { <Resources state kind /> }.into_any(),
            }}
        </fieldset>
    }
}

/// What the URI kind shows: the formats, and a warning for a link the real service refuses.
#[component]
fn UriNotes(state: State) -> impl IntoView {
    let lang = state.lang;
    view! {
        <p class="hint">{lang.words().uri_notes}</p>
        {move || state.form.with(|f| uri_warning(&f.source_value, lang)).map(|warning| view! {
            <p class="warning">{warning}</p>
        })}
    }
}

/// The folder's resources of one kind (not URI), a page at a time from the service, with a
/// find by exact name or ID (images) or by ID (disks, snapshots); for images, the latest of a
/// family. Switching the kind mounts a new picker, whose cleanup aborts this one's call.
#[component]
fn Resources(state: State, kind: SourceKind) -> impl IntoView {
    let ctx = ctx();
    let lang = state.lang;
    let w = lang.words();
    let cursor = RwSignal::new(Cursor::default());
    let next = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let asked = RwSignal::new(None::<String>);
    let shown = RwSignal::new(Vec::<Row>::new());
    let status = RwSignal::new(Status::Waiting(ctx.now.get_untracked()));
    let again = RwSignal::new(0u32);
    let latest = Latest::new();
    let last = Asked::new();
    Effect::new(move || {
        let n = again.get();
        let (ready, settings) = (ctx.ready.get(), ctx.settings.get());
        let (cursor, asked) = (cursor.get(), asked.get());
        if !ready || !last.is_new((n, settings.clone(), cursor.clone(), asked.clone())) {
            return;
        }
        status.set(Status::Waiting(ctx.now.get_untracked()));
        let call = load_rows(
            settings.api(),
            settings.folder_id.clone(),
            kind,
            cursor,
            asked,
        );
        crate::load::start(latest, status, call, move |(rows, token)| {
            // Their sizes are the minimum disk size's floor: every row seen is kept, so the
            // picked one's floor holds on any page (the screen may be gone).
            let _ = state.rows.try_update(|known| {
                for row in &rows {
                    if !known.iter().any(|k| k.id == row.id) {
                        known.push(row.clone());
                    }
                }
            });
            let _ = shown.try_set(rows);
            let _ = next.try_set(token);
        });
    });
    crate::load::again_when_online(ctx.online, status, again);
    let find = move || {
        let text = typed.get_untracked().trim().to_owned();
        cursor.set(Cursor::default());
        asked.set((!text.is_empty()).then_some(text));
    };
    let body = move || match status.get() {
        Status::Waiting(since) => view! { <Waiting since text=w.loading_resources /> }.into_any(),
        Status::Failed(e) => {
            let (said, detail) = lang.call_error_parts(&e);
            let text = lang.cannot_list(&said);
            view! { <Failed text detail retry=move || again.update(|n| *n += 1) /> }.into_any()
        }
        Status::Done => view! { <PickList state kind rows=shown /> }.into_any(),
    };
    let busy = Signal::derive(move || status.with(|s| matches!(s, Status::Waiting(_))));
    let pager = move || {
        (asked.with(Option::is_none) && status.with(|s| *s == Status::Done))
            .then(|| view! { <Pager cursor next busy /> })
    };
    view! {
        {(kind == SourceKind::Image).then(|| view! { <LatestOfFamily state /> })}
        <label for="source-search">{lang.search_kind(kind)}</label>
        <div class="row">
            // Inside the form: Enter finds instead of submitting.
            <input id="source-search" type="search" autocomplete="off" maxlength="63"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); find(); } />
            <button type="button" class="secondary" on:click=move |_| find()>{w.find}</button>
            {move || asked.with(Option::is_some).then(|| view! {
                <button type="button" class="link" on:click=move |_| {
                    typed.set(String::new());
                    cursor.set(Cursor::default());
                    asked.set(None);
                }>{w.show_all}</button>
            })}
        </div>
        {body}
        {pager}
    }
}

/// One page of the kind's resources, or what a find turned up; with the next page's token.
async fn load_rows(
    api: crate::api::Api,
    folder: String,
    kind: SourceKind,
    cursor: Cursor,
    asked: Option<String>,
) -> Result<(Vec<Row>, String), CallError> {
    let token = cursor.token();
    let found = asked.as_deref().and_then(listing::find);
    if asked.is_some() {
        let Some(find) = found else {
            return Ok((Vec::new(), String::new()));
        };
        let rows = match kind {
            SourceKind::Image => api
                .find_images(&folder, &find)
                .await?
                .into_iter()
                .map(Row::image)
                .collect(),
            SourceKind::Disk => match &find.id {
                Some(id) => api
                    .get_disk(id)
                    .await?
                    .filter(|d| d.folder_id == folder)
                    .map(Row::disk)
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            },
            SourceKind::Snapshot => match &find.id {
                Some(id) => api
                    .get_snapshot(id)
                    .await?
                    .filter(|s| s.folder_id == folder)
                    .map(Row::snapshot)
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            },
            SourceKind::Uri => Vec::new(),
        };
        return Ok((rows, String::new()));
    }
    Ok(match kind {
        SourceKind::Image => {
            let page = api.list_images(&folder, token, "").await?;
            (page.items.into_iter().map(Row::image).collect(), page.next)
        }
        SourceKind::Disk => {
            let page = api.list_disks(&folder, token).await?;
            (page.items.into_iter().map(Row::disk).collect(), page.next)
        }
        SourceKind::Snapshot => {
            let page = api.list_snapshots(&folder, token).await?;
            (
                page.items.into_iter().map(Row::snapshot).collect(),
                page.next,
            )
        }
        SourceKind::Uri => (Vec::new(), String::new()),
    })
}

/// The rows shown, each a button that picks it.
#[component]
fn PickList(state: State, kind: SourceKind, rows: RwSignal<Vec<Row>>) -> impl IntoView {
    let lang = state.lang;
    move || {
        let shown = rows.get();
        if shown.is_empty() {
            return view! { <p class="muted">{lang.words().nothing_matches}</p> }.into_any();
        }
        view! {
            <ul class="picker" aria-label=lang.in_folder(kind)>
                {shown.into_iter().map(|row| {
                    let id = row.id.clone();
                    let chosen = {
                        let id = id.clone();
                        move || state.form.with(|f| f.source_value == id).to_string()
                    };
                    view! {
                        <li>
                            <button type="button" class="pick" aria-pressed=chosen
                                on:click=move |_| state.edit(|f| f.source_value = id.clone())>
                                <span class="pick-name">{row.title().to_owned()}</span>
                                <span class="pick-meta">{row.meta(lang)}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
}

/// "Latest of family": looks the family's newest image up and picks it.
#[component]
fn LatestOfFamily(state: State) -> impl IntoView {
    let ctx = ctx();
    let lang: Lang = state.lang;
    let w = lang.words();
    let family = RwSignal::new(String::new());
    let look_up = Action::new_local(move |family: &String| {
        let family = family.clone();
        // The answer picks the image only if the user has not picked another source meanwhile.
        let before = state
            .form
            .with_untracked(|f| (f.source, f.source_value.clone()));
        async move {
            let settings = ctx.settings.get_untracked();
            match settings
                .api()
                .latest_of_family(&settings.folder_id, &family)
                .await
            {
                Ok(image) => {
                    if state
                        .form
                        .with_untracked(|f| (f.source, f.source_value.clone()))
                        == before
                    {
                        state.edit(|f| f.source_value = image.id.clone());
                    }
                    (true, lang.latest_found(&family, &image.name, &image.id))
                }
                Err(e) => (false, lang.latest_missing(&family, &e)),
            }
        }
    });
    let note = move || {
        if look_up.pending().get() {
            let family = look_up.input().get().unwrap_or_default();
            return Some((true, lang.latest_looking(&family)));
        }
        look_up.value().get()
    };
    view! {
        <div class="row family-row">
            <label for="source-family">{w.latest_of_family}</label>
            <input id="source-family" type="text" prop:value=move || family.get()
                on:input=move |ev| family.set(event_target_value(&ev)) />
            <button type="button" class="secondary" on:click=move |_| { look_up.dispatch(family.get_untracked()); }>{w.use_latest}</button>
        </div>
        {move || note().map(|(ok, text)| view! {
            <p class=if ok { "note" } else { "error-text" } role="status">{text}</p>
        })}
    }
}
