//! The README's client snippets (`<!-- readme-test: NAME -->` before a code block) run against
//! a real server, with its address in place of the README's: Python (the official SDK,
//! plaintext) and Node (the official SDK over `--tls`).

use std::process::Command;

use kiln_server::{Config, DEV_SUBJECT};

use super::sdk::venv;

/// The code block after `<!-- readme-test: name -->` in the README.
fn snippet(name: &str) -> String {
    let readme = std::fs::read_to_string(venv::workspace().join("README.md")).unwrap();
    let marker = format!("<!-- readme-test: {name} -->");
    let after = &readme[readme.find(&marker).unwrap_or_else(|| panic!("{marker}"))..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_python_snippet_creates_an_image() {
    let python = tokio::task::spawn_blocking(venv::python).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        copy_rate: 1 << 40,
        ..Config::development(super::fresh_dir("readme-python"))
    };
    let server = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let code = snippet("python");
    assert!(code.contains("\"127.0.0.1:8080\""), "{code}");
    let code = code.replace("127.0.0.1:8080", &addr.to_string());
    let out = tokio::task::spawn_blocking(move || {
        venv::run(
            Command::new("timeout")
                .arg(super::node::LONGEST_RUN)
                .arg(python)
                .args(["-c", &code]),
        )
    })
    .await
    .unwrap();
    assert_eq!(out.trim(), format!("Create image {DEV_SUBJECT}"));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_node_snippet_creates_an_image_over_tls() {
    let dir = super::fresh_dir("readme-node");
    let certificate = kiln_server::tls::dev_certificate(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        copy_rate: 1 << 40,
        tls: Some(certificate.clone()),
        ..Config::development(dir)
    };
    let server = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let code = snippet("node");
    assert!(code.contains("\"localhost:8443\""), "{code}");
    let code = code.replace("localhost:8443", &format!("localhost:{port}"));
    let out = tokio::task::spawn_blocking(move || {
        let (dir, _) = super::node::install();
        std::fs::write(dir.join("readme-snippet.mjs"), code).unwrap();
        super::node::run(
            "readme-snippet.mjs",
            &[],
            &[("NODE_EXTRA_CA_CERTS", certificate.ca.as_path())],
        )
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", super::node::text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("Create image {DEV_SUBJECT}")
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_python_snippet_over_tls_needs_only_the_endpoint_and_the_authority() {
    let python = tokio::task::spawn_blocking(venv::python).await.unwrap();
    let dir = super::fresh_dir("readme-python-tls");
    let certificate = kiln_server::tls::dev_certificate(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        copy_rate: 1 << 40,
        tls: Some(certificate.clone()),
        ..Config::development(dir)
    };
    let server = tokio::spawn(async move { kiln_server::serve(config, listener).await.unwrap() });
    let code = snippet("python-tls");
    assert!(code.contains("\"localhost:8443\""), "{code}");
    let code = code
        .replace("localhost:8443", &format!("localhost:{port}"))
        .replace("kiln-data/tls/ca.pem", certificate.ca.to_str().unwrap());
    let out = tokio::task::spawn_blocking(move || {
        venv::run(
            Command::new("timeout")
                .arg(super::node::LONGEST_RUN)
                .arg(python)
                .args(["-c", &code])
                .env_remove("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"),
        )
    })
    .await
    .unwrap();
    // READY is 2.
    assert_eq!(out.trim(), format!("Create image {DEV_SUBJECT} 2"));
    server.abort();
}
