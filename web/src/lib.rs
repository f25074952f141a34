//! Kiln's web console: build an image request in a form checked live by the core crate, send it
//! over gRPC-Web, and watch (or cancel) the operations it starts.
//!
//! The logic lives in `kiln-console` (plain Rust, plain tests); these components render its
//! state and make the calls. Layout (Leptos-example style; imports point one way, from the
//! shell to the screens to the shared parts, never back):
//!
//! - `app`: the shell (state created, storage restored, screens mounted);
//! - `state`: the shared state and the screen enum; `poller`: operation polling;
//! - `api`: the tonic clients over tonic-web-wasm-client; `load`: aborting superseded loads;
//!   `storage`: browser storage, settings, runtime config;
//! - `components`: shared markup (`Field`, `FieldSet`, `Messages`); `dom`: focus moves;
//! - the screens: `create` (a folder of components), `images` (the list), `image` (one
//!   image's page), `panel` (the operations panel), `settings`.

pub mod api;
pub mod app;
pub mod components;
pub mod create;
pub mod dom;
pub mod image;
pub mod images;
pub mod load;
pub mod panel;
pub mod poller;
pub mod settings;
pub mod state;
pub mod storage;

/// Mounts the console on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
