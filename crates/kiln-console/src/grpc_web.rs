//! The gRPC-Web protocol (grpc/grpc `doc/PROTOCOL-WEB.md`, binary mode) as plain functions: the
//! request frame, and a response's frames, trailers and status turned into a message or a
//! [`CallError`] with its `BadRequest` field violations. The page only moves bytes with
//! `fetch`; everything that can be wrong about them is here, with native tests.
//!
//! Hand-written rather than tonic + tonic-web-wasm-client: the same calls cost about 40 KB less
//! gzip in the console's first load (`web/BUDGET.md`), and unary calls are all it makes.

use kiln_core::proto::google::rpc;
use prost::Message;

/// The request's `content-type` (and `accept`).
pub const CONTENT_TYPE: &str = "application/grpc-web+proto";

/// gRPC status codes the console treats specially.
pub mod code {
    /// OK.
    pub const OK: i32 = 0;
    /// UNKNOWN.
    pub const UNKNOWN: i32 = 2;
    /// UNIMPLEMENTED.
    pub const UNIMPLEMENTED: i32 = 12;
    /// INTERNAL.
    pub const INTERNAL: i32 = 13;
    /// UNAVAILABLE.
    pub const UNAVAILABLE: i32 = 14;
    /// UNAUTHENTICATED.
    pub const UNAUTHENTICATED: i32 = 16;
    /// PERMISSION_DENIED.
    pub const PERMISSION_DENIED: i32 = 7;
}

/// The name of a gRPC status code, as tonic and the SDKs print it.
pub fn code_name(code: i32) -> &'static str {
    const NAMES: [&str; 17] = [
        "Ok",
        "Cancelled",
        "Unknown",
        "InvalidArgument",
        "DeadlineExceeded",
        "NotFound",
        "AlreadyExists",
        "PermissionDenied",
        "ResourceExhausted",
        "FailedPrecondition",
        "Aborted",
        "OutOfRange",
        "Unimplemented",
        "Internal",
        "Unavailable",
        "DataLoss",
        "Unauthenticated",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("Unknown")
}

/// A failed call: its status, and the field violations of a `BadRequest` detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// gRPC status code.
    pub code: i32,
    /// The status message.
    pub message: String,
    /// `(field, description)` of each `BadRequest` field violation.
    pub violations: Vec<(String, String)>,
}

impl CallError {
    /// An error with no details.
    pub fn new(code: i32, message: impl Into<String>) -> CallError {
        CallError {
            code,
            message: message.into(),
            violations: Vec::new(),
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            code_name(self.code),
            self.code,
            self.message
        )
    }
}

/// The request body: one uncompressed message frame.
pub fn encode_request(message: &impl Message) -> Vec<u8> {
    let body = message.encode_to_vec();
    let mut frame = Vec::with_capacity(5 + body.len());
    frame.push(0);
    frame.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// Reads a response: `http_status`, a header look-up (lower-case names) and the body. The
/// status comes from the trailer frame, or from the headers for a trailers-only response; an
/// HTTP error without a gRPC status is mapped as the gRPC HTTP spec says.
pub fn decode_response<M: Message + Default>(
    http_status: u16,
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
) -> Result<M, CallError> {
    let mut message = None;
    let mut trailers = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.len() < 5 {
            return Err(CallError::new(code::INTERNAL, "truncated gRPC-Web frame"));
        }
        let flags = rest[0];
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let Some(payload) = rest.get(5..5 + len) else {
            return Err(CallError::new(code::INTERNAL, "truncated gRPC-Web frame"));
        };
        if flags & 0x80 != 0 {
            trailers = parse_trailers(payload);
        } else if flags & 0x01 != 0 {
            return Err(CallError::new(
                code::INTERNAL,
                "compressed gRPC-Web frames are not supported",
            ));
        } else if message.is_none() {
            message = Some(payload);
        }
        rest = &rest[5 + len..];
    }
    let lookup = |name: &str| {
        trailers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| header(name))
    };
    let Some(status) = lookup("grpc-status") else {
        let code = match http_status {
            400 => code::INTERNAL,
            401 => code::UNAUTHENTICATED,
            403 => code::PERMISSION_DENIED,
            404 => code::UNIMPLEMENTED,
            429 | 502 | 503 | 504 => code::UNAVAILABLE,
            _ => code::UNKNOWN,
        };
        return Err(CallError::new(
            code,
            format!("HTTP {http_status} without a gRPC status"),
        ));
    };
    let code: i32 = status.trim().parse().unwrap_or(code::UNKNOWN);
    if code != code::OK {
        let text = lookup("grpc-message")
            .map(|m| percent_decode(&m))
            .unwrap_or_default();
        let details = lookup("grpc-status-details-bin").and_then(|d| base64_decode(&d));
        return Err(error(code, text, details.as_deref()));
    }
    let Some(payload) = message else {
        return Err(CallError::new(
            code::INTERNAL,
            "the response has no message",
        ));
    };
    M::decode(payload)
        .map_err(|e| CallError::new(code::INTERNAL, format!("cannot decode the response: {e}")))
}

/// A status with its encoded `google.rpc.Status` details, `BadRequest` violations read out.
pub fn error(code: i32, message: String, details: Option<&[u8]>) -> CallError {
    let mut violations = Vec::new();
    if let Some(status) = details.and_then(|d| rpc::Status::decode(d).ok()) {
        for any in status.details {
            if !any.type_url.ends_with("/google.rpc.BadRequest") {
                continue;
            }
            if let Ok(bad) = rpc::BadRequest::decode(any.value.as_slice()) {
                violations.extend(
                    bad.field_violations
                        .into_iter()
                        .map(|v| (v.field, v.description)),
                );
            }
        }
    }
    CallError {
        code,
        message,
        violations,
    }
}

/// The `name: value` lines of a trailer frame, names lower-cased.
pub fn parse_trailers(payload: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(payload)
        .split("\r\n")
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect()
}

/// `grpc-message` is percent-encoded (UTF-8).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some((hex(bytes[i + 1])?, hex(bytes[i + 2])?)))
            .flatten();
        if let Some((h, l)) = escaped {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64, padded or not (binary headers drop the padding).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u8> = text.trim().bytes().filter(|&c| c != b'=').collect();
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}
