//! The source picker: Image / Disk / Snapshot / URI, the folder's resources of the chosen kind
//! (loaded as a resource, searchable), the latest image of a family, or an ID typed in.

use kiln_console::form::{SourceKind, uri_warning};
use kiln_console::hints;
use kiln_console::resources::{self, Row};
use kiln_console::text::Lang;
use leptos::prelude::*;

use super::State;
use crate::components::Messages;
use crate::load::Latest;
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

/// The folder's resources of one kind (not URI), searchable; for images, the latest of a family.
#[component]
fn Resources(state: State, kind: SourceKind) -> impl IntoView {
    let ctx = ctx();
    let lang = state.lang;
    let w = lang.words();
    let search = RwSignal::new(String::new());
    let latest = Latest::new();
    // Reloads when the settings change; switching the kind mounts a new picker, whose cleanup
    // aborts this one's call.
    // Reference-counted, not arena-owned: a pending view may still await it after this
    // component is gone (the kind switched mid-load), and must find it rather than panic.
    let rows = ArcLocalResource::new(move || {
        let ready = ctx.ready.get();
        let settings = ctx.settings.get();
        async move {
            if !ready {
                return Ok(None);
            }
            let api = settings.api();
            let folder = settings.folder_id.clone();
            let loaded: Result<Vec<Row>, _> = latest
                .run(async {
                    Ok(match kind {
                        SourceKind::Image => api
                            .list_images(&folder)
                            .await?
                            .into_iter()
                            .map(Row::image)
                            .collect(),
                        SourceKind::Disk => api
                            .list_disks(&folder)
                            .await?
                            .into_iter()
                            .map(Row::disk)
                            .collect(),
                        SourceKind::Snapshot => api
                            .list_snapshots(&folder)
                            .await?
                            .into_iter()
                            .map(Row::snapshot)
                            .collect(),
                        SourceKind::Uri => Vec::new(),
                    })
                })
                .await;
            loaded.map(Some)
        }
    });
    let list = move || {
        let rows = rows.clone();
        Suspend::new(async move {
            let rows = rows.await.map_err(|e| lang.call_error(&e));
            Ok::<_, String>(match rows? {
                None => view! { <p class="muted">{w.loading_resources}</p> }.into_any(),
                Some(rows) => {
                    // Their sizes are the minimum disk size's floor (the screen may be gone).
                    let _ = state.rows.try_set(rows.clone());
                    view! { <PickList state kind rows search /> }.into_any()
                }
            })
        })
    };
    let fallback = move |errors: ArcRwSignal<Errors>| {
        view! {
            <p class="error-text">
                {move || errors.with(|e| e.iter().map(|(_, e)| lang.cannot_list(&e.to_string())).collect::<Vec<_>>().join(" "))}
            </p>
        }
    };
    view! {
        {(kind == SourceKind::Image).then(|| view! { <LatestOfFamily state /> })}
        <label for="source-search">{lang.search_kind(kind)}</label>
        <input id="source-search" type="search" prop:value=move || search.get()
            on:input=move |ev| search.set(event_target_value(&ev)) />
        <Transition fallback=move || view! { <p class="muted">{w.loading_resources}</p> }>
            <ErrorBoundary fallback>{list}</ErrorBoundary>
        </Transition>
    }
}

/// The rows that match the search, each a button that picks it.
#[component]
fn PickList(
    state: State,
    kind: SourceKind,
    rows: Vec<Row>,
    search: RwSignal<String>,
) -> impl IntoView {
    let lang = state.lang;
    move || {
        // The search box's signal may be gone when a late view mounts: then show all rows.
        let shown = search
            .try_with(|s| resources::search(&rows, s))
            .unwrap_or_else(|| rows.clone());
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
        async move {
            let settings = ctx.settings.get_untracked();
            match settings
                .api()
                .latest_of_family(&settings.folder_id, &family)
                .await
            {
                Ok(image) => {
                    state.edit(|f| f.source_value = image.id.clone());
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
