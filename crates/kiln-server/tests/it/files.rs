//! The console's files as `kiln serve` and `kiln gateway` send them: the precompressed `.br`
//! or `.gz` sibling the browser accepts, cache headers by kind (hashed assets for a year,
//! `index.html` and the runtime config revalidated), the app's paths answered with
//! `index.html`, a missing file still a 404, and gRPC untouched.

use std::{net::SocketAddr, path::PathBuf};

use super::{fresh_dir, grpc_web_get_seeded_image, http1, start};

const WASM: &str = "kiln-web-7285d934a8bae3a2_bg.wasm";
const INDEX: &[u8] = b"<!doctype html><title>Kiln</title>";
const IMMUTABLE: &str = "cache-control: public, max-age=31536000, immutable";
const NO_CACHE: &str = "cache-control: no-cache";

/// A console folder as `cargo xtask web` leaves it. The siblings hold markers, not real
/// compressed bytes, so an answer shows which file was sent.
fn console_dir(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
    let write = |file: &str, bytes: &[u8]| std::fs::write(dir.join(file), bytes).unwrap();
    write("index.html", INDEX);
    write("index.html.br", b"index as br");
    write("index.html.gz", b"index as gzip");
    write(WASM, b"\0asm the wasm itself");
    write(&format!("{WASM}.br"), b"wasm as br");
    write(&format!("{WASM}.gz"), b"wasm as gzip");
    write("style-e6b3ec4cd97aaf0c.css", b"body {}");
    write("favicon.svg", b"<svg/>");
    dir
}

/// A GET or HEAD of `path` with `accept-encoding` (none when empty); status line, lower-cased
/// headers, body.
async fn fetch(
    addr: SocketAddr,
    method: &str,
    path: &str,
    accept: &str,
) -> (String, String, Vec<u8>) {
    let accept = if accept.is_empty() {
        String::new()
    } else {
        format!("accept-encoding: {accept}\r\n")
    };
    http1(
        addr,
        &format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{accept}connection: close\r\n\r\n"),
    )
    .await
}

/// Everything a browser needs of the console's files, against `kiln serve` or `kiln gateway`
/// at `addr` serving [`console_dir`].
async fn check_console_files(addr: SocketAddr) {
    let wasm = format!("/{WASM}");
    // Brotli before gzip, gzip when only it is accepted, the file itself otherwise.
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), &b"wasm as br"[..]),
        ("gzip, deflate, br, zstd", Some("br"), b"wasm as br"),
        ("gzip", Some("gzip"), b"wasm as gzip"),
        ("", None, b"\0asm the wasm itself"),
        ("identity", None, b"\0asm the wasm itself"),
    ] {
        let (status, head, got) = fetch(addr, "GET", &wasm, accept).await;
        assert!(status.starts_with("http/1.1 200"), "{accept}: {status}");
        assert_eq!(got, body, "{accept}: {head}");
        match encoding {
            Some(e) => assert!(
                head.contains(&format!("content-encoding: {e}\r\n")),
                "{head}"
            ),
            None => assert!(!head.contains("content-encoding"), "{accept}: {head}"),
        }
        assert!(head.contains("content-type: application/wasm"), "{head}");
        assert!(head.contains("vary: accept-encoding"), "{accept}: {head}");
        assert!(head.contains(IMMUTABLE), "{accept}: {head}");
    }
    let (_, head, _) = fetch(addr, "GET", "/style-e6b3ec4cd97aaf0c.css", "br").await;
    assert!(head.contains(IMMUTABLE), "{head}");

    // index.html, the root and the app's paths: the page, revalidated every time.
    let (_, head, body) = fetch(addr, "GET", "/index.html", "br, gzip").await;
    assert!(head.contains("content-encoding: br"), "{head}");
    assert_eq!(body, b"index as br");
    assert!(head.contains(NO_CACHE), "{head}");
    for path in ["/", "/create", "/images", "/images/some-id", "/settings"] {
        let (status, head, body) = fetch(addr, "GET", path, "").await;
        assert!(status.starts_with("http/1.1 200"), "{path}: {status}");
        assert!(head.contains("content-type: text/html"), "{path}: {head}");
        assert!(head.contains(NO_CACHE), "{path}: {head}");
        assert_eq!(body, INDEX, "{path}");
        let (_, head, body) = fetch(addr, "GET", path, "br, gzip").await;
        assert!(head.contains("content-encoding: br"), "{path}: {head}");
        assert_eq!(body, b"index as br", "{path}");
    }
    let (status, head, _) = fetch(addr, "HEAD", "/images/some-id", "").await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(head.contains("content-type: text/html"), "{head}");

    // Other files without a hash are revalidated too; a missing file is not the app.
    let (_, head, _) = fetch(addr, "GET", "/favicon.svg", "").await;
    assert!(head.contains(NO_CACHE), "{head}");
    for path in [
        "/missing.wasm",
        "/x.js",
        "/images/x.js",
        "/kiln-web-0000000000000000.js",
    ] {
        let (status, head, _) = fetch(addr, "GET", path, "br, gzip").await;
        assert!(status.starts_with("http/1.1 404"), "{path}: {status}");
        assert!(!head.contains("cache-control: public"), "{path}: {head}");
    }
    // The runtime config: revalidated (not no-store: the preload in index.html is reused).
    let (status, head, _) = fetch(addr, "GET", "/kiln-config.json", "br, gzip").await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(head.contains(NO_CACHE), "{head}");

    // gRPC is not the app's: gRPC-Web still answers, and a GET of a method is no page.
    let (status, head, body) = grpc_web_get_seeded_image(addr).await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(head.contains("application/grpc-web"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("ubuntu-2404-base"));
    let (_, head, _) = fetch(addr, "GET", "/yandex.cloud.compute.v1.ImageService/Get", "").await;
    assert!(!head.contains("text/html"), "{head}");
}

#[tokio::test]
async fn serve_sends_precompressed_files_with_cache_headers_and_the_app_for_its_paths() {
    let server = super::start_with(kiln_server::Config {
        web_dir: Some(console_dir("files-serve")),
        ..kiln_server::Config::development(fresh_dir("files-serve-data"))
    })
    .await;
    check_console_files(server.addr).await;
    server.task.abort();
}

#[tokio::test]
async fn gateway_sends_precompressed_files_with_cache_headers_and_the_app_for_its_paths() {
    let upstream = start(fresh_dir("files-upstream"), 400 << 30).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = kiln_server::Gateway {
        upstream: format!("http://{}", upstream.addr),
        web_dir: Some(console_dir("files-gateway")),
        ..Default::default()
    };
    let gateway =
        tokio::spawn(async move { kiln_server::gateway(listener, &config).await.unwrap() });
    check_console_files(addr).await;
    gateway.abort();
    upstream.task.abort();
}

/// Without a console folder nothing changes: an unknown path is a gRPC path answering
/// Unimplemented (toolchain pitfall 13), not a page.
#[tokio::test]
async fn without_a_console_folder_an_app_path_is_unimplemented() {
    let server = start(fresh_dir("files-none"), 400 << 30).await;
    let (status, head, _) = fetch(server.addr, "GET", "/images/some-id", "").await;
    assert!(status.starts_with("http/1.1 200"), "{status}");
    assert!(head.contains("grpc-status: 12"), "{head}");
    server.task.abort();
}
