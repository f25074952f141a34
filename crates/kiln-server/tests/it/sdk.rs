//! The official Python SDK (PyPI `yandexcloud`) drives an in-process server through
//! `tests/sdk-wire/drive_server.py`: Create -> poll -> done, an invalid request's BadRequest
//! details, List/Get/GetLatestByFamily/Delete, idempotency keys, Cancel and auth.

use std::process::Command;

#[path = "../../../../tests/sdk-wire/venv.rs"]
pub(crate) mod venv;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_drives_the_service() {
    let python = tokio::task::spawn_blocking(venv::python).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // 64 GiB/s: the 20 GiB copies end in about 0.3 s, the 100 GiB one is still running when cancelled.
    let config = kiln_server::Config {
        copy_rate: 64 << 30,
        ..kiln_server::Config::development(super::fresh_dir("sdk"))
    };
    let server = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let script = venv::workspace().join("tests/sdk-wire/drive_server.py");
    let out = tokio::task::spawn_blocking(move || {
        venv::run(Command::new(python).arg(script).arg(addr.to_string()))
    })
    .await
    .unwrap();
    assert!(out.trim_end().ends_with("6 passed, 0 failed"), "{out}");
    server.abort();
}
