//! `yandex.cloud.operation.OperationService`. An operation belongs to the folder of its image:
//! another folder's operation answers as one that does not exist.

use kiln_core::proto::yandex::cloud::operation::{
    CancelOperationRequest, GetOperationRequest, Operation,
};
use kiln_grpc::operation::operation_service_server::OperationService;
use tonic::{Request, Response, Status};

use crate::{
    api::{
        auth::caller,
        errors::{refused, validated},
        image_service::with_poll_interval,
    },
    domain,
    engine::Engine,
};

/// The operation service over the engine.
pub struct Operations {
    /// The engine.
    pub engine: Engine,
}

#[tonic::async_trait]
impl OperationService for Operations {
    async fn get(
        &self,
        request: Request<GetOperationRequest>,
    ) -> Result<Response<Operation>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().operation_id;
        let record = self
            .engine
            .read(|r| domain::visible_operation(r, grant.caller(), id))
            .map_err(refused)?;
        Ok(with_poll_interval(record.operation))
    }

    /// Stops a running operation and returns it ended with CANCELLED (its image removed); a
    /// finished operation comes back unchanged.
    async fn cancel(
        &self,
        request: Request<CancelOperationRequest>,
    ) -> Result<Response<Operation>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let operation = self
            .engine
            .cancel(grant, request.into_inner().operation_id)
            .await
            .map_err(refused)?;
        Ok(with_poll_interval(operation))
    }
}
