//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use anyhow::Result;

use std::process::Command;

use crate::{
    npm, runtimes,
    setup::{self, Tool},
    util, web,
};

/// fmt check, clippy with warnings denied, every test, the wasm32 build of the core, the npm
/// package built and tested on Node 22, 24 and 26 (its consumer test also under Bun, Deno and
/// in Chromium, see `runtimes.rs`), and the web console built by Trunk and
/// driven end to end in headless Chromium against a real `kiln serve`.
pub fn run() -> Result<()> {
    setup::ensure(&[
        Tool::WasmTarget,
        Tool::WasmBindgen,
        Tool::Trunk,
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
    runtimes::test_package(&package)?;
    console_e2e()?;
    eprintln!("xtask test: all checks passed");
    Ok(())
}

/// The console in the browser: its components under wasm-bindgen-test, then the end-to-end
/// suite (`web/e2e`, Playwright driving Debian's Chromium against a real `kiln serve`); its
/// screenshots land in `target/e2e-screenshots`.
pub fn console_e2e() -> Result<()> {
    let root = util::project_root();
    // The components in a real browser first (wasm-bindgen-test, `web/tests`).
    util::run(
        util::cargo()
            .args([
                "test",
                "--package",
                "kiln-web",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
    )?;
    let dist = web::build()?;
    // The same features as the test run above, so this reuses its build of `kiln`.
    util::run(util::cargo().args(["build", "--workspace", "--all-features", "--bins"]))?;
    let e2e = web::e2e_folder()?;
    util::run(
        Command::new("node")
            .args(["--test", "--test-reporter=spec"])
            .arg(&e2e)
            .env("KILN_BIN", util::cargo_target_dir().join("debug/kiln"))
            .env("KILN_DIST", dist)
            .env("KILN_SCREENSHOTS", root.join("target/e2e-screenshots")),
    )
}
