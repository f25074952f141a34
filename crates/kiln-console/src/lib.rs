//! The web console's logic, kept out of the components so it is plain Rust with plain tests:
//! the create-image form and the request it builds (`form`), its previews as a `yc` command and a
//! Terraform resource (`preview`), the field hints read from the rules (`hints`), the tracked
//! operations the page polls and restores after a reload (`panel`), the folder's resources as
//! picker rows and image details (`resources`), paging and finding images and what a refresh
//! asks for (`listing`), what pressing Create does and the poller's tolerance (`submit`), an
//! image's Edit (`edit`), the retry schedule (`retry`), what a failed call means (`call`: a
//! `tonic::Status` read into code, message and field violations), what the service's English
//! sentences say (`service_text`), and every word the console shows of its own, in English and
//! Russian (`text`).
//!
//! Architecture invariant: no browser, no async and no IO here; `web/` (Leptos) renders this
//! state and does the calls. Validation is `kiln_core`'s, never re-implemented.

pub mod call;
pub mod choices;
pub mod edit;
pub mod form;
pub mod hints;
pub mod listing;
pub mod panel;
pub mod preview;
pub mod resources;
pub mod retry;
pub mod service_text;
pub mod submit;
pub mod text;

/// Bytes in one GB as the console, `yc` and Terraform count them (2^30).
pub const GB: i64 = 1 << 30;

/// `21474836480` → `21 474 836 480` (narrow no-break spaces between groups of three digits).
pub fn group_digits(n: i64) -> String {
    let digits = n.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}
