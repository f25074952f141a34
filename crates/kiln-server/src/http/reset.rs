//! The admin reset, in development mode only: `POST /_kiln/reset` with the development token
//! puts the service back in its seeded state (every image, operation and idempotency key goes,
//! running copies and downloads stop, the seed's images come back), as LocalStack's and the
//! Google Cloud emulators' resets do between test runs. With configured tokens (a shared
//! service) it answers 403 and changes nothing.

use std::sync::Arc;

use http::StatusCode;
use kiln_core::proto::yandex::cloud::compute::v1::Image;

use crate::{
    api::auth::{DEV_TOKEN, Tokens},
    engine::Engine,
};

/// The reset's path.
pub const PATH: &str = "/_kiln/reset";

/// `router` with the reset route.
pub fn with_reset(
    router: axum::Router,
    engine: Engine,
    tokens: Arc<Tokens>,
    images: Vec<Image>,
) -> axum::Router {
    let images = Arc::new(images);
    router.route(
        PATH,
        axum::routing::post(move |headers: http::HeaderMap| {
            let (engine, tokens, images) = (engine.clone(), tokens.clone(), images.clone());
            async move {
                let text = |status: StatusCode, body: &'static str| {
                    (status, [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], body)
                };
                if !tokens.is_development() {
                    return text(
                        StatusCode::FORBIDDEN,
                        "the reset is available in development mode only (no [tokens] in the config)\n",
                    );
                }
                let bearer = headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "));
                if bearer != Some(DEV_TOKEN) {
                    return text(
                        StatusCode::UNAUTHORIZED,
                        "the reset needs `authorization: Bearer dev-token`\n",
                    );
                }
                match engine.reset_to_seed(images.to_vec()).await {
                    Ok(()) => text(StatusCode::OK, "reset to the seeded state\n"),
                    Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "the reset failed\n"),
                }
            }
        }),
    )
}
