//! Kiln's local Compute service: `ImageService`, `OperationService` and the Get/List half of
//! `DiskService` and `SnapshotService`, wire-compatible with the real API, over native gRPC and
//! gRPC-Web on one port, with a SQLite store in the data folder.
//!
//! `kiln serve` runs [`serve`]. Requests are validated by `kiln_core` (the same validator as the
//! CLI, the npm package and the console); a bad request gets `INVALID_ARGUMENT` with one
//! `google.rpc.BadRequest` field violation per contract violation. `Create` answers at once with
//! an `Operation` and copies the source in the background at the configured rate.
//!
//! [`gateway`] is the other mode: a gRPC-Web front for a real endpoint.

mod auth;
pub mod calls;
mod copier;
mod domain;
mod endpoints;
mod engine;
mod errors;
mod files;
mod gateway;
mod health;
mod images;
pub mod import;
mod messages;
mod operations;
mod paging;
mod reflection;
pub mod request_id;
pub mod reset;
pub mod seed;
mod sources;
mod store;
pub mod tls;

use std::{path::PathBuf, sync::Arc};

use tokio::net::TcpListener;
use tower::Layer;

pub use auth::{DEV_FOLDER, DEV_SUBJECT, DEV_TOKEN, Grant, Tokens, default_subject};
pub use gateway::{Gateway, gateway};

/// How `kiln serve` runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of the SQLite database.
    pub data_dir: PathBuf,
    /// Simulated copy rate, bytes per second.
    pub copy_rate: u64,
    /// Bearer tokens and the folders each may use.
    pub tokens: Tokens,
    /// Quotas, as the real service has them.
    pub quotas: Quotas,
    /// Folder of static files (the built console) served from the same origin, if any.
    pub web_dir: Option<PathBuf>,
    /// Origins allowed by CORS (same-origin pages need none).
    pub cors_origins: Vec<String>,
    /// Size cap, timeouts and address policy of URI imports. [`serve`] refuses the service's
    /// own address, and with any tokens but the development one (tokens mode) it refuses
    /// loopback and private addresses whatever `policy.local` says: only the ranges in
    /// `policy.allow` add to the public ones.
    pub import_limits: import::Limits,
    /// Serve over TLS with this certificate (`--tls`).
    pub tls: Option<tls::DevCertificate>,
    /// The seed data (`--seed`) in place of the built-in development folder: written into a
    /// new database; an existing one gets its disks and snapshots replaced and its missing
    /// images added. The admin reset goes back to it.
    pub seed: Option<seed::Seed>,
}

/// Limits that answer RESOURCE_EXHAUSTED when reached.
#[derive(Debug, Clone, Copy)]
pub struct Quotas {
    /// Operations running at once in one folder (the real API: 15).
    pub running_operations_per_folder: i64,
    /// Images in one folder (the real API counts 32 per cloud; kiln has no clouds).
    pub images_per_folder: i64,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            running_operations_per_folder: 15,
            images_per_folder: 32,
        }
    }
}

impl Config {
    /// The development set-up: `dev-token` may use `dev-folder`, 1 GiB/s copies, URI imports
    /// from loopback and private addresses allowed (with other tokens, [`serve`] allows public
    /// addresses only).
    pub fn development(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            copy_rate: 1 << 30,
            tokens: Tokens::development(),
            quotas: Quotas::default(),
            web_dir: None,
            cors_origins: Vec::new(),
            import_limits: import::Limits::development(),
            tls: None,
            seed: None,
        }
    }
}

/// The largest request message accepted, in bytes (a Create with every field at its limit is
/// under 20 KB; tonic's default is 4 MiB).
const LARGEST_REQUEST: usize = 256 << 10;

/// Calls in flight on one HTTP/2 connection, at most.
const MOST_STREAMS_PER_CONNECTION: u32 = 256;
/// The longest a call may take before it answers DEADLINE_EXCEEDED (every RPC is a short
/// unary call; a download runs in the background).
const LONGEST_CALL: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves the API on `listener` until the process ends. Not-done operations in the store are
/// resumed first.
pub async fn serve(
    config: Config,
    listener: TcpListener,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    std::fs::create_dir_all(&config.data_dir)?;
    let seed = config.seed.clone().unwrap_or_else(seed::development);
    let store = store::Store::open_seeded(
        &config.data_dir.join("kiln.sqlite3"),
        config.copy_rate,
        &seed,
        config.seed.is_some(),
    )?;
    let mut import_limits = config.import_limits.clone().serving(listener.local_addr()?);
    if !config.tokens.is_development() {
        import_limits.policy.local = false;
    }
    let engine = engine::Engine::new(store, config.data_dir.join("images"), import_limits);
    engine.resume().await.map_err(|e| e.to_string())?;
    let tokens = Arc::new(config.tokens.clone());
    let images = images::Images {
        engine: engine.clone(),
        tokens: tokens.clone(),
        quotas: config.quotas,
    };
    let operations = operations::Operations {
        engine: engine.clone(),
        tokens: tokens.clone(),
    };
    let sources = sources::Sources {
        store: engine.store.clone(),
        tokens: tokens.clone(),
    };
    // gRPC-Web wraps each gRPC service only: a layer over the whole router would answer 400 to
    // every plain HTTP/1.1 request, static files included.
    let web = tonic_web::GrpcWebLayer::new();
    // Authentication first, before a body is even decoded: without a known token every call
    // answers UNAUTHENTICATED, whatever it carries. (The handlers ask again for the folders.)
    let authenticate = {
        let tokens = tokens.clone();
        move |request: tonic::Request<()>| tokens.caller(&request).map(|_| request)
    };
    let auth = tonic::service::InterceptorLayer::new(authenticate);
    // Every call: grpc-message as the spec encodes it, and its log line.
    let calls = calls::CallLayer;
    use kiln_grpc::{compute::*, operation::*};
    let routes = tonic::service::Routes::new(
        web.layer(
            calls.layer(
                auth.layer(
                    image_service_server::ImageServiceServer::new(images)
                        .max_decoding_message_size(LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    operation_service_server::OperationServiceServer::new(operations)
                        .max_decoding_message_size(LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    disk_service_server::DiskServiceServer::new(sources.clone())
                        .max_decoding_message_size(LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    snapshot_service_server::SnapshotServiceServer::new(sources)
                        .max_decoding_message_size(LARGEST_REQUEST),
                ),
            ),
        ),
    );
    // Health, reflection and the endpoint list answer without a token, like the real API's
    // infrastructure.
    let (reflection_v1, reflection_v1alpha) = reflection::services()?;
    let routes = routes
        .add_service(web.layer(calls.layer(health::service().await)))
        .add_service(web.layer(calls.layer(reflection_v1)))
        .add_service(web.layer(calls.layer(reflection_v1alpha)))
        .add_service(
            web.layer(
                calls.layer(
                    endpoints::ApiEndpoints {
                        fallback: listener.local_addr()?.to_string(),
                    }
                    .into_service(),
                ),
            ),
        );
    let mut router = with_console_config(routes.into_axum_router(), &config.tokens);
    router = health::with_healthz(router);
    router = reset::with_reset(router, engine.clone(), tokens.clone(), seed.images);
    if let Some(dir) = &config.web_dir {
        router = router.fallback_service(files::static_files(dir));
    }
    // Request IDs on every request and response, static files and errors included.
    router = router.layer(request_id::RequestIdLayer);
    if !config.cors_origins.is_empty() {
        router = router.layer(cors(&config.cors_origins)?);
    }
    let mut server = tonic::transport::Server::builder();
    if let Some(certificate) = &config.tls {
        server = server.tls_config(
            tonic::transport::ServerTlsConfig::new()
                .identity(certificate.identity()?)
                // A client that never finishes its handshake holds nothing for long.
                .timeout(std::time::Duration::from_secs(10)),
        )?;
    }
    server
        .accept_http1(true)
        // What one client can hold: streams per connection, time per call, and idle
        // connections found dead by HTTP/2 pings.
        .max_concurrent_streams(MOST_STREAMS_PER_CONNECTION)
        .timeout(LONGEST_CALL)
        .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(std::time::Duration::from_secs(10)))
        .add_routes(router.into())
        .serve_with_incoming(tokio_stream_listener(listener))
        .await?;
    Ok(())
}

/// `router` serving the console's runtime config document at `/kiln-config.json`: the endpoint
/// is this origin; in development mode the well-known folder and token are filled in, otherwise
/// the user enters them in Settings (no configured token is ever published).
pub(crate) fn with_console_config(router: axum::Router, tokens: &Tokens) -> axum::Router {
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

/// CORS for the configured origins: what a gRPC-Web page sends, and the response headers it
/// must be able to read (status, error details, the poll interval).
fn cors(
    origins: &[String],
) -> Result<tower_http::cors::CorsLayer, http::header::InvalidHeaderValue> {
    use http::{HeaderName, HeaderValue, Method};
    let origins = origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<Vec<_>, _>>()?;
    let names = |list: &[&'static str]| {
        list.iter()
            .map(|h| HeaderName::from_static(h))
            .collect::<Vec<_>>()
    };
    Ok(tower_http::cors::CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers(names(&[
            "content-type",
            "x-grpc-web",
            "x-user-agent",
            "grpc-timeout",
            "authorization",
            "idempotency-key",
            "x-request-id",
            "x-client-trace-id",
        ]))
        .expose_headers(names(&[
            "grpc-status",
            "grpc-message",
            "grpc-status-details-bin",
            "x-operation-poll-interval",
            "x-request-id",
            "x-server-trace-id",
        ])))
}

/// The accepted connections of `listener`, with Nagle's algorithm off: a response's headers,
/// message and trailers are separate small writes, and Nagle against the client's delayed ACK
/// would hold each unary call for about 40 ms.
pub(crate) fn tokio_stream_listener(
    listener: TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt;
    tokio_stream::wrappers::TcpListenerStream::new(listener)
        .map(|stream| stream.and_then(|s| s.set_nodelay(true).map(|()| s)))
}
