//! `cargo xtask web`: builds the web console with Trunk (root `Trunk.toml`) into `dist/`, then
//! writes a Brotli (`.br`) and a gzip (`.gz`) copy beside each compressible file, which `kiln
//! serve` and `kiln gateway` send as they are (Trunk 0.21 writes none: toolchain.md).

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

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
    let dist = util::project_root().join("dist");
    precompress(&dist)?;
    Ok(dist)
}

/// The files a browser gets compressed: the console's code, styles, page, icon and JSON.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "html", "svg", "json"];

/// Writes `NAME.br` (Brotli, quality 11) and `NAME.gz` (gzip, best) beside every compressible
/// file directly in `dir`; returns the files compressed, sorted. Earlier `.br` and `.gz` files
/// are overwritten, never compressed again.
pub fn precompress(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if compressible && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    for path in &files {
        let bytes = std::fs::read(path)?;
        let sibling = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 24,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
        std::fs::write(sibling(".br"), br)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        std::fs::write(sibling(".gz"), gz.finish()?)?;
    }
    Ok(files)
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

/// `cargo xtask web-budget`: the console's first load as transferred, its time to interactive
/// and, on Slow 4G, the time until the Name field validates, measured in headless Chromium
/// against a release `kiln serve` (a benchmark: it prints, never fails on a number). Results go
/// into `web/BUDGET.md` by hand, with the machine and the date.
pub fn budget() -> Result<()> {
    setup::ensure(&[Tool::Chromium])?;
    let dist = build()?;
    util::run(util::cargo().args(["build", "--release", "--package", "kiln-cli"]))?;
    let e2e = e2e_folder()?;
    util::run(
        Command::new("node")
            .arg(e2e.join("budget.mjs"))
            .env("KILN_BIN", util::cargo_target_dir().join("release/kiln"))
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

#[cfg(test)]
mod tests {
    use std::{fs, io::Read};

    use super::precompress;

    #[test]
    fn precompress_writes_br_and_gz_beside_compressible_files_only() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let text = "kiln ".repeat(1000);
        for name in [
            "app_bg.wasm",
            "app.js",
            "style.css",
            "index.html",
            "icon.svg",
            "c.json",
        ] {
            fs::write(dir.join(name), &text).unwrap();
        }
        fs::write(dir.join("photo.png"), &text).unwrap();
        // Run twice: the second run overwrites and does not compress the compressed files.
        precompress(&dir).unwrap();
        let compressed = precompress(&dir).unwrap();
        let names = |files: &[std::path::PathBuf]| {
            files
                .iter()
                .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&compressed),
            [
                "app.js",
                "app_bg.wasm",
                "c.json",
                "icon.svg",
                "index.html",
                "style.css"
            ]
        );
        for name in names(&compressed) {
            let br = fs::read(dir.join(format!("{name}.br"))).unwrap();
            let gz = fs::read(dir.join(format!("{name}.gz"))).unwrap();
            assert!(
                br.len() < 100 && gz.len() < 100,
                "{name}: {} {}",
                br.len(),
                gz.len()
            );
            let mut unbr = String::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_string(&mut unbr)
                .unwrap();
            let mut ungz = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut ungz)
                .unwrap();
            assert_eq!(
                (unbr.as_str(), ungz.as_str()),
                (text.as_str(), text.as_str())
            );
        }
        assert!(!dir.join("photo.png.br").exists());
        assert!(!dir.join("app.js.br.br").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
