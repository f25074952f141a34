//! `yandex.cloud.operation.OperationService`.

use std::sync::Arc;

use kiln_core::proto::yandex::cloud::operation::{
    CancelOperationRequest, GetOperationRequest, Operation,
};
use tonic::{Request, Response, Status};

use crate::{
    api::operation::operation_service_server::OperationService,
    auth::Tokens,
    engine::Engine,
    errors::{internal, validated},
    images::with_poll_interval,
};

/// The operation service over the engine.
pub struct Operations {
    pub engine: Engine,
    pub tokens: Arc<Tokens>,
}

impl Operations {
    async fn find(&self, id: &str) -> Result<Operation, Status> {
        self.engine
            .store
            .operation(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("operation {id} not found")))
    }
}

#[tonic::async_trait]
impl OperationService for Operations {
    async fn get(
        &self,
        request: Request<GetOperationRequest>,
    ) -> Result<Response<Operation>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        Ok(with_poll_interval(
            self.find(&request.get_ref().operation_id).await?,
        ))
    }

    /// Stops a running operation and returns it ended with CANCELLED (its image removed); a
    /// finished operation comes back unchanged.
    async fn cancel(
        &self,
        request: Request<CancelOperationRequest>,
    ) -> Result<Response<Operation>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().operation_id;
        let operation = self
            .engine
            .cancel(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("operation {id} not found")))?;
        Ok(with_poll_interval(operation))
    }
}
