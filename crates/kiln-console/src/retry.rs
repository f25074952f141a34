//! When to retry a call: only UNAVAILABLE (transient), a few times, with doubling delays, as
//! the Go SDK does (api-facts §9). Other errors are shown at once.

use tonic::Code;

/// Attempts after the first one.
pub const RETRIES: u32 = 4;

/// The delay before retry number `attempt` (1-based) after an error with gRPC code `code`, or
/// `None` when the error is final.
pub fn delay_ms(code: Code, attempt: u32) -> Option<u32> {
    (code == Code::Unavailable && (1..=RETRIES).contains(&attempt))
        .then(|| 250u32 << (attempt - 1).min(5))
}
