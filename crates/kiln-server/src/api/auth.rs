//! `authorization: Bearer <token>`: which folders a token may use.

use std::collections::BTreeMap;

use tonic::{Request, Status};

use crate::domain::Caller;

/// The well-known development token (like Azurite's well-known account).
pub const DEV_TOKEN: &str = "dev-token";
/// The folder the development token may use, seeded with disks, snapshots and images.
pub const DEV_FOLDER: &str = "dev-folder";

/// The subject the development token acts as (`Operation.created_by`): a user account ID in
/// the API's shape (3-character prefix, 20 characters).
pub const DEV_SUBJECT: &str = "ajedev0user000000001";

/// What one token may do, and who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The folders it may use.
    pub folders: Vec<String>,
    /// Its subject, as the real API names it in `Operation.created_by`.
    pub subject: String,
}

/// Tokens and their grants.
#[derive(Debug, Clone, Default)]
pub struct Tokens(pub BTreeMap<String, Grant>);

impl Tokens {
    /// Only `dev-token`, for `dev-folder`, as [`DEV_SUBJECT`].
    pub fn development() -> Tokens {
        Tokens(
            [(
                DEV_TOKEN.to_owned(),
                Grant {
                    folders: vec![DEV_FOLDER.to_owned()],
                    subject: DEV_SUBJECT.to_owned(),
                },
            )]
            .into(),
        )
    }

    /// Tokens and their folders, each with a subject of its own made from its place in the
    /// list (`aje` and 17 digits, the API's shape), for configs that name none.
    pub fn from_folders(tokens: BTreeMap<String, Vec<String>>) -> Tokens {
        Tokens(
            tokens
                .into_iter()
                .enumerate()
                .map(|(i, (token, folders))| {
                    let subject = default_subject(i);
                    (token, Grant { folders, subject })
                })
                .collect(),
        )
    }

    /// The subject of the caller's token (`Operation.created_by`); empty without a known one
    /// (the interceptor has refused such calls already).
    pub fn subject<T>(&self, request: &Request<T>) -> String {
        self.grant(request)
            .map(|g| g.subject.clone())
            .unwrap_or_default()
    }

    /// Whether these are the development set-up's tokens (only `dev-token`).
    pub fn is_development(&self) -> bool {
        self.0.len() == 1 && self.0.contains_key(DEV_TOKEN)
    }

    /// The caller: UNAUTHENTICATED without a known bearer token. Every RPC asks this first.
    pub fn caller<T>(&self, request: &Request<T>) -> Result<Caller<'_>, Status> {
        self.grant(request).map(|grant| Caller {
            folders: &grant.folders,
        })
    }

    fn grant<T>(&self, request: &Request<T>) -> Result<&Grant, Status> {
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
            .ok_or_else(|| Status::unauthenticated("unknown token"))
    }
}

/// The subject of the `index`th token of a config that names none: `aje` and 17 digits.
pub fn default_subject(index: usize) -> String {
    format!("aje{:017}", index + 1)
}
