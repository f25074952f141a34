//! The create-image screen: the form (every CreateImageRequest field) checked live by the
//! core, the request preview, and Create. The parts are components in this folder: the plain
//! fields (`fields`), the list fields (`lists`), the source picker (`source`), the preview
//! (`preview`).

mod fields;
mod lists;
mod preview;
mod source;

use std::collections::BTreeSet;

use kiln_console::form::{FieldError, Form, server_errors};
use kiln_console::operations::{State as OpState, Tracked};
use kiln_console::resources::Row;
use kiln_console::retry;
use kiln_console::text::Lang;
use leptos::prelude::*;

use crate::state::{Ctx, ctx};
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
    /// The language the screen was mounted in.
    lang: Lang,
    /// The rows the source picker listed last (their sizes are the minimum disk size's floor).
    rows: RwSignal<Vec<Row>>,
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

    /// The picked source's floor for the minimum disk size, in bytes, when the picker knows it.
    fn floor(self) -> Option<i64> {
        let value = self.form.with(|f| f.source_value.clone());
        self.rows
            .with(|rows| rows.iter().find(|r| r.id == value).map(|r| r.floor))
            .filter(|&f| f > 0)
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
    /// screen is gone (a look-up answered late): the form is the app's, the rest is skipped.
    fn edit(self, change: impl FnOnce(&mut Form)) {
        self.form.update(change);
        if self.server.try_with_untracked(|s| !s.is_empty()) == Some(true) {
            self.server.set(Vec::new());
        }
    }
}

/// The create-image screen.
#[component]
pub fn CreatePage() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    let form = ctx.form;
    let state = State {
        form,
        touched: RwSignal::new(BTreeSet::new()),
        submitted: RwSignal::new(false),
        errors: Memo::new(move |_| form.with(|f| f.check(lang))),
        server: RwSignal::new(Vec::new()),
        lang,
        rows: RwSignal::new(Vec::new()),
    };
    let banner = RwSignal::new(None::<(&'static str, String)>);
    let key = StoredValue::new(None::<(String, String)>);
    // Create runs as an action: it keeps going (retries included) if the user leaves the screen.
    let create = Action::new_local(move |(f, idempotency_key): &(Form, String)| {
        let (f, idempotency_key) = (f.clone(), idempotency_key.clone());
        async move {
            if submit_create(ctx, state, banner, f, idempotency_key).await {
                // The next submission is a new form, with a new key; after a failure the same
                // form is sent again with the same key.
                key.set_value(None);
            }
        }
    });
    let sending = create.pending();
    let blocked = move || sending.get() || !state.errors.with(Vec::is_empty);
    let show_problems = move || {
        state.submitted.set(true);
        crate::dom::focus_first_invalid();
    };
    let submit = move || {
        if !state.errors.with_untracked(Vec::is_empty) {
            show_problems();
            return;
        }
        state.submitted.set(true);
        if sending.get_untracked() {
            return;
        }
        let f = form.get_untracked();
        let json = f.to_json();
        // The same form again after it succeeded would only meet ALREADY_EXISTS: say so.
        // (Only while that operation runs or succeeded: after a failure or a cancel, sending
        // again is what the user wants.)
        let standing = |op: &String| {
            ctx.panel.with_untracked(|p| {
                p.operations.iter().any(|t| {
                    &t.id == op && matches!(t.state, OpState::Running | OpState::Succeeded)
                })
            })
        };
        if let Some((_, op)) = ctx
            .created
            .with_untracked(|c| c.clone())
            .filter(|(sent, op)| *sent == json && standing(op))
        {
            banner.set(Some(("info", lang.already_created(&op))));
            ctx.reveal.set(Some(op));
            return;
        }
        // One idempotency key per submitted form, reused when the same form is sent again.
        let idempotency_key = match key.get_value() {
            Some((sent, k)) if sent == json => k,
            _ => storage::uuid(),
        };
        key.set_value(Some((json, idempotency_key.clone())));
        banner.set(Some(("info", w.sending.into())));
        create.dispatch((f, idempotency_key));
    };
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
                {fields::text_field(state, "folder_id", "folder-id", w.folder_id, |f| &f.folder_id, |f| &mut f.folder_id)}
                {fields::text_field(state, "name", "name", w.name, |f| &f.name, |f| &mut f.name)}
                {fields::description(state)}
                <lists::Labels state />
                {fields::text_field(state, "family", "family", w.family, |f| &f.family, |f| &mut f.family)}
                {fields::min_disk_size(state)}
                <lists::ProductIds state />
                <source::SourcePicker state />
                {fields::os(state)}
                {fields::pooled(state)}
                {fields::generation(state)}
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
                {move || banner.get().map(|(kind, text)| view! {
                    <div class=format!("banner banner-{kind}") role=if kind == "error" { "alert" } else { "status" }>{text}</div>
                })}
            </form>
            <preview::Preview form lang />
        </section>
    }
}

/// Sends the Create, retrying UNAVAILABLE with backoff and the same key; whether it started.
async fn submit_create(
    ctx: Ctx,
    state: State,
    banner: RwSignal<Option<(&'static str, String)>>,
    form: Form,
    idempotency_key: String,
) -> bool {
    let lang = state.lang;
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
                ctx.created.set(Some((form.to_json(), id.clone())));
                ctx.reveal.set(Some(id.clone()));
                // The screen may be gone (the user left it while the call ran).
                let _ = state.server.try_set(Vec::new());
                let _ = banner.try_set(Some(("ok", lang.create_started(&id))));
                return true;
            }
            Err(e) => {
                attempt += 1;
                if let Some(delay) = retry::delay_ms(e.code, attempt) {
                    let _ = banner.try_set(Some((
                        "info",
                        lang.retrying(&e, delay, attempt + 1, retry::RETRIES + 1),
                    )));
                    gloo_timers::future::TimeoutFuture::new(delay).await;
                    continue;
                }
                let _ = state.server.try_set(server_errors(&e, lang));
                let _ = banner.try_set(Some(("error", lang.create_failed(&e))));
                return false;
            }
        }
    }
}
