//! The web console's logic, kept out of the components so it is plain Rust with plain tests:
//! the create-image form and the request it builds (`form`), its previews as a `yc` command and a
//! Terraform resource (`preview`), the field hints read from the rules (`hints`), the tracked
//! operations the page polls and restores after a reload (`operations`), and the retry schedule
//! (`retry`).
//!
//! Architecture invariant: no browser, no async and no IO here; `web/` (Leptos) renders this
//! state and does the calls. Validation is `kiln_core`'s, never re-implemented.

pub mod form;
pub mod hints;
pub mod operations;
pub mod preview;
pub mod retry;

/// Bytes in one GB as the console, `yc` and Terraform count them (2^30).
pub const GB: i64 = 1 << 30;
