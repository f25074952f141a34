//! `cargo xtask web`: builds the web console with Trunk (root `Trunk.toml`) into `dist/`.

use std::{path::PathBuf, process::Command};

use anyhow::Result;

use crate::{
    setup::{self, Tool},
    util,
};

/// Builds the console in release mode; returns the `dist/` folder.
pub fn build() -> Result<PathBuf> {
    setup::ensure(&[
        Tool::WasmTarget,
        Tool::WasmBindgen,
        Tool::Trunk,
        Tool::WasmOpt,
    ])?;
    util::run(trunk().args(["build", "--release"]))?;
    Ok(util::project_root().join("dist"))
}

/// `trunk`, with the pinned tools first on PATH: Trunk uses a tool on PATH only when its
/// version matches `Trunk.toml`, and must never try to download one (toolchain.md).
pub fn trunk() -> Command {
    let tools = setup::wasm_opt()
        .parent()
        .expect("wasm-opt has a folder")
        .to_path_buf();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![tools];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new("trunk");
    command
        .current_dir(util::project_root())
        .env("PATH", std::env::join_paths(paths).expect("PATH joins"))
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    command
}

/// `cargo xtask web-budget`: the console's first-load size and time to interactive, measured
/// in headless Chromium against a release `kiln serve` (a benchmark: it prints, never fails on
/// a number). Results go into `web/BUDGET.md` by hand, with the machine and the date.
pub fn budget() -> Result<()> {
    setup::ensure(&[Tool::Chromium])?;
    let root = util::project_root();
    let dist = build()?;
    util::run(util::cargo().args(["build", "--release", "--package", "kiln-cli"]))?;
    let e2e = e2e_folder()?;
    util::run(
        Command::new("node")
            .arg(e2e.join("budget.mjs"))
            .env("KILN_BIN", root.join("target/release/kiln"))
            .env("KILN_DIST", dist),
    )
}

/// `web/e2e` with its npm dependencies (playwright-core, axe-core) installed from the lockfile.
pub fn e2e_folder() -> Result<PathBuf> {
    let e2e = util::project_root().join("web/e2e");
    util::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e),
    )?;
    Ok(e2e)
}
