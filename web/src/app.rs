//! The shell: creates the shared state (`state`), restores what storage keeps, reads the
//! runtime config, keeps the operations panel in step with the browser's other tabs, watches
//! the connection, and mounts the screen the address names (leptos_router).

use kiln_console::form::Form;
use kiln_console::panel::Panel;
use kiln_console::submit::Flight;
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::state::{Ctx, paths};
use crate::storage::{self, Settings};

/// Where the panel is kept across reloads, and shared with the other tabs.
const PANEL: &str = "kiln.operations";
/// Where the form is kept across reloads (session storage: it may hold what the user typed).
const FORM: &str = "kiln.form";
/// Where the Create in flight is kept (session storage: its key must survive a reload).
const FLIGHT: &str = "kiln.flight";

/// The app.
#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        settings: RwSignal::new(Settings::load(&Default::default())),
        ready: RwSignal::new(false),
        form: RwSignal::new(
            storage::session_get(FORM)
                .and_then(|t| storage::from_json::<Form>(&t))
                .unwrap_or_default(),
        ),
        panel: RwSignal::new(
            storage::local_get(PANEL)
                .and_then(|t| storage::from_json::<Panel>(&t))
                .unwrap_or_default(),
        ),
        poll_errors: RwSignal::new(Default::default()),
        flight: RwSignal::new(
            storage::session_get(FLIGHT)
                .and_then(|t| storage::from_json::<Flight>(&t))
                // A reload ended the call that was in flight; its key is kept for the retry.
                .map(|mut f| {
                    f.sending = false;
                    f
                }),
        ),
        create_banner: RwSignal::new(None),
        create_error: RwSignal::new(None),
        online: RwSignal::new(storage::online()),
        now: RwSignal::new(storage::now_seconds()),
        lang: RwSignal::new(storage::load_lang()),
        reveal: RwSignal::new(None),
    };
    provide_context(ctx);
    Effect::new(move || storage::save_lang(ctx.lang.get()));
    Effect::new(move || {
        if let Some(text) = ctx.panel.with(storage::to_json) {
            storage::local_set(PANEL, &text);
        }
    });
    Effect::new(move || {
        if let Some(text) = ctx.form.with(storage::to_json) {
            storage::session_set(FORM, &text);
        }
    });
    Effect::new(
        move || match ctx.flight.with(|f| f.as_ref().and_then(storage::to_json)) {
            Some(text) => storage::session_set(FLIGHT, &text),
            None => storage::session_remove(FLIGHT),
        },
    );
    // Another tab changed the panel: take its operations in (each at its furthest state) and
    // poll the running ones here too. Both tabs settle on the same panel, so it stops there.
    storage::on_storage(move |key, value| {
        if key != PANEL {
            return;
        }
        let Some(theirs) = value.as_deref().and_then(storage::from_json::<Panel>) else {
            return;
        };
        let mut merged = ctx.panel.get_untracked();
        merged.merge(theirs);
        if ctx.panel.with_untracked(|p| *p != merged) {
            ctx.panel.set(merged);
        }
        for id in ctx.panel.with_untracked(Panel::running) {
            crate::poller::poll(ctx, id);
        }
    });
    storage::on_online(move |online| ctx.online.set(online));
    // The form's folder follows the settings' folder, unless the user typed another one.
    Effect::new(move |previous: Option<String>| {
        let folder = ctx.settings.with(|s| s.folder_id.clone());
        let current = ctx.form.with_untracked(|f| f.folder_id.clone());
        if !folder.is_empty() && (current.is_empty() || previous.as_ref() == Some(&current)) {
            ctx.form.update(|f| f.folder_id = folder.clone());
        }
        folder
    });
    gloo_timers::callback::Interval::new(1000, move || ctx.now.set(storage::now_seconds()))
        .forget();
    leptos::task::spawn_local(async move {
        let config = storage::fetch_config().await;
        ctx.settings.set(Settings::load(&config));
        ctx.ready.set(true);
        for id in ctx.panel.with_untracked(Panel::running) {
            crate::poller::poll(ctx, id);
        }
    });

    // Everything is mounted again in the new language when it changes (the form, the panel,
    // the Create in flight and the settings live in `ctx`, so nothing is lost).
    let header = move || {
        let lang = ctx.lang.get();
        let w = lang.words();
        view! {
            <nav aria-label=w.screens>
                <A href=paths::CREATE attr:class="tab">{w.tab_create}</A>
                <A href=paths::IMAGES attr:class="tab">{w.tab_images}</A>
                <A href=paths::SETTINGS attr:class="tab">{w.tab_settings}</A>
            </nav>
            <span class="where">
                {move || ctx.settings.with(|s| lang.folder_note(&s.folder_id))}
            </span>
            <div class="langs" role="group" aria-label=w.language>
                {kiln_console::text::Lang::ALL.into_iter().map(|l| view! {
                    <button type="button" class="tab" lang=l.tag()
                        aria-pressed=move || (ctx.lang.get() == l).to_string()
                        on:click=move |_| ctx.lang.set(l)>{l.own_name()}</button>
                }).collect_view()}
            </div>
        }
    };
    let offline = move || {
        (!ctx.online.get()).then(|| {
            view! { <div class="banner banner-error offline" role="alert">{ctx.lang().words().offline}</div> }
        })
    };
    // Only the language mounts the routes again: whatever `Routes` reads while it is built
    // (the location) must not, or every navigation would mount a screen twice (and the first
    // one's load would be aborted when it is dropped).
    let screens = move || {
        ctx.lang.track();
        untrack(|| {
            view! {
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=CreateScreen />
                    <Route path=path!("/create") view=CreateScreen />
                    <Route path=path!("/images") view=ImagesScreen />
                    <Route path=path!("/images/:id") view=ImageScreen />
                    <Route path=path!("/settings") view=crate::settings::SettingsPage />
                </Routes>
            }
        })
    };
    view! {
        <Router>
            <header class="top">
                <span class="brand">"Kiln"</span>
                {header}
            </header>
            {offline}
            <main>{screens}</main>
        </Router>
    }
}

#[component]
fn CreateScreen() -> impl IntoView {
    view! {
        <div class="create-layout">
            <crate::create::CreatePage />
            <crate::panel::OperationsPanel />
        </div>
    }
}

#[component]
fn ImagesScreen() -> impl IntoView {
    view! {
        <div class="create-layout">
            <crate::images::ImagesPage />
            <crate::panel::OperationsPanel />
        </div>
    }
}

#[component]
fn ImageScreen() -> impl IntoView {
    view! {
        <div class="create-layout">
            <crate::image::ImagePage />
            <crate::panel::OperationsPanel />
        </div>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let lang = crate::state::ctx().lang();
    let w = lang.words();
    crate::dom::set_title(&lang.page_title(w.not_found_page));
    view! {
        <section aria-labelledby="nf-title">
            <h1 id="nf-title">{w.not_found_page}</h1>
            <p><A href=paths::CREATE>{w.to_create}</A></p>
        </section>
    }
}
