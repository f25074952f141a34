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

mod api;
mod domain;
mod engine;
mod gateway;
mod http;
mod store;

use std::{path::PathBuf, sync::Arc};

use tokio::net::TcpListener;
use tower::Layer;

pub use api::auth::{DEV_FOLDER, DEV_SUBJECT, DEV_TOKEN, Grant, Tokens, default_subject};
pub use engine::import;
pub use gateway::{DEFAULT_CALL_DEADLINE, DEFAULT_CONNECT_TIMEOUT, Gateway, gateway};
pub use http::{calls, request_id, reset, tls, whole_body};
pub use store::seed;

use api::{endpoint_service, image_service, operation_service, source_services};
use http::{cors::cors, files, health, reflection};

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

/// Calls in flight on one HTTP/2 connection, at most.
const MOST_STREAMS_PER_CONNECTION: u32 = 256;
/// The longest a call may take before it answers DEADLINE_EXCEEDED (every RPC is a short
/// unary call; a download runs in the background).
const LONGEST_CALL: std::time::Duration = std::time::Duration::from_secs(30);

/// Why [`serve`] could not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data folder, the listener's address or the TLS files could not be used.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The database could not be opened or prepared (the store's message).
    #[error("{0}")]
    Store(String),
    /// The operations left running could not be resumed (the store's message).
    #[error("{0}")]
    Resume(String),
    /// The reflection services could not read the descriptors.
    #[error(transparent)]
    Reflection(#[from] tonic_reflection::server::Error),
    /// A CORS origin is not a valid header value.
    #[error("a CORS origin is not a valid header value")]
    Cors(#[from] ::http::header::InvalidHeaderValue),
    /// The TLS set-up or the server failed.
    #[error(transparent)]
    Transport(#[from] tonic::transport::Error),
}

impl From<store::StoreError> for ServeError {
    fn from(e: store::StoreError) -> ServeError {
        ServeError::Store(e.to_string())
    }
}

/// Serves the API on `listener` until the process ends. Not-done operations in the store are
/// resumed first.
pub async fn serve(config: Config, listener: TcpListener) -> Result<(), ServeError> {
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
    let quotas = domain::Limits {
        running_operations: config.quotas.running_operations_per_folder,
        images: config.quotas.images_per_folder,
    };
    let engine = engine::Engine::new(store, config.data_dir.join("images"), import_limits, quotas);
    engine
        .resume()
        .await
        .map_err(|e| ServeError::Resume(e.to_string()))?;
    let tokens = Arc::new(config.tokens.clone());
    let images = image_service::Images {
        engine: engine.clone(),
    };
    let operations = operation_service::Operations {
        engine: engine.clone(),
    };
    let sources = source_services::Sources {
        engine: engine.clone(),
    };
    // gRPC-Web wraps each gRPC service only: a layer over the whole router would answer 400 to
    // every plain HTTP/1.1 request, static files included.
    let web = tonic_web::GrpcWebLayer::new();
    // Authentication first and once, before a body is even decoded: without a known token
    // every call answers UNAUTHENTICATED, whatever it carries; with one, its grant goes with
    // the request to the handler.
    let auth = tonic::service::InterceptorLayer::new(api::auth::Authenticate::new(&config.tokens));
    // Every call: grpc-message as the spec encodes it, and its log line.
    let calls = calls::CallLayer;
    use kiln_grpc::{compute::*, operation::*};
    let routes = tonic::service::Routes::new(
        web.layer(
            calls.layer(
                auth.layer(
                    image_service_server::ImageServiceServer::new(images)
                        .max_decoding_message_size(api::LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    operation_service_server::OperationServiceServer::new(operations)
                        .max_decoding_message_size(api::LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    disk_service_server::DiskServiceServer::new(sources.clone())
                        .max_decoding_message_size(api::LARGEST_REQUEST),
                ),
            ),
        ),
    )
    .add_service(
        web.layer(
            calls.layer(
                auth.layer(
                    snapshot_service_server::SnapshotServiceServer::new(sources)
                        .max_decoding_message_size(api::LARGEST_REQUEST),
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
                    endpoint_service::ApiEndpoints {
                        fallback: listener.local_addr()?.to_string(),
                    }
                    .into_service(),
                ),
            ),
        );
    let mut router =
        http::console_config::with_console_config(routes.into_axum_router(), &config.tokens);
    router = health::with_healthz(router);
    router = reset::with_reset(router, engine.clone(), tokens.clone(), seed.images);
    if let Some(dir) = &config.web_dir {
        router = router.fallback_service(files::static_files(dir));
    }
    // An HTTP/1.1 call's body is read before the service answers, so a refusal that needs no
    // body (no token, unknown method) reaches the client instead of a broken pipe.
    router = router.layer(whole_body::WholeBodyLayer::for_messages(
        api::LARGEST_REQUEST,
    ));
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
        .serve_with_incoming(http::listener::tokio_stream_listener(listener))
        .await?;
    Ok(())
}
