//! The page: navigation between the screens, the shared state, and start-up (runtime config,
//! the operations restored from storage).

use kiln_console::form::Form;
use kiln_console::operations::Panel;
use leptos::prelude::*;

use crate::storage::{self, Settings};

/// The screens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Page {
    /// The create-image form, its preview and the operations panel.
    Create,
    /// The folder's images.
    Images,
    /// Endpoint, folder, token.
    Settings,
}

/// State every screen shares (signals are `Copy`).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// Where calls go.
    pub settings: RwSignal<Settings>,
    /// Whether the runtime config has been read (calls wait for it).
    pub ready: RwSignal<bool>,
    /// The create-image form, kept across screens and (in session storage) reloads.
    pub form: RwSignal<Form>,
    /// The operations panel.
    pub panel: RwSignal<Panel>,
    /// The last poll error of an operation, by ID.
    pub poll_errors: RwSignal<std::collections::BTreeMap<String, String>>,
    /// The screen shown.
    pub page: RwSignal<Page>,
    /// The image whose details the Images screen shows.
    pub selected_image: RwSignal<Option<String>>,
    /// Seconds since the epoch, ticking once a second (elapsed times).
    pub now: RwSignal<i64>,
}

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
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
        ),
        panel: RwSignal::new(Panel::restore(storage::local_get(PANEL).as_deref())),
        poll_errors: RwSignal::new(Default::default()),
        page: RwSignal::new(Page::Create),
        selected_image: RwSignal::new(None),
        now: RwSignal::new(storage::now_seconds()),
    };
    provide_context(ctx);
    Effect::new(move || storage::local_set(PANEL, &ctx.panel.with(Panel::save)));
    Effect::new(move || {
        if let Ok(text) = ctx.form.with(serde_json::to_string) {
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
            crate::operations::poll(ctx, id);
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
    view! {
        <header class="top">
            <span class="brand">"Kiln"</span>
            <nav aria-label="Screens">
                {tab(Page::Create, "Create image")}
                {tab(Page::Images, "Images")}
                {tab(Page::Settings, "Settings")}
            </nav>
            <span class="where">
                {move || ctx.settings.with(|s| format!("folder {}", s.folder_id))}
            </span>
        </header>
        <main>
            {move || match ctx.page.get() {
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
            }}
        </main>
    }
}

/// The shared state.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
