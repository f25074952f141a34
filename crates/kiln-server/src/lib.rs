//! Kiln's local Compute service: `ImageService`, `OperationService` and the Get/List half of
//! `DiskService` and `SnapshotService`, wire-compatible with the real API, over native gRPC and
//! gRPC-Web on one port, with a SQLite store in the data folder.
//!
//! `kiln serve` runs [`serve`]. Requests are validated by `kiln_core` (the same validator as the
//! CLI, the npm package and the console); a bad request gets `INVALID_ARGUMENT` with one
//! `google.rpc.BadRequest` field violation per contract violation. `Create` answers at once with
//! an `Operation` and copies the source in the background at the configured rate.
//!
//! What is not built yet (issue 4): URI imports, a config file, static files and CORS, the
//! gateway mode.

pub mod api;
mod auth;
mod engine;
mod errors;
mod images;
mod operations;
mod sources;
mod store;

use std::{path::PathBuf, sync::Arc};

use tokio::net::TcpListener;

pub use auth::{DEV_FOLDER, DEV_TOKEN, Tokens};

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
    /// The development set-up: `dev-token` may use `dev-folder`, 1 GiB/s copies.
    pub fn development(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            copy_rate: 1 << 30,
            tokens: Tokens::development(),
            quotas: Quotas::default(),
        }
    }
}

/// Serves the API on `listener` until the process ends. Not-done operations in the store are
/// resumed first.
pub async fn serve(
    config: Config,
    listener: TcpListener,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    std::fs::create_dir_all(&config.data_dir)?;
    let store = store::Store::open(&config.data_dir.join("kiln.sqlite3"))?;
    let engine = engine::Engine::new(store, config.copy_rate);
    engine.resume()?;
    let tokens = Arc::new(config.tokens);
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
        tokens,
    };
    let incoming = tokio_stream_listener(listener);
    tonic::transport::Server::builder()
        .accept_http1(true)
        .layer(tonic_web::GrpcWebLayer::new())
        .add_service(api::compute::image_service_server::ImageServiceServer::new(
            images,
        ))
        .add_service(
            api::operation::operation_service_server::OperationServiceServer::new(operations),
        )
        .add_service(api::compute::disk_service_server::DiskServiceServer::new(
            sources.clone(),
        ))
        .add_service(api::compute::snapshot_service_server::SnapshotServiceServer::new(sources))
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}

fn tokio_stream_listener(
    listener: TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    tokio_stream::wrappers::TcpListenerStream::new(listener)
}
