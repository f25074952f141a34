//! Kiln's web console: build an image request in a form checked live by the core crate, send it
//! over gRPC-Web, and watch (or cancel) the operations it starts.
//!
//! The logic lives in `kiln-console` (plain Rust, plain tests); these components render its
//! state and make the calls (`api`). `storage` holds settings and the operations panel.

pub mod api;
pub mod app;
pub mod create;
pub mod images;
pub mod operations;
pub mod settings;
pub mod storage;

/// Mounts the console on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
