//! `authorization: Bearer <token>`: which folders a token may use.

use std::collections::BTreeMap;

use tonic::{Request, Status};

use crate::domain::Caller;

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

    /// Whether these are the development set-up's tokens (only `dev-token`).
    pub fn is_development(&self) -> bool {
        self.0.len() == 1 && self.0.contains_key(DEV_TOKEN)
    }

    /// The caller: UNAUTHENTICATED without a known bearer token. Every RPC asks this first.
    pub fn caller<T>(&self, request: &Request<T>) -> Result<Caller<'_>, Status> {
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
            .map(|folders| Caller { folders })
            .ok_or_else(|| Status::unauthenticated("unknown token"))
    }
}
