//! `cargo xtask dev [--kiln URL] [--port N]`: the console's dev loop, `trunk serve` with live
//! reload, its gRPC-Web calls and `kiln-config.json` proxied to a `kiln serve` at URL (default
//! `http://127.0.0.1:8080`, the one `Trunk.toml` names).
//!
//! Trunk's `[[proxy]]` entries cannot take their address from the command line (only one
//! `--proxy-backend` can), so this writes `target/dev/Trunk.toml`: the root `Trunk.toml` with the
//! backend address replaced, absolute paths, the console's sources watched, and its own `dist`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::{
    setup::{self, Tool},
    util, web,
};

/// The address the root `Trunk.toml` proxies to.
const DEFAULT_KILN: &str = "http://127.0.0.1:8080";

/// Runs the dev loop (until interrupted).
pub fn run(args: &[String]) -> Result<()> {
    let mut kiln = DEFAULT_KILN.to_owned();
    let mut port = "8081".to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--kiln" => kiln = rest.next().context("--kiln needs a URL")?.clone(),
            "--port" => port = rest.next().context("--port needs a number")?.clone(),
            other => bail!("unknown argument {other}: cargo xtask dev [--kiln URL] [--port N]"),
        }
    }
    let kiln = kiln.trim_end_matches('/');
    if !(kiln.starts_with("http://") || kiln.starts_with("https://")) {
        bail!("--kiln must be an http(s) URL, got {kiln}");
    }
    port.parse::<u16>()
        .with_context(|| format!("--port must be a port number, got {port}"))?;
    setup::ensure(&[
        Tool::WasmTarget,
        Tool::WasmBindgen,
        Tool::Trunk,
        Tool::WasmOpt,
    ])?;
    let root = util::project_root();
    let config = write_config(&root, kiln)?;
    eprintln!("dev loop: http://127.0.0.1:{port}/ (calls go to {kiln})");
    util::run(
        web::trunk()
            .args(["serve", "--config"])
            .arg(&config)
            .args(["--port", &port]),
    )
}

/// `target/dev/Trunk.toml` for a `kiln serve` at `kiln`.
fn write_config(root: &Path, kiln: &str) -> Result<PathBuf> {
    let original = std::fs::read_to_string(root.join("Trunk.toml"))?;
    if !original.contains(DEFAULT_KILN) {
        bail!("Trunk.toml no longer proxies to {DEFAULT_KILN}: update xtask dev");
    }
    let web = root.join("web");
    let dir = root.join("target/dev");
    std::fs::create_dir_all(&dir)?;
    let path_text = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let mut text = original
        .replace(DEFAULT_KILN, kiln)
        .replace(
            "target = \"web/index.html\"",
            &format!("target = \"{}\"", path_text(&web.join("index.html"))),
        )
        .replace(
            "dist = \"dist\"",
            &format!("dist = \"{}\"", path_text(&dir.join("dist"))),
        );
    text.push_str(&format!(
        "\n# Written by `cargo xtask dev`.\n[watch]\nwatch = [\"{}\", \"{}\"]\n",
        path_text(&web),
        path_text(&root.join("crates")),
    ));
    let config = dir.join("Trunk.toml");
    std::fs::write(&config, text)?;
    Ok(config)
}
