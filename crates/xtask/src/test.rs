//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use anyhow::Result;

use crate::{
    setup::{self, Tool},
    util,
};

/// fmt check, clippy with warnings denied, every test, the wasm32 build of the core.
pub fn run() -> Result<()> {
    setup::ensure(&[Tool::WasmTarget])?;
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
    eprintln!("xtask test: all checks passed");
    Ok(())
}
