//! The create-image screen: the form (every CreateImageRequest field), live validation by the
//! core, the request preview (JSON, `yc`, Terraform) and Submit.

use std::collections::BTreeSet;

use kiln_console::form::{FieldError, Form, Generation, OsType, SourceKind, server_errors};
use kiln_console::hints::{self, Hint};
use kiln_console::operations::Tracked;
use kiln_console::{GB, preview, retry};
use leptos::prelude::*;

use crate::app::{Ctx, ctx};
use crate::storage;

/// The form's reactive state, shared by its parts.
#[derive(Clone, Copy)]
struct State {
    form: RwSignal<Form>,
    /// Fields the user has left at least once (their violations show from then on).
    touched: RwSignal<BTreeSet<&'static str>>,
    /// Whether Create was pressed (every violation shows).
    submitted: RwSignal<bool>,
    /// The core's verdict on the form.
    errors: Memo<Vec<FieldError>>,
    /// What the service said about fields on the last Create.
    server: RwSignal<Vec<FieldError>>,
}

impl State {
    /// The messages shown under `field`.
    fn messages(self, field: &'static str) -> Vec<String> {
        let shown = self.submitted.get() || self.touched.with(|t| t.contains(field));
        let mut out: Vec<String> = if shown {
            self.errors.with(|e| {
                e.iter()
                    .filter(|e| e.field == field)
                    .map(FieldError::text)
                    .collect()
            })
        } else {
            Vec::new()
        };
        self.server.with(|s| {
            out.extend(s.iter().filter(|e| e.field == field).map(FieldError::text));
        });
        out
    }

    fn touch(self, field: &'static str) {
        if !self.touched.with_untracked(|t| t.contains(field)) {
            self.touched.update(|t| {
                t.insert(field);
            });
        }
    }

    fn edit(self, change: impl FnOnce(&mut Form)) {
        self.form.update(change);
        if !self.server.with_untracked(Vec::is_empty) {
            self.server.set(Vec::new());
        }
    }
}

/// A labelled control with its hint and its messages.
fn field(
    state: State,
    field: &'static str,
    id: &'static str,
    label: &'static str,
    hint: String,
    control: impl IntoView + 'static,
) -> impl IntoView {
    let messages = move || state.messages(field);
    view! {
        <div class="field" class:invalid=move || !messages().is_empty() data-field=field>
            <label for=id>{label}</label>
            {control}
            <p class="hint" id=format!("{id}-hint")>{hint}</p>
            <ul class="messages" id=format!("{id}-error") aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// A text input bound to one string of the form.
fn text_input(
    state: State,
    field: &'static str,
    id: &'static str,
    hint: &Hint,
    get: fn(&Form) -> &String,
    set: fn(&mut Form) -> &mut String,
) -> impl IntoView + use<> {
    let invalid = move || (!state.messages(field).is_empty()).to_string();
    view! {
        <input
            id=id
            type="text"
            autocomplete="off"
            maxlength=hint.max_length
            aria-describedby=format!("{id}-hint {id}-error")
            aria-invalid=invalid
            prop:value=move || state.form.with(|f| get(f).clone())
            on:input=move |ev| state.edit(|f| *set(f) = event_target_value(&ev))
            on:focusout=move |_| state.touch(field)
        />
    }
}

/// A labelled text input for the request field `field`, with the rules' hint and maxlength.
fn text_field(
    state: State,
    field_name: &'static str,
    id: &'static str,
    label: &'static str,
    get: fn(&Form) -> &String,
    set: fn(&mut Form) -> &mut String,
) -> AnyView {
    let hint = hints::hint(field_name);
    let input = text_input(state, field_name, id, &hint, get, set);
    field(state, field_name, id, label, hint.text, input).into_any()
}

/// The create-image screen.
#[component]
pub fn CreatePage() -> impl IntoView {
    let ctx = ctx();
    let form = ctx.form;
    let state = State {
        form,
        touched: RwSignal::new(BTreeSet::new()),
        submitted: RwSignal::new(false),
        errors: Memo::new(move |_| form.with(Form::check)),
        server: RwSignal::new(Vec::new()),
    };
    let banner = RwSignal::new(None::<(&'static str, String)>);
    let sending = RwSignal::new(false);
    let key = StoredValue::new(None::<(String, String)>);
    let submit = move || {
        state.submitted.set(true);
        if !state.errors.with_untracked(Vec::is_empty) || sending.get_untracked() {
            return;
        }
        let f = form.get_untracked();
        let json = f.to_json();
        // One idempotency key per submitted form, reused when the same form is sent again.
        let idempotency_key = match key.get_value() {
            Some((sent, k)) if sent == json => k,
            _ => storage::uuid(),
        };
        key.set_value(Some((json, idempotency_key.clone())));
        sending.set(true);
        banner.set(Some(("info", "Sending…".into())));
        leptos::task::spawn_local(async move {
            if submit_create(ctx, state, banner, f, idempotency_key).await {
                // The next submission is a new form, with a new key; after a failure the same
                // form is sent again with the same key.
                key.set_value(None);
            }
            sending.set(false);
        });
    };
    let source_section = source_section(ctx, state);
    view! {
        <section class="create" aria-labelledby="create-title">
            <h1 id="create-title">"Create image"</h1>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                {text_field(state, "folder_id", "folder-id", "Folder ID", |f| &f.folder_id, |f| &mut f.folder_id)}
                {text_field(state, "name", "name", "Name", |f| &f.name, |f| &mut f.name)}
                {description(state).into_any()}
                {labels(state).into_any()}
                {text_field(state, "family", "family", "Family", |f| &f.family, |f| &mut f.family)}
                {min_disk_size(state).into_any()}
                {product_ids(state).into_any()}
                {source_section.into_any()}
                {os(state).into_any()}
                {pooled(state).into_any()}
                {generation(state).into_any()}
                <div class="actions">
                    <button
                        type="submit"
                        class="primary"
                        disabled=move || sending.get() || !state.errors.with(Vec::is_empty)
                    >
                        {move || if sending.get() { "Creating…" } else { "Create image" }}
                    </button>
                    <span class="muted" aria-live="polite">
                        {move || {
                            let n = state.errors.with(Vec::len);
                            (n > 0).then(|| format!("{n} problem{} to fix before Create", if n == 1 { "" } else { "s" }))
                        }}
                    </span>
                    // Messages show once a field is left; this shows them all at once.
                    {move || (!state.errors.with(Vec::is_empty) && !state.submitted.get()).then(|| view! {
                        <button type="button" class="link" on:click=move |_| state.submitted.set(true)>
                            "Show them"
                        </button>
                    })}
                </div>
                {move || banner.get().map(|(kind, text)| view! {
                    <div class=format!("banner banner-{kind}") role=if kind == "error" { "alert" } else { "status" }>{text}</div>
                })}
            </form>
            <Preview form />
        </section>
    }
}

async fn submit_create(
    ctx: Ctx,
    state: State,
    banner: RwSignal<Option<(&'static str, String)>>,
    form: Form,
    idempotency_key: String,
) -> bool {
    let api = ctx.settings.with_untracked(storage::Settings::api);
    let name = if form.name.is_empty() {
        "(unnamed image)".to_owned()
    } else {
        form.name.clone()
    };
    let mut attempt = 0;
    loop {
        match api.create_image(form.to_request(), &idempotency_key).await {
            Ok((op, _)) => {
                let id = op.id.clone();
                ctx.panel.update(|p| p.upsert(Tracked::new(&op, &name)));
                crate::operations::poll(ctx, id.clone());
                state.server.set(Vec::new());
                banner.set(Some(("ok", format!("Create started: operation {id}."))));
                return true;
            }
            Err(e) => {
                attempt += 1;
                if let Some(delay) = retry::delay_ms(e.code, attempt) {
                    banner.set(Some((
                        "info",
                        format!(
                            "{e}. Retrying in {} ms (attempt {} of {}).",
                            delay,
                            attempt + 1,
                            retry::RETRIES + 1
                        ),
                    )));
                    gloo_timers::future::TimeoutFuture::new(delay).await;
                    continue;
                }
                state
                    .server
                    .set(server_errors(e.code, &e.message, &e.violations));
                banner.set(Some(("error", format!("Create failed: {e}"))));
                return false;
            }
        }
    }
}

fn description(state: State) -> impl IntoView {
    let hint = hints::hint("description");
    let control = view! {
        <textarea
            id="description"
            rows="2"
            maxlength=hint.max_length
            aria-describedby="description-hint description-error"
            aria-invalid=move || (!state.messages("description").is_empty()).to_string()
            prop:value=move || state.form.with(|f| f.description.clone())
            on:input=move |ev| state.edit(|f| f.description = event_target_value(&ev))
            on:focusout=move |_| state.touch("description")
        ></textarea>
    };
    field(
        state,
        "description",
        "description",
        "Description",
        hint.text,
        control,
    )
}

fn labels(state: State) -> impl IntoView {
    let count = Memo::new(move |_| state.form.with(|f| f.labels.len()));
    let row = move |i: usize| {
        let get = move |key: bool| {
            move || {
                state.form.with(|f| {
                    f.labels
                        .get(i)
                        .map(|(k, v)| if key { k.clone() } else { v.clone() })
                        .unwrap_or_default()
                })
            }
        };
        let set = move |key: bool, value: String| {
            state.edit(|f| {
                if let Some(row) = f.labels.get_mut(i) {
                    if key { row.0 = value } else { row.1 = value }
                }
            })
        };
        view! {
            <div class="row">
                <input type="text" class="label-key" aria-label=format!("Label {} key", i + 1)
                    maxlength=hints::hint("labels").max_length
                    prop:value=get(true) on:input=move |ev| set(true, event_target_value(&ev))
                    on:focusout=move |_| state.touch("labels") />
                <span aria-hidden="true">"="</span>
                <input type="text" class="label-value" aria-label=format!("Label {} value", i + 1)
                    maxlength=hints::hint("labels").max_length
                    prop:value=get(false) on:input=move |ev| set(false, event_target_value(&ev))
                    on:focusout=move |_| state.touch("labels") />
                <button type="button" class="secondary" aria-label=format!("Remove label {}", i + 1)
                    on:click=move |_| state.edit(|f| { if i < f.labels.len() { f.labels.remove(i); } })>"Remove"</button>
            </div>
        }
    };
    list_field(
        state,
        "labels",
        "Labels",
        hints::hint("labels").text,
        "Add label",
        move || (0..count.get()).map(row).collect_view(),
        move || state.edit(|f| f.labels.push(Default::default())),
    )
}

fn product_ids(state: State) -> impl IntoView {
    let count = Memo::new(move |_| state.form.with(|f| f.product_ids.len()));
    let row = move |i: usize| {
        view! {
            <div class="row">
                <input type="text" aria-label=format!("Product ID {}", i + 1)
                    maxlength=hints::hint("product_ids").max_length
                    prop:value=move || state.form.with(|f| f.product_ids.get(i).cloned().unwrap_or_default())
                    on:input=move |ev| state.edit(|f| if let Some(p) = f.product_ids.get_mut(i) { *p = event_target_value(&ev) })
                    on:focusout=move |_| state.touch("product_ids") />
                <button type="button" class="secondary" aria-label=format!("Remove product ID {}", i + 1)
                    on:click=move |_| state.edit(|f| { if i < f.product_ids.len() { f.product_ids.remove(i); } })>"Remove"</button>
            </div>
        }
    };
    list_field(
        state,
        "product_ids",
        "Product IDs",
        hints::hint("product_ids").text,
        "Add product ID",
        move || (0..count.get()).map(row).collect_view(),
        move || state.edit(|f| f.product_ids.push(String::new())),
    )
}

/// A group of rows (labels, product IDs) with an Add button.
fn list_field<V: IntoView + 'static>(
    state: State,
    field: &'static str,
    legend: &'static str,
    hint: String,
    add_label: &'static str,
    rows: impl Fn() -> V + Send + Sync + 'static,
    add: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let messages = move || state.messages(field);
    view! {
        <fieldset class="field" class:invalid=move || !messages().is_empty() data-field=field>
            <legend>{legend}</legend>
            {rows}
            <button type="button" class="secondary" on:click=move |_| add()>{add_label}</button>
            <p class="hint">{hint}</p>
            <ul class="messages" aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </fieldset>
    }
}

fn min_disk_size(state: State) -> impl IntoView {
    let control = view! {
        <input
            id="min-disk-size"
            type="text"
            inputmode="numeric"
            autocomplete="off"
            aria-describedby="min-disk-size-hint min-disk-size-error min-disk-size-bytes"
            aria-invalid=move || (!state.messages("min_disk_size").is_empty()).to_string()
            prop:value=move || state.form.with(|f| f.min_disk_size_gb.clone())
            on:input=move |ev| state.edit(|f| f.min_disk_size_gb = event_target_value(&ev))
            on:focusout=move |_| state.touch("min_disk_size")
        />
        <span class="bytes" id="min-disk-size-bytes">
            {move || match state.form.with(Form::min_disk_size) {
                Ok(Some(bytes)) => format!("= {} bytes ({} × {GB})", group(bytes), bytes / GB),
                _ => String::new(),
            }}
        </span>
    };
    field(
        state,
        "min_disk_size",
        "min-disk-size",
        "Minimum disk size (GB)",
        hints::min_disk_size_hint().text,
        control,
    )
}

/// `21474836480` → `21 474 836 480`.
fn group(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

fn os(state: State) -> impl IntoView {
    let select = view! {
        <select
            id="os-type"
            aria-describedby="os-type-hint os-type-error"
            on:change=move |ev| {
                let value = event_target_value(&ev);
                let t = OsType::ALL.into_iter().find(|t| format!("{t:?}") == value).unwrap_or_default();
                state.edit(|f| f.os_type = t);
            }
            on:focusout=move |_| state.touch("os")
        >
            {OsType::ALL.into_iter().map(|t| view! {
                <option value=format!("{t:?}") selected=move || state.form.with(|f| f.os_type == t)>{t.label()}</option>
            }).collect_view()}
        </select>
    };
    let nvidia = text_input(
        state,
        "os",
        "nvidia-driver",
        &Hint::default(),
        |f| &f.nvidia_driver,
        |f| &mut f.nvidia_driver,
    );
    view! {
        {field(state, "os", "os-type", "OS type", "Windows images must say so (CPU emulation and billing).".into(), select)}
        <div class="field">
            <label for="nvidia-driver">"NVIDIA driver"</label>
            {nvidia}
            <p class="hint" id="nvidia-driver-hint">"Optional: the NVIDIA driver the image carries (os.nvidia.driver)."</p>
            <ul class="messages" id="nvidia-driver-error"></ul>
        </div>
    }
}

fn pooled(state: State) -> impl IntoView {
    view! {
        <div class="field check" data-field="pooled">
            <input
                id="pooled"
                type="checkbox"
                aria-describedby="pooled-hint"
                prop:checked=move || state.form.with(|f| f.pooled)
                on:change=move |ev| state.edit(|f| f.pooled = event_target_checked(&ev))
            />
            <label for="pooled">"Pooled"</label>
            <p class="hint" id="pooled-hint">
                "Optimized for deployment: disks reuse a pooled image layer (preview; needs the disk pool quota)."
            </p>
        </div>
    }
}

fn generation(state: State) -> impl IntoView {
    let messages = move || state.messages("hardware_generation");
    view! {
        <fieldset class="field" data-field="hardware_generation">
            <legend>"Hardware generation"</legend>
            {Generation::ALL.into_iter().map(|g| {
                let id = format!("generation-{g:?}").to_lowercase();
                view! {
                    <div class="choice">
                        <input type="radio" name="generation" id=id.clone()
                            aria-describedby=format!("{id}-hint")
                            prop:checked=move || state.form.with(|f| f.generation == g)
                            on:change=move |_| state.edit(|f| f.generation = g) />
                        <label for=id.clone()>{g.label()}</label>
                        <span class="hint" id=format!("{id}-hint")>{g.explanation()}</span>
                    </div>
                }
            }).collect_view()}
            <ul class="messages" aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </fieldset>
    }
}

/// A source the picker offers.
#[derive(Clone, Debug, PartialEq)]
struct Resource {
    id: String,
    name: String,
    size: i64,
    status: String,
    family: String,
}

fn source_section(ctx: Ctx, state: State) -> impl IntoView {
    let kind = Memo::new(move |_| state.form.with(|f| f.source));
    let resources = RwSignal::new(None::<Result<Vec<Resource>, String>>);
    let search = RwSignal::new(String::new());
    let family = RwSignal::new(String::new());
    let family_note = RwSignal::new(None::<(bool, String)>);
    // Load the folder's resources of the chosen kind.
    Effect::new(move || {
        let kind = kind.get();
        let ready = ctx.ready.get();
        let settings = ctx.settings.get();
        resources.set(None);
        if !ready || kind == SourceKind::Uri {
            return;
        }
        leptos::task::spawn_local(async move {
            let api = settings.api();
            let folder = settings.folder_id.clone();
            let status = |s: &str| s.to_owned();
            let loaded = match kind {
                SourceKind::Image => api.list_images(&folder).await.map(|list| {
                    list.into_iter()
                        .map(|i| Resource {
                            status: status(i.status().as_str_name()),
                            id: i.id,
                            name: i.name,
                            size: i.storage_size,
                            family: i.family,
                        })
                        .collect()
                }),
                SourceKind::Disk => api.list_disks(&folder).await.map(|list| {
                    list.into_iter()
                        .map(|d| Resource {
                            status: status(d.status().as_str_name()),
                            id: d.id,
                            name: d.name,
                            size: d.size,
                            family: String::new(),
                        })
                        .collect()
                }),
                SourceKind::Snapshot => api.list_snapshots(&folder).await.map(|list| {
                    list.into_iter()
                        .map(|s| Resource {
                            status: status(s.status().as_str_name()),
                            id: s.id,
                            name: s.name,
                            size: s.disk_size,
                            family: String::new(),
                        })
                        .collect()
                }),
                SourceKind::Uri => return,
            };
            if kind == state.form.with_untracked(|f| f.source) {
                resources.set(Some(loaded.map_err(|e| e.to_string())));
            }
        });
    });
    let use_latest = move || {
        let fam = family.get_untracked();
        family_note.set(Some((
            true,
            format!("Looking up the latest image of {fam}…"),
        )));
        leptos::task::spawn_local(async move {
            let settings = ctx.settings.get_untracked();
            match settings
                .api()
                .latest_of_family(&settings.folder_id, &fam)
                .await
            {
                Ok(image) => {
                    family_note.set(Some((
                        true,
                        format!("Latest of family {fam}: {} ({})", image.name, image.id),
                    )));
                    state.edit(|f| f.source_value = image.id);
                }
                Err(e) => family_note.set(Some((false, format!("No image for family {fam}: {e}")))),
            }
        });
    };
    let picker = move || {
        let kind = kind.get();
        if kind == SourceKind::Uri {
            return view! {
                <p class="hint">
                    "The real service imports only Object Storage links (https://storage.yandexcloud.net/…); "
                    "the local service downloads any http(s) URL. Formats: qcow2, VMDK, VHD, raw."
                </p>
                {move || {
                    let uri = state.form.with(|f| f.source_value.clone());
                    (!uri.is_empty() && !uri.starts_with("https://storage.yandexcloud.net/")).then(|| view! {
                        <p class="warning">"This is not an Object Storage link: the real service would refuse it."</p>
                    })
                }}
            }
            .into_any();
        }
        let list = move || match resources.get() {
            None => view! { <p class="muted">"Loading the folder's resources…"</p> }.into_any(),
            Some(Err(e)) => {
                view! { <p class="error-text">{format!("Cannot list them: {e}")}</p> }.into_any()
            }
            Some(Ok(items)) => {
                let needle = search.get().to_lowercase();
                let shown: Vec<Resource> = items
                    .into_iter()
                    .filter(|r| {
                        needle.is_empty()
                            || r.name.to_lowercase().contains(&needle)
                            || r.id.contains(&needle)
                            || r.family.contains(&needle)
                    })
                    .collect();
                if shown.is_empty() {
                    return view! { <p class="muted">"Nothing matches."</p> }.into_any();
                }
                view! {
                    <ul class="picker" aria-label=format!("{}s in the folder", kind.label())>
                        {shown.into_iter().map(|r| {
                            let id = r.id.clone();
                            let chosen = {
                                let id = id.clone();
                                move || state.form.with(|f| f.source_value == id)
                            };
                            let family = if r.family.is_empty() { String::new() } else { format!(" · family {}", r.family) };
                            view! {
                                <li>
                                    <button type="button" class="pick" aria-pressed=move || chosen().to_string()
                                        on:click=move |_| state.edit(|f| f.source_value = id.clone())>
                                        <span class="pick-name">{if r.name.is_empty() { r.id.clone() } else { r.name.clone() }}</span>
                                        <span class="pick-meta">{format!("{} · {}{} · {}", kiln_console::gb_text(r.size), r.status, family, r.id)}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        };
        let family_part = (kind == SourceKind::Image).then(|| view! {
            <div class="row family-row">
                <label for="source-family">"Latest of family"</label>
                <input id="source-family" type="text" prop:value=move || family.get()
                    on:input=move |ev| family.set(event_target_value(&ev)) />
                <button type="button" class="secondary" on:click=move |_| use_latest()>"Use latest"</button>
            </div>
            {move || family_note.get().map(|(ok, text)| view! {
                <p class=if ok { "note" } else { "error-text" } role="status">{text}</p>
            })}
        });
        view! {
            {family_part}
            <label for="source-search">{format!("Search {}s", kind.label().to_lowercase())}</label>
            <input id="source-search" type="search" prop:value=move || search.get()
                on:input=move |ev| search.set(event_target_value(&ev)) />
            {list}
        }
        .into_any()
    };
    let value_label = move || match kind.get() {
        SourceKind::Uri => "URI".to_owned(),
        k => format!("{} ID", k.label()),
    };
    let messages = move || state.messages("source");
    view! {
        <fieldset class="field source" class:invalid=move || !messages().is_empty() data-field="source">
            <legend>"Source"</legend>
            <div class="choices" role="radiogroup" aria-label="Source kind">
                {SourceKind::ALL.into_iter().map(|k| {
                    let id = format!("source-kind-{}", k.label().to_lowercase());
                    view! {
                        <span class="choice">
                            <input type="radio" name="source-kind" id=id.clone()
                                prop:checked=move || kind.get() == k
                                on:change=move |_| state.edit(|f| { f.source = k; f.source_value.clear(); }) />
                            <label for=id>{k.label()}</label>
                        </span>
                    }
                }).collect_view()}
            </div>
            <label for="source-value">{value_label}</label>
            <input
                id="source-value"
                type="text"
                autocomplete="off"
                maxlength=move || hints::hint(kind.get().field()).max_length
                aria-describedby="source-value-error"
                aria-invalid=move || (!messages().is_empty()).to_string()
                prop:value=move || state.form.with(|f| f.source_value.clone())
                on:input=move |ev| state.edit(|f| f.source_value = event_target_value(&ev))
                on:focusout=move |_| state.touch("source")
            />
            <ul class="messages" id="source-value-error" aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
            {picker}
        </fieldset>
    }
}

/// The request preview: JSON, `yc`, Terraform, each with a copy button.
#[component]
fn Preview(form: RwSignal<Form>) -> impl IntoView {
    #[derive(Clone, Copy, PartialEq)]
    enum Tab {
        Json,
        Yc,
        Terraform,
    }
    let tab = RwSignal::new(Tab::Json);
    let copied = RwSignal::new(String::new());
    let text = Memo::new(move |_| {
        form.with(|f| match tab.get() {
            Tab::Json => f.to_json(),
            Tab::Yc => preview::yc_command(f),
            Tab::Terraform => preview::terraform(f),
        })
    });
    let button = move |t: Tab, label: &'static str| {
        view! {
            <button type="button" class="tab" aria-pressed=move || (tab.get() == t).to_string()
                on:click=move |_| { tab.set(t); copied.set(String::new()); }>{label}</button>
        }
    };
    let copy = move |_| {
        let value = text.get_untracked();
        if let Some(window) = web_sys::window() {
            let promise = window.navigator().clipboard().write_text(&value);
            leptos::task::spawn_local(async move {
                let ok = wasm_bindgen_futures_lite(promise).await;
                copied.set(if ok {
                    "Copied.".into()
                } else {
                    "The browser refused to copy; select the text instead.".into()
                });
            });
        }
    };
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Request preview"</h2>
            <div class="tabs" role="group" aria-label="Preview format">
                {button(Tab::Json, "JSON")}
                {button(Tab::Yc, "yc")}
                {button(Tab::Terraform, "Terraform")}
                <button type="button" class="secondary" on:click=copy>"Copy"</button>
                <span role="status" class="muted">{move || copied.get()}</span>
            </div>
            <pre class="code" tabindex="0" aria-label="Request preview text"><code>{move || text.get()}</code></pre>
        </section>
    }
}

/// Awaits a JS promise; whether it resolved.
async fn wasm_bindgen_futures_lite(promise: js_sys::Promise) -> bool {
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
