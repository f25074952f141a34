//! The create-image screen: the form (every CreateImageRequest field) checked live by the
//! core, the request preview, and Create. The parts are components in this folder: the plain
//! fields (`fields`), the list fields (`lists`), the source picker (`source`), the preview
//! (`preview`).

mod fields;
mod lists;
mod preview;
mod source;

use std::collections::BTreeSet;

use kiln_console::form::{FieldError, Form, messages};
use kiln_console::panel::Tracked;
use kiln_console::resources::Row;
use kiln_console::retry;
use kiln_console::submit::{self, Banner, Submit};
use kiln_console::text::Lang;
use leptos::prelude::*;

use crate::state::{Ctx, ctx};
use crate::storage;

/// The form's reactive state, shared by its parts.
#[derive(Clone, Copy)]
struct State {
    form: RwSignal<Form>,
    /// Fields the user has left at least once (their problems show from then on).
    touched: RwSignal<BTreeSet<&'static str>>,
    /// Whether Create was pressed (every problem shows).
    submitted: RwSignal<bool>,
    /// The form's problems: the core's verdict, the form's own checks, and a minimum disk
    /// size below the picked source's size.
    errors: Memo<Vec<FieldError>>,
    /// What the service said about fields on the last Create, in the screen's language.
    server: Memo<Vec<FieldError>>,
    /// How the last Create failed (the app's: a late answer may edit after the screen is gone).
    error: RwSignal<Option<kiln_console::call::CallError>>,
    /// The language the screen was mounted in.
    lang: Lang,
    /// The rows the source picker listed last (their sizes are the minimum disk size's floor).
    rows: RwSignal<Vec<Row>>,
}

impl State {
    /// The messages shown under `field`, each once.
    fn messages(self, field: &'static str) -> Vec<String> {
        let shown = self.submitted.get() || self.touched.with(|t| t.contains(field));
        self.errors
            .with(|e| self.server.with(|s| messages(field, e, shown, s)))
    }

    /// [`State::messages`] as a signal, for the components.
    fn messages_of(self, field: &'static str) -> Signal<Vec<String>> {
        Signal::derive(move || self.messages(field))
    }

    /// `aria-invalid` of a control of `field`.
    fn invalid(self, field: &'static str) -> impl Fn() -> String + Copy + Send + Sync {
        move || (!self.messages(field).is_empty()).to_string()
    }

    fn touch(self, field: &'static str) {
        if !self.touched.with_untracked(|t| t.contains(field)) {
            self.touched.update(|t| {
                t.insert(field);
            });
        }
    }

    /// Changes the form, and drops what the service said of the last one. May run after the
    /// screen is gone (a look-up answered late): the form and the error are the app's.
    fn edit(self, change: impl FnOnce(&mut Form)) {
        self.form.update(change);
        if self.error.with_untracked(Option::is_some) {
            self.error.set(None);
        }
    }

    /// The picked source's floor for the minimum disk size, in bytes, when the picker knows it.
    fn floor(self) -> Option<i64> {
        floor_of(self.form, self.rows)
    }
}

fn floor_of(form: RwSignal<Form>, rows: RwSignal<Vec<Row>>) -> Option<i64> {
    let value = form.with(|f| f.source_value.clone());
    rows.with(|rows| rows.iter().find(|r| r.id == value).map(|r| r.floor))
        .filter(|&f| f > 0)
}

/// The fields of the group of rarely used options: an error in one opens it.
const MORE: [&str; 4] = ["product_ids", "os", "pooled", "hardware_generation"];

/// The create-image screen.
#[component]
pub fn CreatePage() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    crate::dom::set_title(&ctx.lang().page_title(w.create_title));
    let form = ctx.form;
    let rows = RwSignal::new(Vec::new());
    let state = State {
        form,
        touched: RwSignal::new(BTreeSet::new()),
        submitted: RwSignal::new(false),
        errors: Memo::new(move |_| {
            let floor = floor_of(form, rows);
            form.with(|f| f.problems(lang, floor))
        }),
        server: Memo::new(move |_| {
            ctx.create_error.with(|e| {
                e.as_ref()
                    .map(|e| form.with_untracked(|f| f.server_errors(e, lang)))
                    .unwrap_or_default()
            })
        }),
        error: ctx.create_error,
        lang,
        rows,
    };
    let banner = ctx.create_banner;
    // The Create in flight lives in the app's state: a language switch, another screen or a
    // reload (its key is in session storage) never makes a second image.
    let sending = Memo::new(move |_| ctx.flight.with(|f| f.as_ref().is_some_and(|f| f.sending)));
    let blocked = move || sending.get() || !state.errors.with(Vec::is_empty);
    let show_problems = move || {
        state.submitted.set(true);
        more_open_if_needed(state);
        crate::dom::focus_first_invalid();
    };
    let submit = move || {
        let f = form.get_untracked();
        let json = f.to_json();
        let problems = state.errors.with_untracked(Vec::len);
        // Only while that operation stands (runs, succeeded, or is no longer known): after a
        // failure or a cancel, sending again is what the user wants.
        let standing = |op: &str| ctx.panel.with_untracked(|p| p.standing(op));
        let decision = ctx.flight.with_untracked(|flight| {
            submit::decide(problems, &json, flight.as_ref(), standing, storage::uuid)
        });
        match decision {
            Submit::ShowProblems => show_problems(),
            Submit::Wait => banner.set(Some(Banner::StillSending)),
            Submit::AlreadyCreated(op) => {
                state.submitted.set(true);
                banner.set(Some(Banner::AlreadyCreated(op.clone())));
                ctx.reveal.set(Some(op));
            }
            Submit::Send { key } => {
                state.submitted.set(true);
                ctx.flight.set(Some(submit::sending(&json, &key)));
                banner.set(Some(Banner::Sending));
                leptos::task::spawn_local(submit_create(ctx, f, key));
            }
        }
    };
    // An error inside the collapsed group (the form's, once shown, or the service's) opens it.
    Effect::new(move || {
        state.errors.track();
        state.server.track();
        if state.submitted.get() || state.server.with(|s| !s.is_empty()) {
            more_open_if_needed(state);
        }
    });
    view! {
        <section class="create" aria-labelledby="create-title">
            <h1 id="create-title">{w.create_title}</h1>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                {fields::text_field(state, "name", "name", w.name, |f| &f.name, |f| &mut f.name)}
                <source::SourcePicker state />
                {fields::min_disk_size(state)}
                {fields::description(state)}
                {fields::text_field(state, "family", "family", w.family, |f| &f.family, |f| &mut f.family)}
                <lists::Labels state />
                {fields::text_field(state, "folder_id", "folder-id", w.folder_id, |f| &f.folder_id, |f| &mut f.folder_id)}
                <details class="more" id="more-options">
                    <summary>{w.more_options}</summary>
                    <lists::ProductIds state />
                    {fields::os(state)}
                    {fields::pooled(state)}
                    {fields::generation(state)}
                </details>
                <div class="actions">
                    // Not `disabled`: a disabled button cannot be focused or explain itself.
                    // Pressed with problems, it shows them and moves to the first.
                    <button
                        type="submit"
                        class="primary"
                        aria-disabled=move || blocked().to_string()
                        aria-describedby="create-why"
                    >
                        {move || if sending.get() { w.creating } else { w.create }}
                    </button>
                    <span class="muted" id="create-why" aria-live="polite">
                        {move || {
                            let n = state.errors.with(Vec::len);
                            (n > 0).then(|| lang.problems(n))
                        }}
                    </span>
                    // Messages show once a field is left; this shows them all at once.
                    {move || (!state.errors.with(Vec::is_empty) && !state.submitted.get()).then(|| view! {
                        <button type="button" class="link" on:click=move |_| show_problems()>
                            {w.show_them}
                        </button>
                    })}
                </div>
                {move || banner.with(|b| b.as_ref().map(|b| lang.banner(b))).map(|(kind, text, detail)| view! {
                    <div class=format!("banner banner-{kind}") role=if kind == "error" { "alert" } else { "status" }>
                        {text}
                        <crate::components::Raw detail />
                    </div>
                })}
            </form>
            <preview::Preview form lang />
        </section>
    }
}

/// Opens the group of rarely used options when one of its fields has a problem to show.
fn more_open_if_needed(state: State) {
    let needed = state
        .errors
        .with_untracked(|e| e.iter().any(|e| MORE.contains(&e.field)))
        || state
            .server
            .with_untracked(|s| s.iter().any(|e| MORE.contains(&e.field)));
    if needed
        && let Some(details) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("more-options"))
    {
        let _ = details.set_attribute("open", "");
    }
}

/// Sends the Create, retrying UNAVAILABLE with backoff and the same key. Runs detached from
/// the screen (the user may leave it, or switch the language, while it runs): everything it
/// touches is the app's state.
async fn submit_create(ctx: Ctx, form: Form, idempotency_key: String) {
    let lang = ctx.lang();
    let api = ctx.api();
    let name = if form.name.is_empty() {
        lang.words().unnamed_image.to_owned()
    } else {
        form.name.clone()
    };
    let mut attempt = 0;
    loop {
        match api.create_image(form.to_request(), &idempotency_key).await {
            Ok((op, _)) => {
                let id = op.id.clone();
                ctx.panel.update(|p| p.upsert(Tracked::new(&op, &name)));
                crate::poller::poll(ctx, id.clone());
                ctx.flight.update(|f| {
                    if let Some(f) = f {
                        f.ended(Some(id.clone()));
                    }
                });
                ctx.reveal.set(Some(id.clone()));
                ctx.create_error.set(None);
                ctx.create_banner.set(Some(Banner::Started(id.clone())));
                return;
            }
            Err(e) => {
                attempt += 1;
                if let Some(delay) = retry::delay_ms(e.code, attempt) {
                    ctx.create_banner.set(Some(Banner::Retrying {
                        error: e,
                        delay_ms: delay,
                        attempt: attempt + 1,
                        of: retry::RETRIES + 1,
                    }));
                    gloo_timers::future::TimeoutFuture::new(delay).await;
                    continue;
                }
                ctx.flight.update(|f| {
                    if let Some(f) = f {
                        f.ended(None);
                    }
                });
                ctx.create_error.set(Some(e.clone()));
                ctx.create_banner.set(Some(Banner::Failed(e)));
                return;
            }
        }
    }
}
