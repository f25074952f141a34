//! `cargo xtask setup`: installs the tools of `../shared/toolchain.md` that this machine lacks,
//! each only when `TOOL --version` shows it missing or at another version. Only the registries
//! reachable here are used: rustup, crates.io, npm and Debian's apt.

use std::process::Command;

use anyhow::{Result, bail};

use crate::util::{self, succeeds};

/// wasm-bindgen CLI; must equal the `wasm-bindgen` crate version in Cargo.lock.
pub const WASM_BINDGEN: &str = "0.2.130";
/// Trunk; 0.22 needs a newer rustc.
pub const TRUNK: &str = "0.21.14";
/// binaryen from npm (Debian's 108 corrupts wasm-bindgen 0.2.130 output).
pub const BINARYEN: &str = "132.0.0";
/// esbuild from npm, which minifies the npm package's JavaScript.
pub const ESBUILD: &str = "0.25.12";

/// One installable tool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    /// `rustup target add wasm32-unknown-unknown`.
    WasmTarget,
    /// `wasm-bindgen` and `wasm-bindgen-test-runner`.
    WasmBindgen,
    /// `trunk`.
    Trunk,
    /// `wasm-opt` from npm binaryen, in `target/tools/node_modules/.bin`.
    WasmOpt,
    /// `esbuild` from npm, in `target/tools/esbuild/node_modules/.bin`.
    Esbuild,
    /// Debian's chromium and chromium-driver.
    Chromium,
    /// `qemu-img` (Debian's qemu-utils), which the URI-import test makes image files with.
    QemuImg,
}

const ALL: [Tool; 7] = [
    Tool::WasmTarget,
    Tool::WasmBindgen,
    Tool::Trunk,
    Tool::WasmOpt,
    Tool::Esbuild,
    Tool::Chromium,
    Tool::QemuImg,
];

/// `cargo xtask setup [TOOL...]`; no argument or `all` installs everything.
pub fn run(args: &[String]) -> Result<()> {
    let mut tools = Vec::new();
    for arg in args {
        match arg.as_str() {
            "all" => tools.extend(ALL),
            "wasm-target" => tools.push(Tool::WasmTarget),
            "wasm-bindgen" => tools.push(Tool::WasmBindgen),
            "trunk" => tools.push(Tool::Trunk),
            "wasm-opt" => tools.push(Tool::WasmOpt),
            "esbuild" => tools.push(Tool::Esbuild),
            "chromium" => tools.push(Tool::Chromium),
            "qemu-img" => tools.push(Tool::QemuImg),
            other => bail!("unknown tool {other:?}"),
        }
    }
    if tools.is_empty() {
        tools.extend(ALL);
    }
    ensure(&tools)
}

/// Installs each tool that is missing.
pub fn ensure(tools: &[Tool]) -> Result<()> {
    for &tool in tools {
        if present(tool) {
            eprintln!("setup: {tool:?} present");
        } else {
            eprintln!("setup: installing {tool:?}");
            install(tool)?;
        }
    }
    Ok(())
}

fn present(tool: Tool) -> bool {
    match tool {
        Tool::WasmTarget => {
            util::output(Command::new("rustup").args(["target", "list", "--installed"]))
                .is_ok_and(|out| out.lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
        }
        Tool::WasmBindgen => version_is("wasm-bindgen", WASM_BINDGEN),
        Tool::Trunk => version_is("trunk", TRUNK),
        Tool::WasmOpt => succeeds(&wasm_opt().to_string_lossy(), &["--version"]),
        Tool::Esbuild => version_is(&esbuild().to_string_lossy(), ESBUILD),
        Tool::Chromium => {
            succeeds("chromium", &["--version"]) && succeeds("chromedriver", &["--version"])
        }
        Tool::QemuImg => succeeds("qemu-img", &["--version"]),
    }
}

/// binaryen's `wasm-opt` from npm, installed into `target/tools` by `setup wasm-opt`.
pub fn wasm_opt() -> std::path::PathBuf {
    util::project_root().join("target/tools/node_modules/.bin/wasm-opt")
}

/// esbuild from npm, installed into its own folder (an `npm install` into `target/tools` would
/// prune binaryen) by `setup esbuild`.
pub fn esbuild() -> std::path::PathBuf {
    util::project_root().join("target/tools/esbuild/node_modules/.bin/esbuild")
}

fn version_is(program: &str, version: &str) -> bool {
    util::output(Command::new(program).arg("--version")).is_ok_and(|out| out.contains(version))
}

fn install(tool: Tool) -> Result<()> {
    match tool {
        Tool::WasmTarget => {
            util::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        }
        // Not --locked: its lockfile names a webpki-roots the registry lacks (toolchain.md).
        Tool::WasmBindgen => util::run(util::cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN,
        ])),
        Tool::Trunk => {
            util::run(util::cargo().args(["install", "--locked", "trunk", "--version", TRUNK]))
        }
        Tool::WasmOpt => util::npm_install_into(
            &util::project_root().join("target/tools"),
            &format!("binaryen@{BINARYEN}"),
        ),
        Tool::Esbuild => util::npm_install_into(
            &util::project_root().join("target/tools/esbuild"),
            &format!("esbuild@{ESBUILD}"),
        ),
        Tool::Chromium => {
            util::run(Command::new("apt-get").arg("update"))?;
            util::run(Command::new("apt-get").args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ]))
        }
        Tool::QemuImg => {
            util::run(Command::new("apt-get").arg("update"))?;
            util::run(Command::new("apt-get").args([
                "install",
                "-y",
                "--no-install-recommends",
                "qemu-utils",
            ]))
        }
    }
}
