//! `kiln serve`: the local ImageService/OperationService (see `kiln-server`).

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, anyhow, bail};
use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN, Quotas, Tokens, import};
use serde::Deserialize;

/// Arguments of `kiln serve`.
#[derive(clap::Args)]
pub struct Args {
    /// A TOML config file: tokens and their folders, quotas, and any of these options
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (gRPC and gRPC-Web on one port) [default: 127.0.0.1:8080]
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Folder for the SQLite database [default: kiln-data]
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Simulated copy rate of Create, e.g. 1GiB, 256MiB or a number of bytes (per second) [default: 1GiB]
    #[arg(long, value_parser = parse_bytes)]
    copy_rate: Option<u64>,
    /// Static files to serve from the same origin (the built console); default: ./dist when present
    #[arg(long, value_name = "DIR")]
    web_dir: Option<PathBuf>,
    /// An origin allowed by CORS, e.g. http://127.0.0.1:5173 (repeatable; same-origin needs none)
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Serve over TLS with a development certificate made on first start in the data folder
    /// (tls/ca.pem is the authority to trust; the trust commands are printed)
    #[arg(long)]
    tls: bool,
    /// Request log level: off, error, warn, info (one line per call) or debug [default: info]
    #[arg(long, value_name = "LEVEL")]
    log: Option<LogLevel>,
    /// Request log format [default: text]
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    /// A JSON file with a folder's disks, snapshots and images, in place of the built-in
    /// development folder (see the README's "Seed data")
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// In development mode, listen on any address (in a container, whose published port is
    /// the boundary); the well-known token then reaches whoever reaches the port
    #[arg(long)]
    allow_dev_on_any_address: bool,
}

/// `--log`.
#[derive(Clone, Copy, Debug, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `key=value` fields.
    Text,
    /// One JSON object per line.
    Json,
}

/// Starts the request log on standard error: `kiln::request` lines at `level` (other
/// crates' warnings and errors too).
pub(crate) fn start_log(level: LogLevel, format: LogFormat) {
    let level = match level {
        LogLevel::Off => "off",
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
    };
    let filter =
        tracing_subscriber::EnvFilter::new(format!("warn,kiln={level},kiln_server={level}"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The seed file, read and checked.
fn read_seed(path: &PathBuf) -> anyhow::Result<kiln_server::seed::Seed> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the seed {}", path.display()))?;
    kiln_server::seed::from_json(&text).with_context(|| format!("seed {}", path.display()))
}

/// The config file (`--config`). Command-line options win over it.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    copy_rate: Option<String>,
    web_dir: Option<PathBuf>,
    #[serde(default)]
    cors_origins: Vec<String>,
    /// Bearer token -> folders it may use (or `{ folders = [...], subject = "..." }`). Without
    /// tokens, development mode: `dev-token`.
    #[serde(default)]
    tokens: std::collections::BTreeMap<String, FileToken>,
    quotas: Option<FileQuotas>,
    imports: Option<FileImports>,
    tls: Option<bool>,
    log: Option<LogLevel>,
    log_format: Option<LogFormat>,
    seed: Option<PathBuf>,
}

/// One token of `[tokens]`: its folders, and optionally its subject (`Operation.created_by`).
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum FileToken {
    Folders(Vec<String>),
    Grant {
        folders: Vec<String>,
        subject: Option<String>,
    },
}

/// The configured tokens; a token without a subject gets one from its place in the file.
fn tokens(file: &std::collections::BTreeMap<String, FileToken>) -> anyhow::Result<Tokens> {
    let mut tokens = Tokens::default();
    for (index, (token, entry)) in file.iter().enumerate() {
        let (folders, subject) = match entry {
            FileToken::Folders(folders) => (folders.clone(), None),
            FileToken::Grant { folders, subject } => (folders.clone(), subject.clone()),
        };
        let subject = match subject {
            None => kiln_server::default_subject(index),
            Some(s) if s.is_empty() || s.len() > 50 || !s.bytes().all(|b| b.is_ascii_graphic()) => {
                bail!(
                    "tokens: the subject of a token must be 1 to 50 visible ASCII characters, got {s:?}"
                );
            }
            Some(s) => s,
        };
        tokens
            .0
            .insert(token.clone(), kiln_server::Grant { folders, subject });
    }
    Ok(tokens)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileQuotas {
    running_operations_per_folder: i64,
    images_per_folder: i64,
}

/// `[imports]`: where URI imports may come from, and their limits.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileImports {
    /// CIDR ranges allowed besides public addresses, e.g. "10.20.0.0/16".
    #[serde(default)]
    allow: Vec<String>,
    connect_timeout_seconds: Option<u64>,
    idle_timeout_seconds: Option<u64>,
    total_timeout_seconds: Option<u64>,
    /// A number of bytes, or a size such as "64GiB".
    max_bytes: Option<Size>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

/// The import limits: development mode allows loopback and private sources, a config with
/// tokens public ones only; `[imports]` adjusts either.
fn import_limits(development: bool, file: Option<&FileImports>) -> anyhow::Result<import::Limits> {
    let mut limits = if development {
        import::Limits::development()
    } else {
        import::Limits::default()
    };
    let Some(file) = file else {
        return Ok(limits);
    };
    for range in &file.allow {
        limits
            .policy
            .allow
            .push(import::parse_range(range).context("imports.allow")?);
    }
    let seconds = |name: &str, value: Option<u64>, default: std::time::Duration| match value {
        None => Ok(default),
        Some(0) => Err(anyhow!("imports.{name} must be at least 1")),
        Some(n) => Ok(std::time::Duration::from_secs(n)),
    };
    limits.connect_timeout = seconds(
        "connect_timeout_seconds",
        file.connect_timeout_seconds,
        limits.connect_timeout,
    )?;
    limits.idle_timeout = seconds(
        "idle_timeout_seconds",
        file.idle_timeout_seconds,
        limits.idle_timeout,
    )?;
    limits.total_timeout = seconds(
        "total_timeout_seconds",
        file.total_timeout_seconds,
        limits.total_timeout,
    )?;
    match &file.max_bytes {
        None => {}
        Some(Size::Bytes(0)) => bail!("imports.max_bytes must be at least 1"),
        Some(Size::Bytes(n)) => limits.max_bytes = *n,
        Some(Size::Text(text)) => {
            limits.max_bytes = parse_bytes(text).context("imports.max_bytes")?;
        }
    }
    Ok(limits)
}

fn read_file(path: Option<&PathBuf>) -> anyhow::Result<File> {
    let Some(path) = path else {
        return Ok(File::default());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), toml_error(&text, &e)))
}

/// A TOML error on one line: `line 3, column 7: unknown field ...` (toml's own text is a
/// drawing over several lines).
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    let Some(start) = e.span().map(|span| span.start.min(text.len())) else {
        return message;
    };
    let before = text.get(..start).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    format!("line {line}, column {column}: {message}")
}

/// Runs the service until the process is stopped.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let file = read_file(args.config.as_ref())?;
    let copy_rate = match (args.copy_rate, &file.copy_rate) {
        (Some(rate), _) => rate,
        (None, Some(text)) => parse_bytes(text).context("copy_rate")?,
        (None, None) => 1 << 30,
    };
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("an address"));
    let data_dir = args
        .data_dir
        .clone()
        .or(file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("kiln-data"));
    let development = file.tokens.is_empty();
    if development && !listen.ip().is_loopback() && !args.allow_dev_on_any_address {
        bail!(
            "refusing to listen on {listen}: without tokens in a config file the development token \
             {DEV_TOKEN} is accepted, so only loopback addresses are allowed"
        );
    }
    let import_limits = import_limits(development, file.imports.as_ref())?;
    start_log(
        args.log.or(file.log).unwrap_or(LogLevel::Info),
        args.log_format
            .or(file.log_format)
            .unwrap_or(LogFormat::Text),
    );
    let seed = args
        .seed
        .as_ref()
        .or(file.seed.as_ref())
        .map(read_seed)
        .transpose()?;
    let tls = if args.tls || file.tls == Some(true) {
        Some(kiln_server::tls::dev_certificate(&data_dir)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let web_dir = args
        .web_dir
        .clone()
        .or(file.web_dir.clone())
        .or_else(|| Some(PathBuf::from("dist")).filter(|d| d.is_dir()));
    let mut cors_origins = file.cors_origins.clone();
    cors_origins.extend(args.cors_origins.iter().cloned());
    let config = Config {
        copy_rate,
        web_dir: web_dir.clone(),
        cors_origins,
        tokens: if development {
            let mut tokens = Tokens::development();
            // The development token may use the seed's folder too.
            if let Some(folder) = seed.as_ref().and_then(kiln_server::seed::folder) {
                for grant in tokens.0.values_mut() {
                    if !grant.folders.iter().any(|f| f == folder) {
                        grant.folders.push(folder.to_owned());
                    }
                }
            }
            tokens
        } else {
            tokens(&file.tokens)?
        },
        quotas: file
            .quotas
            .as_ref()
            .map_or_else(Quotas::default, |q| Quotas {
                running_operations_per_folder: q.running_operations_per_folder,
                images_per_folder: q.images_per_folder,
            }),
        import_limits,
        tls: tls.clone(),
        seed: seed.clone(),
        ..Config::development(data_dir.clone())
    };
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!("kiln serve: listening on {scheme}://{} (gRPC and gRPC-Web)", listener.local_addr()?);
        if let Some(certificate) = &tls {
            let state = if certificate.made { "made" } else { "found" };
            eprintln!(
                "kiln serve: TLS with the development certificate {state} in {} (for localhost, 127.0.0.1 and ::1); trust {} with:",
                certificate.cert.display(),
                certificate.ca.display()
            );
            for line in certificate.trust_commands() {
                eprintln!("kiln serve:   {line}");
            }
        }
        if let Some(seed) = &seed {
            eprintln!(
                "kiln serve: seed: folder {} with {} disk(s), {} snapshot(s), {} image(s)",
                kiln_server::seed::folder(seed).unwrap_or(DEV_FOLDER),
                seed.disks.len(),
                seed.snapshots.len(),
                seed.images.len()
            );
        }
        if development {
            eprintln!(
                "kiln serve: development mode: `authorization: Bearer {DEV_TOKEN}` may use folder {DEV_FOLDER} \
                 (seeded with disks, snapshots and an image) as subject {}; POST {} resets it to the seed",
                kiln_server::DEV_SUBJECT,
                kiln_server::reset::PATH
            );
        } else {
            eprintln!("kiln serve: {} token(s) from the config file", config.tokens.0.len());
        }
        let policy = &config.import_limits.policy;
        let sources = match (policy.local, policy.allow.len()) {
            (true, 0) => "public, loopback and private addresses".to_owned(),
            (true, n) => format!("public, loopback and private addresses and {n} configured range(s)"),
            (false, 0) => "public addresses only".to_owned(),
            (false, n) => format!("public addresses and {n} configured range(s) only"),
        };
        eprintln!("kiln serve: URI imports from {sources}");
        eprintln!("kiln serve: data in {}", data_dir.join("kiln.sqlite3").display());
        match &web_dir {
            Some(dir) => eprintln!("kiln serve: serving {} at http://{}/", dir.display(), listener.local_addr()?),
            None => eprintln!("kiln serve: no web console to serve (build it into ./dist or pass --web-dir)"),
        }
        Ok(kiln_server::serve(config, listener).await?)
    })
}

/// `1GiB`, `256MiB`, `10KiB`, `1TiB` or plain bytes.
fn parse_bytes(text: &str) -> anyhow::Result<u64> {
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
        other => bail!("unknown unit {other:?}: use KiB, MiB, GiB or TiB"),
    };
    let Ok(n) = number.parse::<u64>() else {
        bail!("{text:?} is not a size");
    };
    n.checked_mul(factor)
        .filter(|&v| v > 0)
        .ok_or_else(|| anyhow!("{text:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(toml_text: &str) -> anyhow::Result<Tokens> {
        let file: File = toml::from_str(toml_text)?;
        tokens(&file.tokens)
    }

    #[test]
    fn tokens_take_a_subject_or_get_one_from_their_place() {
        let tokens = parsed(
            "[tokens]\n\"a\" = [\"f1\"]\n\"b\" = { folders = [\"f2\"], subject = \"ajerobot\" }\n",
        )
        .unwrap();
        assert_eq!(tokens.0["a"].subject, "aje00000000000000001");
        assert_eq!(tokens.0["a"].folders, ["f1"]);
        assert_eq!(tokens.0["b"].subject, "ajerobot");
        assert_eq!(tokens.0["b"].folders, ["f2"]);
        for bad in ["\"\"", "\"two words\""] {
            let text = format!("[tokens]\n\"b\" = {{ folders = [], subject = {bad} }}\n");
            let error = parsed(&text).unwrap_err().to_string();
            assert!(
                error.contains("1 to 50 visible ASCII characters"),
                "{error}"
            );
        }
    }
}
