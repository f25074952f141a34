//! URI imports: the image file is downloaded over HTTP(S) from an address the [`Policy`] allows
//! (checked after DNS resolution and on every redirect), streamed to the data folder under a
//! size cap and connect, idle and total timeouts, then recognised from its first and last bytes
//! (qcow2, VMDK, VHD or raw) and its virtual size checked against the API's limit. Anything
//! else (an HTML page, an archive, a truncated file, an HTTP error) fails with a sentence that
//! says what was found. Error texts name the source by `scheme://host[:port]` only
//! ([`source_label`]): never its path, query string or credentials.

mod policy;
mod recognise;

use std::{io::SeekFrom, net::SocketAddr, path::Path, time::Duration};

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub use policy::{IpNet, MAX_REDIRECTS, Policy, parse_range};
pub use recognise::{Format, MAX_VIRTUAL_SIZE, recognise};

/// Limits of one download, and where it may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Time to resolve the host and connect.
    pub connect_timeout: Duration,
    /// Longest time without a byte from the source (for the response's headers, then between
    /// parts of the body).
    pub idle_timeout: Duration,
    /// Time for the whole download.
    pub total_timeout: Duration,
    /// The addresses a download may connect to.
    pub policy: Policy,
}

impl Default for Limits {
    /// 64 GiB, connect 10 s, idle 30 s, total 1 h; public addresses only.
    fn default() -> Limits {
        Limits {
            max_bytes: 64 << 30,
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(3600),
            policy: Policy::default(),
        }
    }
}

impl Limits {
    /// The defaults with development mode's policy: loopback and private addresses allowed.
    pub fn development() -> Limits {
        Limits {
            policy: Policy::development(),
            ..Limits::default()
        }
    }

    /// These limits for a service listening on `own`: imports from it are refused.
    pub fn serving(mut self, own: SocketAddr) -> Limits {
        self.policy.own = Some(own);
        self
    }
}

/// What a download held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The format.
    pub format: Format,
    /// Size of the disk the image describes, in bytes (at most [`MAX_VIRTUAL_SIZE`]).
    pub virtual_size: u64,
    /// Size of the downloaded file, in bytes.
    pub file_size: u64,
}

/// `scheme://host[:port]` of `uri`, for error texts: no userinfo, path or query string.
pub fn source_label(uri: &str) -> String {
    match reqwest::Url::parse(uri) {
        Ok(url) => policy::label(&url),
        Err(_) => "an invalid URI".into(),
    }
}

/// `d` for people: `30 s`, `1.5 s`, `10 min`, `1 h`.
pub(crate) fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() != 0 {
        format!("{:.1} s", d.as_secs_f64())
    } else if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// Bytes received so far of a download, and its size when the source said it.
pub type Received = tokio::sync::watch::Sender<(u64, Option<u64>)>;

/// Downloads `uri` into `dest` and recognises it, telling `received` how far it is. The error
/// is a sentence for the user that shows nothing of `uri` but its scheme, host and port.
pub async fn fetch(
    uri: &str,
    dest: &Path,
    limits: &Limits,
    received: &Received,
) -> Result<Imported, String> {
    let url = reqwest::Url::parse(uri).map_err(|e| format!("not a valid URI ({e})"))?;
    let downloaded =
        tokio::time::timeout(limits.total_timeout, download(&url, dest, limits, received)).await;
    let file_size = match downloaded {
        Ok(outcome) => outcome.map_err(|message| scrub(message, &url))?,
        Err(_) => {
            return Err(format!(
                "the download did not finish within {} (the import time limit)",
                duration(limits.total_timeout)
            ));
        }
    };
    let (format, virtual_size) = recognise_file(dest, file_size).await?;
    Ok(Imported {
        format,
        virtual_size,
        file_size,
    })
}

/// Streams `url` into `dest` (never more than a buffer of it in memory); its size.
async fn download(
    url: &reqwest::Url,
    dest: &Path,
    limits: &Limits,
    progress: &Received,
) -> Result<u64, String> {
    let checks = policy::Checks::new(&limits.policy, limits.connect_timeout);
    checks.check(url, false).map_err(|stop| stop.to_string())?;
    let client = reqwest::Client::builder()
        .connect_timeout(limits.connect_timeout)
        // Until the response's headers (reqwest's timer); the body's parts are timed below.
        .read_timeout(limits.idle_timeout)
        .dns_resolver(checks.resolver())
        .redirect(checks.redirects())
        // A proxy would resolve and connect on its own, past the policy.
        .no_proxy()
        // A redirect's target must not see the pre-signed URL it came from.
        .referer(false)
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {}", e.without_url()))?;
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| describe(&e, limits))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the URI answered HTTP {}", status.as_u16()));
    }
    let too_large = || {
        format!(
            "the file is larger than the import limit of {}",
            kiln_core::progress::human_size(limits.max_bytes)
        )
    };
    let expected = response.content_length();
    if expected.is_some_and(|n| n > limits.max_bytes) {
        return Err(too_large());
    }
    let stored = |e: std::io::Error| format!("cannot store the download: {e}");
    let file = tokio::fs::File::create(dest).await.map_err(stored)?;
    let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut received: u64 = 0;
    progress.send_replace((0, expected));
    let mut stream = response.bytes_stream();
    loop {
        let next = tokio::time::timeout(limits.idle_timeout, stream.next())
            .await
            .map_err(|_| idle(limits))?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| {
            if e.is_timeout() {
                idle(limits)
            } else {
                format!("the download failed after {received} bytes: {}", cause(&e))
            }
        })?;
        received = received.saturating_add(chunk.len() as u64);
        if received > limits.max_bytes {
            return Err(too_large());
        }
        file.write_all(&chunk).await.map_err(stored)?;
        progress.send_replace((received, expected));
    }
    file.flush().await.map_err(stored)?;
    if let Some(expected) = expected.filter(|&n| n != received) {
        return Err(format!(
            "the download is truncated: {received} of {expected} bytes"
        ));
    }
    Ok(received)
}

fn idle(limits: &Limits) -> String {
    format!(
        "the source sent nothing for {}",
        duration(limits.idle_timeout)
    )
}

/// The sentence for a failed request (`reqwest`'s own text names the whole URL: not used).
fn describe(e: &reqwest::Error, limits: &Limits) -> String {
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(stop) = inner.downcast_ref::<policy::Stop>() {
            return stop.to_string();
        }
        source = inner.source();
    }
    if e.is_connect() && e.is_timeout() {
        format!(
            "the host did not accept a connection within {}",
            duration(limits.connect_timeout)
        )
    } else if e.is_timeout() {
        idle(limits)
    } else if e.is_connect() {
        format!("cannot connect to the host: {}", cause(e))
    } else {
        format!("the request failed: {}", cause(e))
    }
}

/// The innermost cause of `e` that is not a reqwest error (whose texts name the whole URL).
fn cause(e: &reqwest::Error) -> String {
    let mut found = None;
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if !inner.is::<reqwest::Error>() {
            found = Some(inner.to_string());
        }
        source = inner.source();
    }
    found.unwrap_or_else(|| "no further detail".into())
}

/// `message` without any part of `url` beyond its label: a last guard for texts from below.
fn scrub(mut message: String, url: &reqwest::Url) -> String {
    let mut secrets = vec![url.as_str().to_owned()];
    secrets.extend(url.query().map(str::to_owned));
    secrets.extend(url.password().map(str::to_owned));
    if !url.username().is_empty() {
        secrets.push(url.username().to_owned());
    }
    if url.path().len() > 1 {
        secrets.push(url.path().to_owned());
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        message = message.replace(secret.as_str(), "…");
    }
    message
}

/// Recognises the downloaded file of `len` bytes from its first and last bytes, read with
/// seeks: memory independent of the file's size.
async fn recognise_file(dest: &Path, len: u64) -> Result<(Format, u64), String> {
    let read = |e: std::io::Error| format!("cannot read the download: {e}");
    let mut file = tokio::fs::File::open(dest).await.map_err(read)?;
    let head_len = len.min(recognise::HEAD);
    let tail_len = len.min(recognise::TAIL);
    let mut head = vec![0; head_len as usize];
    file.read_exact(&mut head).await.map_err(read)?;
    let mut tail = vec![0; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len))
        .await
        .map_err(read)?;
    file.read_exact(&mut tail).await.map_err(read)?;
    recognise(&head, &tail, len)
}
