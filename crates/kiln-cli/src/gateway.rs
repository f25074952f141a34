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
    /// Send the services whose name starts with PREFIX to another upstream (repeatable), e.g.
    /// yandex.cloud.operation.=https://operation.api.cloud.yandex.net:443
    #[arg(long = "route", value_name = "PREFIX=URL", value_parser = parse_route)]
    routes: Vec<(String, String)>,
    /// Serve the built console from the same origin (with a kiln-config.json naming this gateway)
    #[arg(long, value_name = "DIR")]
    web_dir: Option<std::path::PathBuf>,
    /// A PEM file of certificate authorities trusted for https:// upstreams besides the webpki
    /// roots, e.g. kiln serve --tls's DATA_DIR/tls/ca.pem
    #[arg(long, value_name = "FILE")]
    upstream_ca: Option<std::path::PathBuf>,
    /// An origin allowed by CORS (repeatable)
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Seconds a call may wait for the upstream's answer when the client set no shorter
    /// grpc-timeout; then it ends with DEADLINE_EXCEEDED
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    call_deadline: u64,
    /// Seconds connecting to an upstream may take; then the call ends with UNAVAILABLE
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    connect_timeout: u64,
    /// Request log level: off, error, warn, info (one line per call) or debug
    #[arg(long, value_enum, default_value = "info")]
    log: crate::serve::LogLevel,
    /// Request log format
    #[arg(long, value_enum, default_value = "text")]
    log_format: crate::serve::LogFormat,
}

fn parse_route(text: &str) -> Result<(String, String), String> {
    let (prefix, url) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not PREFIX=URL"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{url:?} must start with http:// or https://"));
    }
    Ok((prefix.to_owned(), url.to_owned()))
}

/// Runs the gateway until the process is stopped.
pub fn run(args: &Args) -> ExitCode {
    if !(args.upstream.starts_with("http://") || args.upstream.starts_with("https://")) {
        eprintln!("kiln gateway: --upstream must start with http:// or https://");
        return ExitCode::from(2);
    }
    crate::serve::start_log(args.log, args.log_format);
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
        for (prefix, url) in &args.routes {
            eprintln!("kiln gateway: services {prefix}* go to {url}");
        }
        if let Some(dir) = &args.web_dir {
            eprintln!(
                "kiln gateway: serving {} at http://{}/",
                dir.display(),
                listener.local_addr()?
            );
        }
        let config =
            kiln_server::Gateway {
                upstream: args.upstream.clone(),
                routes: args.routes.clone(),
                web_dir: args.web_dir.clone(),
                cors_origins: args.cors_origins.clone(),
                call_deadline: Some(std::time::Duration::from_secs(args.call_deadline)),
                connect_timeout: Some(std::time::Duration::from_secs(args.connect_timeout)),
                upstream_ca: match &args.upstream_ca {
                    None => None,
                    Some(path) => Some(std::fs::read(path).map_err(|e| {
                        format!("cannot read --upstream-ca {}: {e}", path.display())
                    })?),
                },
            };
        kiln_server::gateway(listener, &config).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiln gateway: {e}");
            ExitCode::from(2)
        }
    }
}
