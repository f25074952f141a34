//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use anyhow::Result;

use std::process::Command;

use crate::{
    npm,
    setup::{self, Tool},
    util,
};

/// fmt check, clippy with warnings denied, every test, the wasm32 build of the core, and the npm
/// package built and tested under Node (`node --test`).
pub fn run() -> Result<()> {
    setup::ensure(&[
        Tool::WasmTarget,
        Tool::WasmBindgen,
        Tool::WasmOpt,
        Tool::Chromium,
        Tool::QemuImg,
    ])?;
    util::run(util::cargo().args(["fmt", "--all", "--check"]))?;
    util::run(util::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "--deny",
        "warnings",
    ]))?;
    util::run(util::cargo().args(["test", "--workspace", "--all-features"]))?;
    // The core must build for the browser, with and without its JSON-mapping feature.
    for features in [&["--no-default-features"][..], &[][..]] {
        util::run(
            util::cargo()
                .args([
                    "build",
                    "--package",
                    "kiln-core",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .args(features),
        )?;
    }
    let package = npm::build()?;
    util::run(
        Command::new("node")
            .args(["--test", "--test-reporter=spec"])
            .arg(util::project_root().join("crates/kiln-wasm/tests/js"))
            .env("KILN_VALIDATOR_DIR", &package),
    )?;
    eprintln!("xtask test: all checks passed");
    Ok(())
}
