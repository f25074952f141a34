//! The gRPC handlers of the API: each RPC reads its caller, checks the request's shape
//! (the core's validation, metadata, page tokens, masks), runs one engine command or one
//! read, and translates the answer into a status.

/// The largest request message accepted, in bytes (a Create with every field at its limit is
/// under 20 KB; tonic's default is 4 MiB).
pub const LARGEST_REQUEST: usize = 256 << 10;

pub mod auth;
pub mod endpoint_service;
pub mod errors;
pub mod image_service;
pub mod operation_service;
pub mod paging;
pub mod request;
pub mod source_services;
