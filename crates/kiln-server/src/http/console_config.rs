//! `/kiln-config.json`: the console's runtime config, served by `kiln serve` and `kiln gateway`.

use crate::api::auth::{DEV_FOLDER, DEV_TOKEN, Tokens};

/// `router` serving the console's runtime config document at `/kiln-config.json`: the endpoint
/// is this origin; in development mode the well-known folder and token are filled in, otherwise
/// the user enters them in Settings (no configured token is ever published).
pub fn with_console_config(router: axum::Router, tokens: &Tokens) -> axum::Router {
    let development = tokens.is_development();
    let body = if development {
        format!(r#"{{"endpoint":"","folderId":"{DEV_FOLDER}","token":"{DEV_TOKEN}"}}"#)
    } else {
        r#"{"endpoint":""}"#.to_owned()
    };
    router.route(
        "/kiln-config.json",
        axum::routing::get(move || async move {
            (
                [
                    (http::header::CONTENT_TYPE, "application/json"),
                    // Stored, but asked again on every load (the preload in index.html included).
                    (http::header::CACHE_CONTROL, "no-cache"),
                ],
                body,
            )
        }),
    )
}
