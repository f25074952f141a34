//! Turning validation outcomes and store errors into gRPC statuses.

use kiln_core::validate::Outcome;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// INVALID_ARGUMENT with one `BadRequest` field violation per contract violation, or `None`
/// when the request is valid.
pub fn invalid_argument(outcome: Outcome) -> Option<Status> {
    match outcome {
        Outcome::Valid => None,
        Outcome::Invalid { violations } => {
            let mut details = ErrorDetails::new();
            for v in &violations {
                details.add_bad_request_violation(v.field.clone(), v.message.clone());
            }
            let first = &violations[0];
            let message = format!(
                "Request validation error: {}: {}",
                first.field, first.message
            );
            Some(Status::with_error_details(
                Code::InvalidArgument,
                message,
                details,
            ))
        }
        Outcome::Error { error } => Some(Status::invalid_argument(error)),
    }
}

/// INVALID_ARGUMENT about one field: the message, and a `BadRequest` naming the field, so a
/// client can show it where the value was entered.
pub fn invalid_field(field: &str, message: String) -> Status {
    let mut details = ErrorDetails::new();
    details.add_bad_request_violation(field, message.clone());
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// The request as kiln validates it everywhere: `Ok` or INVALID_ARGUMENT with its violations.
pub fn validated<T: prost_reflect::ReflectMessage>(request: &T) -> Result<(), Status> {
    invalid_argument(kiln_core::reflect::validate_message(request)).map_or(Ok(()), Err)
}

/// INTERNAL for a store failure (the message says what failed).
pub fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(format!("store: {e}"))
}
