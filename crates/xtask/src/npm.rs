//! `cargo xtask npm`: builds the npm package `kiln-validator` into `target/npm/kiln-validator/`
//! (a folder `npm install` and `npm pack` accept): kiln-wasm for wasm32 with the `npm` profile
//! (release, with kiln-core at `opt-level = 3`), wasm-bindgen
//! `--target web`, `wasm-opt -Oz`, then the hand-written entry points and the generated types
//! from `crates/kiln-wasm/npm/`; every JavaScript file is minified with esbuild.

use std::{path::PathBuf, process::Command};

use anyhow::{Context, Result};

use crate::{
    setup::{self, Tool},
    util, wasm,
};

/// Where the package is built.
pub fn package_dir() -> PathBuf {
    util::project_root().join("target/npm/kiln-validator")
}

/// Builds the package and prints its sizes.
pub fn build() -> Result<PathBuf> {
    setup::ensure(&[
        Tool::WasmTarget,
        Tool::WasmBindgen,
        Tool::WasmOpt,
        Tool::Esbuild,
    ])?;
    let root = util::project_root();
    util::run(util::cargo().args([
        "build",
        "--profile",
        "npm",
        "--package",
        "kiln-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = package_dir();
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    util::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "kiln_wasm",
                "--out-dir",
            ])
            .arg(&out)
            .arg(root.join("target/wasm32-unknown-unknown/npm/kiln_wasm.wasm")),
    )?;
    let wasm_file = out.join("kiln_wasm_bg.wasm");
    util::run(
        Command::new(setup::wasm_opt())
            .arg("-Oz")
            .args(wasm::RUSTC_WASM_FEATURES)
            .arg(&wasm_file)
            .arg("-o")
            .arg(&wasm_file),
    )?;
    let source = root.join("crates/kiln-wasm/npm");
    for entry in std::fs::read_dir(&source)? {
        let path = entry?.path();
        if path.is_file() {
            let name = path.file_name().context("file name")?;
            std::fs::copy(&path, out.join(name))?;
        }
    }
    // Every JavaScript file minified in place: a page without a bundler loads them as they are
    // (and the size target counts them that way).
    for entry in std::fs::read_dir(&out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            util::run(
                Command::new(setup::esbuild())
                    .arg(&path)
                    .args([
                        "--minify",
                        "--format=esm",
                        "--target=es2022",
                        "--allow-overwrite",
                    ])
                    .arg(format!("--outfile={}", path.display())),
            )?;
        }
    }
    report_sizes(&out)?;
    Ok(out)
}

/// Prints the size of every file the package ships that a page or process loads: the wasm and
/// each JavaScript file, each gzip -9 on its own (the sum is what the size target counts).
fn report_sizes(out: &std::path::Path) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.retain(|f| f.extension().is_some_and(|e| e == "js" || e == "wasm"));
    files.sort();
    println!("kiln-validator built in {}", out.display());
    let mut total = 0;
    for file in &files {
        let raw = std::fs::metadata(file)?.len();
        let gzip = wasm::gzip_size(file)?;
        total += gzip;
        let name = file.file_name().context("file name")?.to_string_lossy();
        println!("  {name:<18} raw {raw:>7} B  gzip -9 {gzip:>6} B");
    }
    println!("  shipped, gzip -9 each: {total} B (target, issue 23: at most 45000 B)");
    Ok(())
}
