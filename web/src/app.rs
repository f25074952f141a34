//! The shell: creates the shared state (`state`), restores what storage keeps, reads the
//! runtime config, and mounts the screen chosen in the navigation.

use kiln_console::form::Form;
use kiln_console::operations::Panel;
use leptos::prelude::*;

use crate::state::{Ctx, Page};
use crate::storage::{self, Settings};

/// Where the panel is kept across reloads.
const PANEL: &str = "kiln.operations";
/// Where the form is kept across reloads (session storage: it may hold what the user typed).
const FORM: &str = "kiln.form";

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
        page: RwSignal::new(Page::Create),
        selected_image: RwSignal::new(None),
        now: RwSignal::new(storage::now_seconds()),
        lang: RwSignal::new(storage::load_lang()),
        reveal: RwSignal::new(None),
        created: RwSignal::new(None),
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

    let tab = move |page: Page, label: &'static str| {
        view! {
            <button
                type="button"
                class="tab"
                aria-current=move || (ctx.page.get() == page).then_some("page")
                on:click=move |_| ctx.page.set(page)
            >
                {label}
            </button>
        }
    };
    // Everything is mounted again in the new language when it changes (the form, the panel
    // and the settings live in `ctx`, so nothing typed is lost).
    let header = move || {
        let lang = ctx.lang.get();
        let w = lang.words();
        view! {
            <nav aria-label=w.screens>
                {tab(Page::Create, w.tab_create)}
                {tab(Page::Images, w.tab_images)}
                {tab(Page::Settings, w.tab_settings)}
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
    let screen = move || {
        ctx.lang.track();
        match ctx.page.get() {
            Page::Create => view! {
                <div class="create-layout">
                    <crate::create::CreatePage />
                    <crate::operations::OperationsPanel />
                </div>
            }
            .into_any(),
            Page::Images => view! {
                <div class="create-layout">
                    <crate::images::ImagesPage />
                    <crate::operations::OperationsPanel />
                </div>
            }
            .into_any(),
            Page::Settings => view! { <crate::settings::SettingsPage /> }.into_any(),
        }
    };
    view! {
        <header class="top">
            <span class="brand">"Kiln"</span>
            {header}
        </header>
        <main>{screen}</main>
    }
}
