//! `kiln gateway`: a gRPC-Web front for a native gRPC endpoint (see `kiln_server::gateway`).

use std::{net::SocketAddr, process::ExitCode};

/// Arguments of `kiln gateway`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (gRPC-Web and gRPC on one port)
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// The native gRPC endpoint to forward to, e.g. https://compute.api.cloud.yandex.net:443
    #[arg(long, value_name = "URL")]
    upstream: String,
    /// An origin allowed by CORS (repeatable)
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
}

/// Runs the gateway until the process is stopped.
pub fn run(args: &Args) -> ExitCode {
    if !(args.upstream.starts_with("http://") || args.upstream.starts_with("https://")) {
        eprintln!("kiln gateway: --upstream must start with http:// or https://");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("kiln gateway: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        eprintln!(
            "kiln gateway: listening on http://{}, forwarding to {}",
            listener.local_addr()?,
            args.upstream
        );
        kiln_server::gateway(listener, &args.upstream, &args.cors_origins).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiln gateway: {e}");
            ExitCode::from(2)
        }
    }
}
