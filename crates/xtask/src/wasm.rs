//! `cargo xtask wasm-size`: builds the validator alone for wasm32 (release profile: opt-level
//! "z", LTO, one codegen unit) and reports raw and gzip sizes, before and after `wasm-opt -Oz`
//! when binaryen is installed (`cargo xtask setup wasm-opt`).

use std::{io::Write, path::Path, process::Command};

use anyhow::{Context, Result};

use crate::util;

/// The wasm features rustc 1.95 enables by default for wasm32-unknown-unknown; wasm-opt must
/// accept them (it rejects `memory.copy` without `--enable-bulk-memory`).
pub const RUSTC_WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// Builds the module and prints its sizes.
pub fn size() -> Result<()> {
    util::run(util::cargo().args([
        "build",
        "--release",
        "--package",
        "kiln-core",
        "--no-default-features",
        "--example",
        "validator_wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let wasm = util::project_root()
        .join("target/wasm32-unknown-unknown/release/examples/validator_wasm.wasm");
    let raw = std::fs::metadata(&wasm)?.len();
    let gzip = gzip_size(&wasm)?;
    let wasm_opt = crate::setup::wasm_opt();
    let optimized = if util::succeeds(&wasm_opt.to_string_lossy(), &["--version"]) {
        let out = wasm.with_extension("opt.wasm");
        util::run(
            Command::new(&wasm_opt)
                .arg("-Oz")
                .args(RUSTC_WASM_FEATURES)
                .arg(&wasm)
                .arg("-o")
                .arg(&out),
        )?;
        Some((std::fs::metadata(&out)?.len(), gzip_size(&out)?))
    } else {
        None
    };
    println!("validator wasm32 (kiln-core, no default features, release):");
    println!("  raw  {raw:>8} bytes   gzip -9 {gzip:>8} bytes");
    match optimized {
        Some((r, g)) => println!("  wasm-opt -Oz: raw {r:>8} bytes   gzip -9 {g:>8} bytes"),
        None => println!(
            "  (wasm-opt not installed: `cargo xtask setup wasm-opt` adds the -Oz figures)"
        ),
    }
    Ok(())
}

/// Size of `gzip -9` of a file.
pub fn gzip_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .context("gzip is needed to measure compressed size")?;
    std::io::stderr().flush().ok();
    Ok(out.stdout.len() as u64)
}
