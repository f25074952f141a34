//! Pieces of the service's messages: resource IDs and the clock.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::domain::Now;

/// Now, as one reading of the clock for everything a command stamps.
pub fn clock() -> Now {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Now {
        timestamp: prost_types::Timestamp {
            seconds: since.as_secs() as i64,
            nanos: since.subsec_nanos() as i32,
        },
        micros: since.as_micros() as i64,
    }
}

/// Now, in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros() as i64
}

/// A new resource ID in the API's style: a 3-character prefix and 17 lowercase letters/digits:
/// 11 of the time in microseconds (so IDs sort by creation) and 6 random ones (30 bits from
/// the thread's fastrand generator: IDs must be unique, not secret).
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let digits = |value: u64, count: u32| {
        (0..count)
            .rev()
            .map(move |i| char::from(ALPHABET[((value >> (5 * i)) & 31) as usize]))
    };
    let mut id = String::with_capacity(prefix.len() + 17);
    id.push_str(prefix);
    id.extend(digits(now_micros() as u64, 11));
    id.extend(digits(fastrand::u64(..), 6));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_api_shape_sort_by_time_and_do_not_repeat() {
        let ids: Vec<String> = (0..10_000).map(|_| new_id("fd8")).collect();
        for id in &ids {
            assert_eq!(id.len(), 20, "{id}");
            assert!(id.starts_with("fd8"), "{id}");
            assert!(
                id[3..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)),
                "{id}"
            );
        }
        // The time part never goes back.
        assert!(ids.windows(2).all(|w| w[0][..14] <= w[1][..14]));
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
