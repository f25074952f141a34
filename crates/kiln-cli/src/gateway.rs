//! `kiln gateway`: a gRPC-Web front for a native gRPC endpoint (see `kiln_server::gateway`).

use std::net::SocketAddr;

use anyhow::{Context, bail};

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
    #[arg(long, value_name = "SECONDS", default_value_t = kiln_server::DEFAULT_CALL_DEADLINE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    call_deadline: u64,
    /// Seconds connecting to an upstream may take; then the call ends with UNAVAILABLE
    #[arg(long, value_name = "SECONDS", default_value_t = kiln_server::DEFAULT_CONNECT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3_600))]
    connect_timeout: u64,
    /// Request log level: off, error, warn, info (one line per call) or debug
    #[arg(long, value_enum, default_value = "info")]
    log: crate::serve::LogLevel,
    /// Request log format
    #[arg(long, value_enum, default_value = "text")]
    log_format: crate::serve::LogFormat,
}

fn parse_route(text: &str) -> anyhow::Result<(String, String)> {
    let Some((prefix, url)) = text.split_once('=') else {
        bail!("{text:?} is not PREFIX=URL");
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("{url:?} must start with http:// or https://");
    }
    Ok((prefix.to_owned(), url.to_owned()))
}

/// Runs the gateway until the process is stopped.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if !(args.upstream.starts_with("http://") || args.upstream.starts_with("https://")) {
        bail!("--upstream must start with http:// or https://");
    }
    crate::serve::start_log(args.log, args.log_format);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
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
        let config = kiln_server::Gateway {
            upstream: args.upstream.clone(),
            routes: args.routes.clone(),
            web_dir: args.web_dir.clone(),
            cors_origins: args.cors_origins.clone(),
            call_deadline: Some(std::time::Duration::from_secs(args.call_deadline)),
            connect_timeout: Some(std::time::Duration::from_secs(args.connect_timeout)),
            upstream_ca: match &args.upstream_ca {
                None => None,
                Some(path) => Some(
                    std::fs::read(path)
                        .with_context(|| format!("cannot read --upstream-ca {}", path.display()))?,
                ),
            },
        };
        kiln_server::gateway(listener, &config)
            .await
            .map_err(|e| anyhow::anyhow!(e))
    })
}
