//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `setup`: install what this machine lacks (each tool only when missing).
//! - `test`: everything CI checks: fmt, clippy (warnings denied), all tests, the wasm32 build.
//! - `run [ARGS]`: build and run the product (`kiln`); without arguments, `kiln serve`.
//! - `wasm-size`: build the validator for wasm32 and report its raw and gzip size.
//! - `npm`: build the npm package `kiln-validator` into `target/npm/kiln-validator`.
//! - `npm-test`: build it and run its suite on every runtime (the npm part of `test`).
//! - `web`: build the web console with Trunk into `dist/`.
//! - `web-budget`: the console's first-load size and time to interactive (a benchmark).

mod dev;
mod npm;
mod runtimes;
mod setup;
mod test;
mod tidy;
mod util;
mod wasm;
mod web;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let command = args.get(1).cloned().unwrap_or_default();
    let rest = args.get(2..).unwrap_or_default().to_vec();
    std::env::set_current_dir(util::project_root())?;
    match command.as_str() {
        "setup" => setup::run(&rest),
        "test" => test::run(),
        "run" => run(&rest),
        "wasm-size" => wasm::size(),
        "npm" => npm::build().map(|_| ()),
        "npm-test" => npm::build().and_then(|package| runtimes::test_package(&package)),
        "web" => web::build().map(|_| ()),
        "web-budget" => web::budget(),
        "e2e" => test::console_e2e(),
        "dev" => dev::run(&rest),
        _ => bail!(
            "usage: cargo xtask <command>\n\n\
             commands:\n  \
             setup [all|wasm-target|wasm-bindgen|trunk|wasm-opt|esbuild|chromium|qemu-img]  install what is missing\n  \
             test                 fmt check, clippy -D warnings, all tests, wasm32 build of the core\n  \
             run [ARGS]           build and run `kiln` (default: build the console, `kiln serve` on 127.0.0.1:8080)\n  \
             wasm-size            wasm32 size of the validator (raw and gzip)\n  \
             npm                  build the npm package into target/npm/kiln-validator\n  \
             npm-test             build it and run its tests on Node 22/24/26, Bun, Deno and Chromium\n  \
             web                  build the web console into dist/ (Trunk)\n  \
             web-budget           the console's first-load size and time to interactive\n  \
             e2e                  the console's browser tests alone (components, then end to end)\n  \
             dev [--kiln URL] [--port N]  `trunk serve` with live reload, calls proxied to a kiln serve (default http://127.0.0.1:8080)"
        ),
    }
}

/// `cargo xtask run`: without arguments, builds the console and serves it with `kiln serve`
/// (which prints the URL); with arguments, runs `kiln ARGS`.
fn run(args: &[String]) -> Result<()> {
    let default = ["serve".to_owned()];
    let args = if args.is_empty() {
        web::build()?;
        &default[..]
    } else {
        args
    };
    let mut command = util::cargo();
    command
        .args(["run", "--quiet", "--release", "--package", "kiln-cli", "--"])
        .args(args);
    util::run(&mut command)
}
