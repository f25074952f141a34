//! `authorization: Bearer <token>`: which folders a token may use. The interceptor
//! ([`Authenticate`]) reads the token once per call, before the body is decoded, and hands the
//! handlers its [`Grant`] ([`caller`]).

use std::{collections::BTreeMap, sync::Arc};

use foldhash::HashMap;
use tonic::{Request, Status};

pub use crate::domain::Grant;

/// The well-known development token (like Azurite's well-known account).
pub const DEV_TOKEN: &str = "dev-token";
/// The folder the development token may use, seeded with disks, snapshots and images.
pub use crate::engine::DEV_FOLDER;
/// The subject the development token acts as (`Operation.created_by`): a user account ID in
/// the API's shape (3-character prefix, 20 characters).
pub const DEV_SUBJECT: &str = "ajedev0user000000001";

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

    /// Whether these are the development set-up's tokens (only `dev-token`).
    pub fn is_development(&self) -> bool {
        self.0.len() == 1 && self.0.contains_key(DEV_TOKEN)
    }
}

/// The subject of the `index`th token of a config that names none: `aje` and 17 digits.
pub fn default_subject(index: usize) -> String {
    format!("aje{:017}", index + 1)
}

/// The token interceptor: UNAUTHENTICATED without a known bearer token, whatever the call
/// carries; otherwise the token's [`Grant`] goes with the request to its handler.
#[derive(Clone)]
pub struct Authenticate {
    grants: Arc<HashMap<String, Arc<Grant>>>,
}

impl Authenticate {
    /// The interceptor for `tokens`.
    pub fn new(tokens: &Tokens) -> Authenticate {
        let grants = tokens
            .0
            .iter()
            .map(|(token, grant)| (token.clone(), Arc::new(grant.clone())))
            .collect();
        Authenticate {
            grants: Arc::new(grants),
        }
    }

    fn grant<T>(&self, request: &Request<T>) -> Result<Arc<Grant>, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing authorization metadata"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization must be \"Bearer <token>\""))?;
        self.grants
            .get(token)
            .cloned()
            .ok_or_else(|| Status::unauthenticated("unknown token"))
    }
}

impl tonic::service::Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let grant = self.grant(&request)?;
        request.extensions_mut().insert(grant);
        Ok(request)
    }
}

/// The grant [`Authenticate`] found for the call (INTERNAL if it did not run: a service wired
/// without it, a bug of the service, not of the call).
pub fn caller<T>(request: &Request<T>) -> Result<Arc<Grant>, Status> {
    request
        .extensions()
        .get::<Arc<Grant>>()
        .cloned()
        .ok_or_else(|| Status::internal("the call was not authenticated (no token interceptor)"))
}
