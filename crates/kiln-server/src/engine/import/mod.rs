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

pub use policy::{IpNet, MAX_REDIRECTS, Policy, RangeError, Stop, parse_range};
pub use recognise::{Format, MAX_VIRTUAL_SIZE, NotAnImage, recognise};

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

/// Why a download failed: its text is a sentence for the user (the operation's error) that
/// shows nothing of the URI but its scheme, host and port.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URI does not parse.
    #[error("not a valid URI ({0})")]
    InvalidUri(url::ParseError),
    /// The policy or the redirect limit stopped it before connecting, or the host's name did
    /// not resolve.
    #[error(transparent)]
    Stopped(#[from] Stop),
    /// The HTTP client could not be built.
    #[error("cannot start an HTTP client: {cause}")]
    Client {
        /// The client's text (without the URI).
        cause: String,
    },
    /// No connection within the connect timeout.
    #[error("the host did not accept a connection within {}", duration(*.0))]
    ConnectTimeout(Duration),
    /// The connection failed.
    #[error("cannot connect to the host: {cause}")]
    Connect {
        /// The innermost cause's text.
        cause: String,
    },
    /// The request failed otherwise.
    #[error("the request failed: {cause}")]
    Request {
        /// The innermost cause's text.
        cause: String,
    },
    /// The source answered with an HTTP status other than success.
    #[error("the URI answered HTTP {0}")]
    Status(u16),
    /// The source sent nothing for the idle timeout.
    #[error("the source sent nothing for {}", duration(*.0))]
    Idle(Duration),
    /// The file is larger than [`Limits::max_bytes`].
    #[error("the file is larger than the import limit of {}", kiln_core::progress::human_size(*.0))]
    TooLarge(u64),
    /// The body broke off.
    #[error("the download failed after {received} bytes: {cause}")]
    Interrupted {
        /// Bytes received before.
        received: u64,
        /// The innermost cause's text.
        cause: String,
    },
    /// Fewer bytes came than the source announced.
    #[error("the download is truncated: {received} of {expected} bytes")]
    Truncated {
        /// Bytes received.
        received: u64,
        /// Bytes announced (`Content-Length`).
        expected: u64,
    },
    /// The download could not be written to the data folder.
    #[error("cannot store the download: {0}")]
    Store(std::io::Error),
    /// The downloaded file could not be read back.
    #[error("cannot read the download: {0}")]
    Read(std::io::Error),
    /// The whole download took longer than the total timeout.
    #[error("the download did not finish within {} (the import time limit)", duration(*.0))]
    TotalTimeout(Duration),
    /// The file is not a disk image the API accepts.
    #[error(transparent)]
    NotAnImage(#[from] NotAnImage),
}

impl FetchError {
    /// This error without any part of `url` beyond its label in the texts that come from
    /// below (the HTTP client's, the resolver's): a last guard.
    fn scrubbed(mut self, url: &reqwest::Url) -> FetchError {
        match &mut self {
            FetchError::Client { cause }
            | FetchError::Connect { cause }
            | FetchError::Request { cause }
            | FetchError::Interrupted { cause, .. }
            | FetchError::Stopped(Stop::Unresolved { reason: cause, .. }) => scrub(cause, url),
            _ => {}
        }
        self
    }
}

/// Downloads `uri` into `dest` and recognises it, telling `received` how far it is. The error
/// is a sentence for the user that shows nothing of `uri` but its scheme, host and port.
pub async fn fetch(
    uri: &str,
    dest: &Path,
    limits: &Limits,
    received: &Received,
) -> Result<Imported, FetchError> {
    let url = reqwest::Url::parse(uri).map_err(FetchError::InvalidUri)?;
    let downloaded =
        tokio::time::timeout(limits.total_timeout, download(&url, dest, limits, received)).await;
    let file_size = match downloaded {
        Ok(outcome) => outcome.map_err(|e| e.scrubbed(&url))?,
        Err(_) => return Err(FetchError::TotalTimeout(limits.total_timeout)),
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
) -> Result<u64, FetchError> {
    let checks = policy::Checks::new(&limits.policy, limits.connect_timeout);
    checks.check(url, false)?;
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
        .map_err(|e| FetchError::Client {
            cause: e.without_url().to_string(),
        })?;
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| describe(&e, limits))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let too_large = || FetchError::TooLarge(limits.max_bytes);
    let expected = response.content_length();
    if expected.is_some_and(|n| n > limits.max_bytes) {
        return Err(too_large());
    }
    let stored = FetchError::Store;
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
                FetchError::Interrupted {
                    received,
                    cause: cause(&e),
                }
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
        return Err(FetchError::Truncated { received, expected });
    }
    Ok(received)
}

fn idle(limits: &Limits) -> FetchError {
    FetchError::Idle(limits.idle_timeout)
}

/// The error of a failed request (`reqwest`'s own text names the whole URL: not used).
fn describe(e: &reqwest::Error, limits: &Limits) -> FetchError {
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(stop) = inner.downcast_ref::<policy::Stop>() {
            return FetchError::Stopped(stop.clone());
        }
        source = inner.source();
    }
    if e.is_connect() && e.is_timeout() {
        FetchError::ConnectTimeout(limits.connect_timeout)
    } else if e.is_timeout() {
        idle(limits)
    } else if e.is_connect() {
        FetchError::Connect { cause: cause(e) }
    } else {
        FetchError::Request { cause: cause(e) }
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
fn scrub(message: &mut String, url: &reqwest::Url) {
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
        *message = message.replace(secret.as_str(), "…");
    }
}

/// Recognises the downloaded file of `len` bytes from its first and last bytes, read with
/// seeks: memory independent of the file's size.
async fn recognise_file(dest: &Path, len: u64) -> Result<(Format, u64), FetchError> {
    let read = FetchError::Read;
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
    Ok(recognise(&head, &tail, len)?)
}
