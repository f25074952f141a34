//! The built console's files (`--web-dir`), shared by `kiln serve` and `kiln gateway`.
//!
//! - Compression: the `.br` or `.gz` file `cargo xtask web` writes beside each file is sent as
//!   it is, Brotli before gzip, whichever the browser accepts (`Vary: Accept-Encoding`); a file
//!   without a precompressed sibling (a plain `trunk build`) is gzipped on the fly instead.
//! - Caching: a file whose name carries Trunk's content hash (`kiln-web-HASH_bg.wasm`,
//!   `style-HASH.css`) never changes, so it is cached for a year (`immutable`); everything else
//!   (`index.html`, the app's paths, `favicon.svg`) is revalidated on every use (`no-cache`).
//! - The app's own paths (`/create`, `/images/ID`: a GET or HEAD whose last segment has no
//!   extension) answer `index.html`, so a deep link or a reload starts the console there; a
//!   missing file (`/missing.wasm`) is still a 404, and gRPC paths (a first segment with a dot,
//!   `yandex.cloud.compute.v1.ImageService`), `/_kiln/…` and `/healthz` are never the app's.

use std::{convert::Infallible, path::Path};

use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use tower::{Layer, Service, ServiceExt};
use tower_http::{
    compression::{Compression, CompressionLayer},
    services::{ServeDir, ServeFile},
};

/// `Cache-Control` of a file whose name has Trunk's content hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: stored, but revalidated before each use.
const NO_CACHE: &str = "no-cache";

/// The service answering with the files of `dir` (see the module's documentation).
#[derive(Clone)]
pub(crate) struct StaticFiles {
    files: Compression<ServeDir>,
    index: Compression<ServeFile>,
}

/// The console's files in `dir`, for a router's fallback.
pub(crate) fn static_files(dir: &Path) -> StaticFiles {
    // The on-the-fly gzip leaves a response that already has a Content-Encoding alone.
    let gzip = CompressionLayer::new().gzip(true);
    StaticFiles {
        files: gzip.layer(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
        index: gzip.layer(
            ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        ),
    }
}

impl Service<Request<axum::body::Body>> for StaticFiles {
    type Response = Response<axum::body::Body>;
    type Error = Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        // ServeDir and ServeFile are always ready.
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<axum::body::Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let app = is_app_path(request.method(), &path);
            let response = if app {
                this.index.oneshot(request).await
            } else {
                this.files.oneshot(request).await
            };
            let mut response = response
                .unwrap_or_else(|e| match e {})
                .map(axum::body::Body::new);
            let status = response.status();
            let headers = response.headers_mut();
            if status.is_success() || status == StatusCode::NOT_MODIFIED {
                let name = if app {
                    "index.html"
                } else {
                    last_segment(&path)
                };
                let cache = if is_hashed(name) { IMMUTABLE } else { NO_CACHE };
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            }
            let varies = headers
                .get_all(header::VARY)
                .iter()
                .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding"));
            if !varies {
                headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
            Ok(response)
        })
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

/// Whether `path` is one of the console's own pages, answered with `index.html`: a GET or HEAD
/// whose last segment has no extension, and not a gRPC service's path (its first segment is
/// a package-qualified name, with dots), the service's own `/_kiln/…` or `/healthz`.
pub(crate) fn is_app_path(method: &Method, path: &str) -> bool {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    (method == Method::GET || method == Method::HEAD)
        && !last_segment(path).contains('.')
        && !first.contains('.')
        && first != "_kiln"
        && first != "healthz"
}

/// Whether a file `name` carries Trunk's content hash, so its content never changes under
/// that name: `STEM-HASH` then an optional `_bg` or `_loader` and the extension, where HASH is
/// Trunk's seahash in lowercase hex (`{:x}` of a u64: up to 16 digits; 8 at least here, so
/// a name such as `app-1.js` does not count).
pub(crate) fn is_hashed(name: &str) -> bool {
    let Some((base, _extension)) = name.split_once('.') else {
        return false;
    };
    let base = base
        .strip_suffix("_bg")
        .or_else(|| base.strip_suffix("_loader"))
        .unwrap_or(base);
    base.rsplit_once('-').is_some_and(|(stem, hash)| {
        !stem.is_empty()
            && (8..=16).contains(&hash.len())
            && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::{is_app_path, is_hashed};

    #[test]
    fn hashed_names_are_trunks() {
        let check = |name: &str, expect: bool| assert_eq!(is_hashed(name), expect, "{name}");
        check("kiln-web-7285d934a8bae3a2_bg.wasm", true);
        check("kiln-web-7285d934a8bae3a2.js", true);
        check("kiln-web-7285d934a8bae3a2_loader.js", true);
        check("style-e6b3ec4cd97aaf0c.css", true);
        check("style-e6b3ec4cd97aaf0c.css.br", true);
        check("style-6b3ec4cd97aaf0c.css", true); // a hash with a leading zero dropped
        check("index.html", false);
        check("favicon.svg", false);
        check("kiln-config.json", false);
        check("kiln-web_bg.wasm", false);
        check("app-1.js", false);
        check("style-e6b3ec4cd97aaf0g.css", false);
        check("style-E6B3EC4CD97AAF0C.css", false);
        check("-e6b3ec4cd97aaf0c.css", false);
        check("kiln-web-7285d934a8bae3a2", false);
        check("", false);
    }

    #[test]
    fn app_paths_have_no_extension_and_are_not_the_services() {
        let check = |method: Method, path: &str, expect: bool| {
            assert_eq!(is_app_path(&method, path), expect, "{method} {path}");
        };
        check(Method::GET, "/", true);
        check(Method::GET, "/create", true);
        check(Method::GET, "/images", true);
        check(Method::GET, "/images/fd80dev0image0ubuntu", true);
        check(Method::HEAD, "/settings", true);
        check(Method::POST, "/create", false);
        check(Method::GET, "/index.html", false);
        check(Method::GET, "/missing.wasm", false);
        check(Method::GET, "/images/x.js", false);
        check(
            Method::GET,
            "/yandex.cloud.compute.v1.ImageService/Get",
            false,
        );
        check(Method::GET, "/grpc.health.v1.Health/Check", false);
        check(Method::GET, "/_kiln/reset", false);
        check(Method::GET, "/healthz", false);
    }
}
