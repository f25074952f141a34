//! What the service said, read from its English sentences into a small typed value the console
//! words in the page's language (`text::Lang::service_said`). The sentences are those of the
//! local service (`kiln-server`: `domain/refusal.rs`, `api/auth.rs`, `api/paging.rs`,
//! `api/request.rs`, and an import's failure, `engine/import/`); the real service's minimum disk size
//! sentence is the same. Anything else is [`ServiceSaid::parse`]'s `None`: the console then says
//! what the status code means.
//!
//! Reading is by prefixes, suffixes and splits only (no indexing, no regex), over at most
//! [`MOST_READ`] bytes, and every text carried over is cut to [`MOST_KEPT`] characters, so no
//! message can panic it or make it slow.

/// Bytes of a message read, at most (the service cuts what a client chose to 300 characters).
pub const MOST_READ: usize = 4096;
/// Characters of a value carried over from a message (an ID, a host), at most.
pub const MOST_KEPT: usize = 300;

/// A sentence of the service the console knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceSaid {
    /// `Minimal disk size should be greater or equal than N`: the source needs N bytes.
    MinDiskSize {
        /// The least minimum disk size, in bytes.
        bytes: i64,
    },
    /// `image fd8… not found` (also a disk, a snapshot, an operation).
    NotFound {
        /// What was looked for.
        kind: ResourceKind,
        /// Its ID.
        id: String,
    },
    /// `no ready image of family F in folder B`.
    NoReadyImageOfFamily {
        /// The family.
        family: String,
        /// The folder.
        folder: String,
    },
    /// `image with name N already exists in folder B`.
    NameTaken {
        /// The name.
        name: String,
        /// The folder.
        folder: String,
    },
    /// `idempotency key K was already used with a different request`.
    KeyReused,
    /// `quota exceeded: at most N operations may run at once in a folder`.
    TooManyOperations {
        /// The quota.
        limit: i64,
    },
    /// `quota exceeded: at most N images per folder`.
    TooManyImages {
        /// The quota.
        limit: i64,
    },
    /// `image I is being created`.
    ImageBeingCreated {
        /// Its ID.
        id: String,
    },
    /// `image I is not ready`.
    ImageNotReady {
        /// Its ID.
        id: String,
    },
    /// `permission denied for folder B`.
    FolderDenied {
        /// The folder.
        folder: String,
    },
    /// `missing authorization metadata`.
    TokenMissing,
    /// `authorization must be "Bearer <token>"`.
    TokenMalformed,
    /// `unknown token`.
    TokenUnknown,
    /// `page_token is not one this service issued for this order`.
    PageTokenNotIssued,
    /// `operation cancelled` (a cancelled operation's error).
    OperationCancelled,
    /// `cannot import SOURCE: WHY` (a URI import that failed).
    Import {
        /// `scheme://host[:port]` of the link (empty when the service named none).
        source: String,
        /// Why.
        failure: ImportFailure,
    },
}

/// What a `NOT_FOUND` was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// An image.
    Image,
    /// A disk.
    Disk,
    /// A snapshot.
    Snapshot,
    /// An operation.
    Operation,
}

/// Why a URI import failed (the sentences of `kiln-server`'s `import/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportFailure {
    /// `the URI answered HTTP 404`.
    HttpStatus(u16),
    /// `cannot resolve the host of …: …` (DNS).
    Unresolved,
    /// `imports from … are not allowed` (a private, loopback or the service's own address).
    NotAllowed,
    /// `it redirects to L, and imports from L are not allowed`.
    RedirectNotAllowed {
        /// Where it redirects to.
        to: String,
    },
    /// `a ftp: URI; imports are downloaded over http or https only` (also after a redirect).
    Scheme {
        /// The link's scheme.
        scheme: String,
    },
    /// `more than N redirects`.
    TooManyRedirects,
    /// `the host did not accept a connection within 10 s`.
    ConnectTimeout {
        /// The time limit in seconds, when it could be read.
        seconds: Option<i64>,
    },
    /// `cannot connect to the host: …`.
    Connect,
    /// `the source sent nothing for 30 s`.
    Stalled {
        /// The time limit in seconds, when it could be read.
        seconds: Option<i64>,
    },
    /// `the download did not finish within 1 h (the import time limit)`.
    TimeLimit {
        /// The time limit in seconds, when it could be read.
        seconds: Option<i64>,
    },
    /// `the download failed after N bytes: …` or `the request failed: …`.
    Interrupted {
        /// Bytes received before, when said.
        after: Option<i64>,
    },
    /// `the file is larger than the import limit of 64 GiB`.
    TooLarge {
        /// The limit in bytes, when it could be read.
        limit: Option<i64>,
    },
    /// `the download is truncated: R of E bytes`.
    Truncated {
        /// Bytes received.
        received: i64,
        /// Bytes announced.
        expected: i64,
    },
    /// `the file is empty`.
    Empty,
    /// `an HTML page, not a disk image (…)`.
    Html,
    /// `a gzip archive, not a disk image: …`.
    Archive {
        /// `gzip`, `zip`, `xz`, `bzip2`, `zstd`, `tar`.
        kind: String,
    },
    /// `not a disk image: no qcow2, VMDK or VHD header, and …`.
    NotDiskImage,
    /// A qcow2, VMDK or VHD file that is damaged or truncated.
    Damaged {
        /// `qcow2`, `VMDK` or `VHD`.
        format: &'static str,
    },
    /// `a VMDK descriptor without its data: …`.
    VmdkDescriptor,
    /// `the image's virtual size is …, larger than the largest disk the API allows (…)`.
    VirtualTooLarge {
        /// The virtual size in bytes, when it could be read.
        bytes: Option<i64>,
    },
    /// `not a valid URI (…)`.
    InvalidUri,
    /// Anything else after `cannot import SOURCE: ` (a store failure, say).
    Other,
}

impl ServiceSaid {
    /// The sentence `message` is, or `None` when it is none the console knows.
    pub fn parse(message: &str) -> Option<ServiceSaid> {
        let m = head(message.trim());
        if let Some(bytes) = min_disk_size(m) {
            return Some(ServiceSaid::MinDiskSize { bytes });
        }
        let said = match m {
            "missing authorization metadata" => ServiceSaid::TokenMissing,
            "authorization must be \"Bearer <token>\"" => ServiceSaid::TokenMalformed,
            "unknown token" => ServiceSaid::TokenUnknown,
            "page_token is not one this service issued for this order" => {
                ServiceSaid::PageTokenNotIssued
            }
            "operation cancelled" => ServiceSaid::OperationCancelled,
            "cannot import the image: its size is out of range" => ServiceSaid::Import {
                source: String::new(),
                failure: ImportFailure::Other,
            },
            _ => return parse_with_values(m),
        };
        Some(said)
    }
}

/// The sentences with values in them.
fn parse_with_values(m: &str) -> Option<ServiceSaid> {
    if let Some(rest) = m.strip_prefix("cannot import ") {
        let (source, why) = split_source(rest)?;
        return Some(ServiceSaid::Import {
            source: kept(source),
            failure: import_failure(why),
        });
    }
    if let Some(rest) = m.strip_prefix("no ready image of family ") {
        let (family, folder) = rest.split_once(" in folder ")?;
        return Some(ServiceSaid::NoReadyImageOfFamily {
            family: kept(family),
            folder: kept(folder),
        });
    }
    if let Some(rest) = m.strip_prefix("image with name ") {
        let (name, folder) = rest.split_once(" already exists in folder ")?;
        return Some(ServiceSaid::NameTaken {
            name: kept(name),
            folder: kept(folder),
        });
    }
    if let Some(folder) = m.strip_prefix("permission denied for folder ") {
        return Some(ServiceSaid::FolderDenied {
            folder: kept(folder),
        });
    }
    if m.starts_with("idempotency key ")
        && m.ends_with(" was already used with a different request")
    {
        return Some(ServiceSaid::KeyReused);
    }
    if let Some(rest) = m.strip_prefix("quota exceeded: at most ") {
        if let Some(n) = rest.strip_suffix(" operations may run at once in a folder") {
            return Some(ServiceSaid::TooManyOperations {
                limit: n.parse().ok()?,
            });
        }
        let n = rest.strip_suffix(" images per folder")?;
        return Some(ServiceSaid::TooManyImages {
            limit: n.parse().ok()?,
        });
    }
    if let Some(rest) = m.strip_prefix("image ") {
        if let Some(id) = rest.strip_suffix(" is being created") {
            return Some(ServiceSaid::ImageBeingCreated { id: kept(id) });
        }
        if let Some(id) = rest.strip_suffix(" is not ready") {
            return Some(ServiceSaid::ImageNotReady { id: kept(id) });
        }
    }
    let (kind, id) = m.strip_suffix(" not found")?.split_once(' ')?;
    let kind = match kind {
        "image" => ResourceKind::Image,
        "disk" => ResourceKind::Disk,
        "snapshot" => ResourceKind::Snapshot,
        "operation" => ResourceKind::Operation,
        _ => return None,
    };
    Some(ServiceSaid::NotFound { kind, id: kept(id) })
}

/// `SOURCE` and `WHY` of `SOURCE: WHY`. A source is `scheme://host[:port]` (its port's colon
/// is not followed by a space), `an invalid URI`, or `a ftp: URI without a host`.
fn split_source(rest: &str) -> Option<(&str, &str)> {
    const NO_HOST: &str = ": URI without a host";
    if let Some(at) = rest.find(NO_HOST) {
        let end = at + NO_HOST.len();
        let why = rest.get(end..)?.strip_prefix(": ")?;
        return Some((rest.get(..end)?, why));
    }
    rest.split_once(": ")
}

fn import_failure(why: &str) -> ImportFailure {
    use ImportFailure as F;
    let fixed = match why {
        "the file is empty" => Some(F::Empty),
        _ if why.starts_with("cannot resolve the host of ") => Some(F::Unresolved),
        _ if why.starts_with("imports from ") && why.ends_with(" are not allowed") => {
            Some(F::NotAllowed)
        }
        _ if why.starts_with("more than ") && why.ends_with(" redirects") => {
            Some(F::TooManyRedirects)
        }
        _ if why.starts_with("cannot connect to the host") => Some(F::Connect),
        _ if why.starts_with("the request failed") => Some(F::Interrupted { after: None }),
        _ if why.starts_with("an HTML page, not a disk image") => Some(F::Html),
        _ if why.starts_with("not a disk image") => Some(F::NotDiskImage),
        _ if why.starts_with("a VMDK descriptor without its data") => Some(F::VmdkDescriptor),
        _ if why.starts_with("not a valid URI") => Some(F::InvalidUri),
        _ => None,
    };
    if let Some(failure) = fixed {
        return failure;
    }
    if let Some(status) = why.strip_prefix("the URI answered HTTP ") {
        return status.parse().map_or(F::Other, F::HttpStatus);
    }
    if let Some(rest) = why.strip_prefix("it redirects to ")
        && let Some((to, _)) = rest.split_once(", and imports from ")
    {
        return F::RedirectNotAllowed { to: kept(to) };
    }
    let scheme_said = why
        .strip_prefix("it redirects to ")
        .unwrap_or(why)
        .strip_suffix(": URI; imports are downloaded over http or https only");
    if let Some(scheme) = scheme_said.and_then(|s| s.strip_prefix("a ")) {
        return F::Scheme {
            scheme: kept(scheme),
        };
    }
    if let Some(d) = why.strip_prefix("the host did not accept a connection within ") {
        return F::ConnectTimeout {
            seconds: duration_seconds(d),
        };
    }
    if let Some(d) = why.strip_prefix("the source sent nothing for ") {
        return F::Stalled {
            seconds: duration_seconds(d),
        };
    }
    if let Some(rest) = why.strip_prefix("the download did not finish within ") {
        let d = rest.split_once(" (").map_or(rest, |(d, _)| d);
        return F::TimeLimit {
            seconds: duration_seconds(d),
        };
    }
    if let Some(rest) = why.strip_prefix("the download failed after ") {
        let after = rest.split_once(" bytes").and_then(|(n, _)| n.parse().ok());
        return F::Interrupted { after };
    }
    if let Some(limit) = why.strip_prefix("the file is larger than the import limit of ") {
        return F::TooLarge {
            limit: size_bytes(limit),
        };
    }
    if let Some(rest) = why.strip_prefix("the download is truncated: ") {
        let counts = rest
            .strip_suffix(" bytes")
            .and_then(|r| r.split_once(" of "))
            .and_then(|(r, e)| Some((r.parse().ok()?, e.parse().ok()?)));
        return counts.map_or(F::Other, |(received, expected)| F::Truncated {
            received,
            expected,
        });
    }
    if let Some(rest) = why.strip_prefix("a ")
        && let Some((kind, _)) = rest.split_once(" archive, not a disk image")
    {
        return F::Archive { kind: kept(kind) };
    }
    if let Some(rest) = why.strip_prefix("the image's virtual size is ") {
        // `1.5 TiB (1649267441664 bytes), larger than …`
        let bytes = rest
            .split_once(" (")
            .and_then(|(_, r)| r.split_once(" bytes)"))
            .and_then(|(n, _)| n.parse().ok());
        return F::VirtualTooLarge { bytes };
    }
    for format in ["qcow2", "VMDK", "VHD"] {
        let damaged = [
            format!("a damaged {format} header"),
            format!("a truncated {format} file"),
            format!("a {format} file truncated"),
        ];
        if damaged.iter().any(|d| why.starts_with(d.as_str())) {
            return F::Damaged { format };
        }
    }
    F::Other
}

/// The service's minimum disk size sentence, anywhere in `m` (a validation error may quote it
/// after its field): the bytes it asks for.
fn min_disk_size(m: &str) -> Option<i64> {
    const SAYS: &str = "Minimal disk size should be greater or equal than ";
    let (_, rest) = m.split_once(SAYS)?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest.get(..end)?.parse().ok()
}

/// The service's size for people (`8.4 GiB`, `4 KiB`, `100 bytes`, `64 MiB`) in bytes: a
/// number with at most one decimal and a binary unit. `None` for anything else.
pub fn size_bytes(text: &str) -> Option<i64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let power = match unit {
        "bytes" | "B" => 0,
        "KiB" => 1,
        "MiB" => 2,
        "GiB" => 3,
        "TiB" => 4,
        "PiB" => 5,
        "EiB" => 6,
        _ => return None,
    };
    let (whole, tenth) = match number.split_once('.') {
        Some((whole, tenth)) if tenth.len() == 1 => (whole, tenth),
        Some(_) => return None,
        None => (number, "0"),
    };
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !tenth.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tenths = whole
        .parse::<i128>()
        .ok()?
        .checked_mul(10)?
        .checked_add(tenth.parse::<i128>().ok()?)?;
    let bytes = tenths.checked_mul(1i128 << (10 * power))? / 10;
    i64::try_from(bytes).ok()
}

/// The service's duration for people (`30 s`, `1.5 s`, `10 min`, `1 h`) in whole seconds.
fn duration_seconds(text: &str) -> Option<i64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let scale = match unit {
        "s" => 1,
        "min" => 60,
        "h" => 3600,
        _ => return None,
    };
    let whole = number.split_once('.').map_or(number, |(w, _)| w);
    whole.parse::<i64>().ok()?.checked_mul(scale)
}

/// At most [`MOST_READ`] bytes of `m`, cut on a character boundary.
fn head(m: &str) -> &str {
    if m.len() <= MOST_READ {
        return m;
    }
    let mut end = MOST_READ;
    while !m.is_char_boundary(end) {
        end -= 1;
    }
    &m[..end]
}

/// A value carried over, cut to [`MOST_KEPT`] characters.
fn kept(value: &str) -> String {
    match value.char_indices().nth(MOST_KEPT) {
        None => value.to_owned(),
        Some((at, _)) => format!("{}…", &value[..at]),
    }
}
