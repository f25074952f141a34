//! Kiln's shared core: the Yandex Cloud Compute API types of `proto/` (prost) and the request
//! validator generated from their `yandex.cloud` annotations.
//!
//! Every part of Kiln (the `kiln` CLI, the npm package, the local service and the web console)
//! runs this same code, so a request gets the same verdict, with the same field paths and
//! messages, wherever it is checked.
//!
//! ```
//! use kiln_core::validate::{validate_str, Outcome, CREATE_IMAGE_REQUEST};
//!
//! let outcome = validate_str(CREATE_IMAGE_REQUEST, r#"{"folderId": "b1g", "name": "Web"}"#);
//! let Outcome::Invalid { violations } = outcome else { panic!("expected violations") };
//! let found: Vec<_> = violations.iter().map(|v| (v.field.as_str(), v.rule.as_str())).collect();
//! assert_eq!(found, [("name", "pattern"), ("source", "exactly_one")]);
//! ```
//!
//! Architecture invariant: this crate does no IO, has no async runtime and never depends on a
//! browser or server crate; it builds for `wasm32-unknown-unknown`.

pub mod bounds;
pub mod describe;
mod locale;
pub mod pattern;
pub mod progress;
pub mod rule;
pub mod scan;
pub mod schema;
pub mod text;
pub mod validate;

pub use locale::Locale;
pub use rule::Rule;

#[cfg(feature = "reflect")]
pub mod reflect;

/// The prost types of `proto/`, one module per protobuf package.
#[allow(missing_docs, clippy::all, rustdoc::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/protos.rs"));
}

/// The encoded `FileDescriptorSet` of every file in `proto/` (with imports).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/descriptor_set.bin"));
