//! The API's numeric bounds that code outside the validator needs as numbers (the service's
//! smallest disk, the largest size an import may have, the largest page), read from the
//! `(value)` annotations of `proto/` through the generated [`crate::schema`] tables. They are
//! constants evaluated at compile time: an annotation that goes away or stops being one range
//! fails the build, and a changed annotation changes them, so nothing restates a rule by hand.

use std::ops::RangeInclusive;

use crate::schema::{self, FieldSchema, Limit, MessageSchema};

/// `CreateImageRequest.min_disk_size`'s `(value)` range, in bytes: `4194304-4398046511104`
/// (4 MiB to 4 TiB). The same range is on `UpdateImageRequest.min_disk_size`.
pub const MIN_DISK_SIZE: RangeInclusive<i64> = value_range(
    "yandex.cloud.compute.v1.CreateImageRequest",
    "min_disk_size",
);

/// The largest `page_size` of the list requests (`ListImagesRequest.page_size`'s `(value)`
/// `<=1000`; the other list requests of `compute.v1` say the same). 0 means the default.
pub const LARGEST_PAGE_SIZE: i64 =
    value_max("yandex.cloud.compute.v1.ListImagesRequest", "page_size");

/// The `(value)` limit of `message`'s field `field` (full message name, proto field name), if
/// it has one. A `const fn`, for the constants above.
pub const fn value_limit(message: &str, field: &str) -> Option<&'static Limit> {
    let messages: &'static [&'static MessageSchema] = schema::messages();
    let mut i = 0;
    while i < messages.len() {
        if same(messages[i].full_name, message) {
            let fields: &'static [FieldSchema] = messages[i].fields;
            let mut j = 0;
            while j < fields.len() {
                if same(fields[j].name, field) {
                    return match &fields[j].rules.value {
                        Some(limit) => Some(limit),
                        None => None,
                    };
                }
                j += 1;
            }
            return None;
        }
        i += 1;
    }
    None
}

/// The one closed range of a `(value)` limit, as `i64`; fails the build (in a constant) when
/// the field has no such limit.
const fn value_range(message: &str, field: &str) -> RangeInclusive<i64> {
    let Some(limit) = value_limit(message, field) else {
        panic!("the field has no (value) annotation")
    };
    let [range] = limit.ranges else {
        panic!("the (value) annotation is not one range")
    };
    let (Some(min), Some(max)) = (range.min, range.max) else {
        panic!("the (value) range is open")
    };
    RangeInclusive::new(to_i64(min), to_i64(max))
}

/// The upper end of a `(value)` limit that is one range, as `i64`.
const fn value_max(message: &str, field: &str) -> i64 {
    let Some(limit) = value_limit(message, field) else {
        panic!("the field has no (value) annotation")
    };
    let [range] = limit.ranges else {
        panic!("the (value) annotation is not one range")
    };
    let Some(max) = range.max else {
        panic!("the (value) range has no upper end")
    };
    to_i64(max)
}

const fn to_i64(n: i128) -> i64 {
    if n < i64::MIN as i128 || n > i64::MAX as i128 {
        panic!("a (value) bound outside int64")
    }
    n as i64
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
