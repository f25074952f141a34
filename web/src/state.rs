//! The state every screen shares, and the screens there are. Screens read it with [`ctx`]; the
//! shell (`app`) creates it and mounts the screens, so no screen imports the shell.

use std::collections::BTreeMap;

use kiln_console::form::Form;
use kiln_console::panel::Panel;
use kiln_console::text::Lang;
use leptos::prelude::*;

use crate::storage::Settings;

/// The app's addresses (leptos_router routes, and the links between screens).
pub mod paths {
    /// The create-image form (also `/`).
    pub const CREATE: &str = "/create";
    /// The folder's images.
    pub const IMAGES: &str = "/images";
    /// Endpoint, folder, token.
    pub const SETTINGS: &str = "/settings";

    /// One image's page.
    pub fn image(id: &str) -> String {
        format!("/images/{id}")
    }
}

/// A poll that failed: why, and whether polling gave up.
#[derive(Clone, Debug, PartialEq)]
pub struct PollError {
    /// What the call said.
    pub error: kiln_console::call::CallError,
    /// Whether polling stopped (else it goes on).
    pub stopped: bool,
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
    pub poll_errors: RwSignal<BTreeMap<String, PollError>>,
    /// The Create being sent or last sent (its form, key, pending state and operation): kept
    /// here and in session storage, so no screen change, language switch or reload loses it.
    pub flight: RwSignal<Option<kiln_console::submit::Flight>>,
    /// The create screen's banner, as what happened (worded when shown, in the page's language).
    pub create_banner: RwSignal<Option<kiln_console::submit::Banner>>,
    /// How the last Create failed (its field errors are read from it in the page's language);
    /// dropped when the form is edited.
    pub create_error: RwSignal<Option<kiln_console::call::CallError>>,
    /// Whether the browser says it is online (a banner when not; loads resume when back).
    pub online: RwSignal<bool>,
    /// Seconds since the epoch, ticking once a second (elapsed times).
    pub now: RwSignal<i64>,
    /// The language every screen speaks; the screens are mounted again when it changes.
    pub lang: RwSignal<Lang>,
    /// An operation to bring into view and focus once the panel shows it (after Create).
    pub reveal: RwSignal<Option<String>>,
}

impl Ctx {
    /// The language, read once by a screen as it is mounted.
    pub fn lang(self) -> Lang {
        self.lang.get_untracked()
    }

    /// The API client for the current settings.
    pub fn api(self) -> crate::api::Api {
        self.settings.with_untracked(Settings::api)
    }
}

/// The shared state (provided by the shell).
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
