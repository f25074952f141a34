//! `cargo xtask npm`: builds the npm package `kiln-validator` into `target/npm/kiln-validator/`
//! (a folder `npm install` and `npm pack` accept): kiln-wasm for wasm32 with the `npm` profile
//! (release, with kiln-core at `opt-level = 3`), wasm-bindgen
//! `--target web`, `wasm-opt -Oz`, then the hand-written entry points and the generated types
//! from `crates/kiln-wasm/npm/`.

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
    setup::ensure(&[Tool::WasmTarget, Tool::WasmBindgen, Tool::WasmOpt])?;
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
    report_sizes(&out)?;
    Ok(out)
}

fn report_sizes(out: &std::path::Path) -> Result<()> {
    let wasm = out.join("kiln_wasm_bg.wasm");
    let js: Vec<PathBuf> = ["kiln_wasm.js", "api.js", "index.js"]
        .iter()
        .map(|f| out.join(f))
        .collect();
    let wasm_raw = std::fs::metadata(&wasm)?.len();
    let wasm_gzip = wasm::gzip_size(&wasm)?;
    let mut js_raw = 0;
    let mut all_js = Vec::new();
    for file in &js {
        let text = std::fs::read(file)?;
        js_raw += text.len() as u64;
        all_js.extend(text);
    }
    let joined = out.join(".all-js.tmp");
    std::fs::write(&joined, &all_js)?;
    let js_gzip = wasm::gzip_size(&joined)?;
    std::fs::remove_file(&joined)?;
    println!("kiln-validator built in {}", out.display());
    println!("  wasm  raw {wasm_raw:>8} B  gzip -9 {wasm_gzip:>8} B");
    println!(
        "  js    raw {js_raw:>8} B  gzip -9 {js_gzip:>8} B  (kiln_wasm.js + api.js + index.js)"
    );
    println!("  total gzip {:>8} B", wasm_gzip + js_gzip);
    Ok(())
}
