//! Turning validation outcomes and the domain's refusals into gRPC statuses.
//!
//! A `BadRequest` carries at most [`MOST_VIOLATIONS`] field violations and at most
//! [`MOST_DETAIL_BYTES`] bytes of them, so the trailer always fits what the official clients
//! accept (grpcio refuses received metadata past about 8 KB); the message says when the list
//! was cut.

use kiln_core::validate::Outcome;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::domain::Refusal;

/// Field violations reported in one `BadRequest`, at most.
pub const MOST_VIOLATIONS: usize = 16;
/// Bytes of field paths and descriptions in one `BadRequest`, at most (with the encoding's
/// framing, the trailer stays under 4 KiB before base64).
pub const MOST_DETAIL_BYTES: usize = 3072;

/// Characters of one text a client chose (a field path, an echoed value) kept in an answer.
const MOST_TEXT_CHARS: usize = 300;

/// `text` cut to [`MOST_TEXT_CHARS`] characters, with `…` when it was cut.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MOST_TEXT_CHARS) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

/// INVALID_ARGUMENT with one `BadRequest` field violation per contract violation (within the
/// bounds above), or `None` when the request is valid.
pub fn invalid_argument(outcome: Outcome) -> Option<Status> {
    match outcome {
        Outcome::Valid => None,
        Outcome::Invalid { violations } => {
            let mut details = ErrorDetails::new();
            let mut bytes = 0;
            let mut shown = 0;
            for v in &violations {
                let (field, description) = (clip(&v.field), clip(&v.message));
                bytes += field.len() + description.len();
                if shown == MOST_VIOLATIONS || bytes > MOST_DETAIL_BYTES {
                    break;
                }
                details.add_bad_request_violation(field, description);
                shown += 1;
            }
            let mut message = match violations.first() {
                Some(first) => format!(
                    "Request validation error: {}: {}",
                    clip(&first.field),
                    clip(&first.message)
                ),
                None => "Request validation error".to_owned(),
            };
            if shown < violations.len() {
                message.push_str(&format!(
                    " (the details list the first {shown} of {} violations)",
                    violations.len()
                ));
            }
            Some(Status::with_error_details(
                Code::InvalidArgument,
                message,
                details,
            ))
        }
        Outcome::Error { error } => Some(Status::invalid_argument(clip(&error))),
    }
}

/// INVALID_ARGUMENT about one field: the message, and a `BadRequest` naming the field, so a
/// client can show it where the value was entered.
pub fn invalid_field(field: &str, message: String) -> Status {
    let (field, message) = (clip(field), clip(&message).into_owned());
    let mut details = ErrorDetails::new();
    details.add_bad_request_violation(field, message.clone());
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// The request as kiln validates it everywhere: `Ok` or INVALID_ARGUMENT with its violations.
pub fn validated<T: prost_reflect::ReflectMessage>(request: &T) -> Result<(), Status> {
    invalid_argument(kiln_core::reflect::validate_message(request)).map_or(Ok(()), Err)
}

/// The status a refusal answers with: its code and words, and the field it is about.
pub fn refused(refusal: Refusal) -> Status {
    let message = refusal.to_string();
    if let Some(field) = refusal.field() {
        return invalid_field(&field, message);
    }
    Status::new(Code::from_i32(refusal.code() as i32), clip(&message))
}
