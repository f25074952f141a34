//! `kiln serve`: the local ImageService/OperationService (see `kiln-server`).

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN};

/// Arguments of `kiln serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (gRPC and gRPC-Web on one port)
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder for the SQLite database
    #[arg(long, default_value = "kiln-data")]
    data_dir: PathBuf,
    /// Simulated copy rate of Create, e.g. 1GiB, 256MiB or a number of bytes (per second)
    #[arg(long, default_value = "1GiB", value_parser = parse_bytes)]
    copy_rate: u64,
    /// Static files to serve from the same origin (the built console); default: ./dist when present
    #[arg(long, value_name = "DIR")]
    web_dir: Option<PathBuf>,
    /// An origin allowed by CORS, e.g. http://127.0.0.1:5173 (repeatable; same-origin needs none)
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
}

/// Runs the service until the process is stopped.
pub fn run(args: &Args) -> ExitCode {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "kiln serve: refusing to listen on {}: the development token {DEV_TOKEN} is accepted, so only loopback \
             addresses are allowed",
            args.listen
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("kiln serve: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let web_dir = args
        .web_dir
        .clone()
        .or_else(|| Some(PathBuf::from("dist")).filter(|d| d.is_dir()));
    let config = Config {
        copy_rate: args.copy_rate,
        web_dir: web_dir.clone(),
        cors_origins: args.cors_origins.clone(),
        ..Config::development(args.data_dir.clone())
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        eprintln!("kiln serve: listening on http://{} (gRPC and gRPC-Web)", listener.local_addr()?);
        eprintln!(
            "kiln serve: development mode: `authorization: Bearer {DEV_TOKEN}` may use folder {DEV_FOLDER} \
             (seeded with disks, snapshots and an image)"
        );
        eprintln!("kiln serve: data in {}", args.data_dir.join("kiln.sqlite3").display());
        match &web_dir {
            Some(dir) => eprintln!("kiln serve: serving {} at http://{}/", dir.display(), listener.local_addr()?),
            None => eprintln!("kiln serve: no web console to serve (build it into ./dist or pass --web-dir)"),
        }
        kiln_server::serve(config, listener).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiln serve: {e}");
            ExitCode::from(2)
        }
    }
}

/// `1GiB`, `256MiB`, `10KiB`, `1TiB` or plain bytes.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        other => return Err(format!("unknown unit {other:?}: use KiB, MiB, GiB or TiB")),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size"))?;
    n.checked_mul(factor)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}
