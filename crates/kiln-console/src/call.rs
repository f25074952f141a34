//! What a failed call means to the console. The calls themselves are tonic clients over
//! tonic-web-wasm-client (`web/src/api.rs`); a failure arrives as a [`tonic::Status`], and this
//! module reads what the page shows from it: the code, the message, and the field violations of
//! a `google.rpc.BadRequest` detail (read with tonic-types), and the service's
//! `google.rpc.LocalizedMessage` details. What the message says is read by `service_text`; the
//! words are `text::Lang::call_error_parts`'s.

use tonic::Code;
use tonic_types::StatusExt;

/// A failed call: its status, and the field violations of a `BadRequest` detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// gRPC status code.
    pub code: Code,
    /// The status message.
    pub message: String,
    /// `(field, description)` of each `BadRequest` field violation.
    pub violations: Vec<(String, String)>,
    /// Set when the service was not reached at all (the words then say where and why).
    pub reach: Option<Reach>,
    /// `(locale, message)` of each `google.rpc.LocalizedMessage` detail (at most
    /// [`MOST_LOCALIZED`]): shown instead of the console's sentence when its locale is the
    /// page's language.
    pub localized: Vec<(String, String)>,
}

/// `LocalizedMessage` details kept of one status, at most.
pub const MOST_LOCALIZED: usize = 8;

/// The most field violations a failed call keeps (the form shows them under its fields).
pub const MOST_VIOLATIONS: usize = 100;

/// The most characters of any one text a failed call keeps (a message, a field, a
/// description): a hostile or broken answer cannot fill the page or local storage.
pub const MOST_TEXT: usize = 4096;

/// `text` cut to [`MOST_TEXT`] characters (on a character boundary).
pub(crate) fn kept(text: &str) -> String {
    match text.char_indices().nth(MOST_TEXT) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Why a call never reached a gRPC service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The browser's fetch failed: network down, CORS refused, nothing listening.
    Unreachable {
        /// The endpoint the call went to.
        base: String,
    },
    /// Something answered, but not as gRPC-Web (a proxy's error page, a static server).
    NotGrpcWeb {
        /// The endpoint the call went to.
        base: String,
    },
    /// A setting cannot go into a request header (a token with a line break, say): the call
    /// was not made.
    BadHeader {
        /// `token`, or the header's name.
        what: String,
    },
}

impl CallError {
    /// An error with no details.
    pub fn new(code: Code, message: impl Into<String>) -> CallError {
        CallError {
            code,
            message: message.into(),
            violations: Vec::new(),
            reach: None,
            localized: Vec::new(),
        }
    }

    /// The error a status stands for, `BadRequest` violations read out of its details.
    pub fn from_status(status: &tonic::Status) -> CallError {
        // Only the BadRequest detail is decoded (`get_error_details` would decode, and so
        // carry into the page, every detail type tonic-types knows).
        let violations = status
            .get_details_bad_request()
            .map(|bad| {
                bad.field_violations
                    .iter()
                    .take(MOST_VIOLATIONS)
                    .map(|v| (kept(&v.field), kept(&v.description)))
                    .collect()
            })
            .unwrap_or_default();
        CallError {
            code: status.code(),
            message: kept(status.message()),
            violations,
            reach: None,
            localized: localized_messages(status.details()),
        }
    }

    /// The service could not be reached at `base` (the browser's fetch failed: network down,
    /// CORS refused, wrong endpoint): UNAVAILABLE, so the retry policy treats it as transient.
    pub fn unreachable(base: &str, detail: impl std::fmt::Display) -> CallError {
        CallError {
            reach: Some(Reach::Unreachable {
                base: base.to_owned(),
            }),
            ..CallError::new(Code::Unavailable, format!("cannot reach {base}: {detail}"))
        }
    }
}

impl CallError {
    /// `what` (the token, a header) cannot be sent as an HTTP header: the call is not made.
    pub fn bad_header(what: &str) -> CallError {
        CallError {
            reach: Some(Reach::BadHeader {
                what: what.to_owned(),
            }),
            ..CallError::new(
                Code::InvalidArgument,
                format!("the {what} cannot be sent as a header"),
            )
        }
    }

    /// The answer from `base` was not gRPC-Web at all (no gRPC content type: an HTTP error page
    /// from a proxy or load balancer, a static server at the wrong endpoint). The gRPC HTTP
    /// mapping makes the usual cases of this (502, 503, 504) UNAVAILABLE, and so does this:
    /// the page cannot see the HTTP status, and the answer is transient more often than not.
    pub fn not_grpc_web(base: &str, detail: impl std::fmt::Display) -> CallError {
        CallError {
            reach: Some(Reach::NotGrpcWeb {
                base: base.to_owned(),
            }),
            ..CallError::new(
                Code::Unavailable,
                format!("{base} did not answer as a gRPC-Web service ({detail})"),
            )
        }
    }
}

/// `(locale, message)` of the `google.rpc.LocalizedMessage` details in a status's encoded
/// `google.rpc.Status`. Decoded with kiln-core's prost types (the page has them already for
/// `Operation.error`) and only that detail type: tonic-types' getter keeps only the first one,
/// and decoding every detail type costs the page kilobytes (web/BUDGET.md).
fn localized_messages(details: &[u8]) -> Vec<(String, String)> {
    use kiln_core::proto::google::rpc::{LocalizedMessage, Status};
    use prost::Message;
    const TYPE: &str = "type.googleapis.com/google.rpc.LocalizedMessage";
    let Ok(status) = Status::decode(details) else {
        return Vec::new();
    };
    status
        .details
        .iter()
        .filter(|any| any.type_url == TYPE)
        .filter_map(|any| LocalizedMessage::decode(any.value.as_slice()).ok())
        .filter(|m| !m.message.is_empty())
        .take(MOST_LOCALIZED)
        .map(|m| (kept(&m.locale), kept(&m.message)))
        .collect()
}

/// The name of a gRPC status code as tonic and the SDKs print it (`NotFound`).
pub fn code_name(code: Code) -> String {
    format!("{code:?}")
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} ({}): {}",
            self.code, self.code as i32, self.message
        )
    }
}

impl std::error::Error for CallError {}
