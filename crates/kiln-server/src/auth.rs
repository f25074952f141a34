//! `authorization: Bearer <token>`: which folders a token may use.

use std::collections::BTreeMap;

use tonic::{Request, Status};

/// The well-known development token (like Azurite's well-known account).
pub const DEV_TOKEN: &str = "dev-token";
/// The folder the development token may use, seeded with disks, snapshots and images.
pub const DEV_FOLDER: &str = "dev-folder";

/// Tokens and their folders.
#[derive(Debug, Clone, Default)]
pub struct Tokens(pub BTreeMap<String, Vec<String>>);

impl Tokens {
    /// Only `dev-token`, for `dev-folder`.
    pub fn development() -> Tokens {
        Tokens([(DEV_TOKEN.to_owned(), vec![DEV_FOLDER.to_owned()])].into())
    }

    /// The caller's folders: UNAUTHENTICATED without a known bearer token.
    pub fn folders<T>(&self, request: &Request<T>) -> Result<&[String], Status> {
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing authorization metadata"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization must be \"Bearer <token>\""))?;
        self.0
            .get(token)
            .map(Vec::as_slice)
            .ok_or_else(|| Status::unauthenticated("unknown token"))
    }

    /// PERMISSION_DENIED unless the caller may use `folder`.
    pub fn check<T>(&self, request: &Request<T>, folder: &str) -> Result<(), Status> {
        if self.folders(request)?.iter().any(|f| f == folder) {
            Ok(())
        } else {
            Err(Status::permission_denied(format!(
                "permission denied for folder {folder}"
            )))
        }
    }
}
