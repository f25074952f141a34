//! The Get/List half of `DiskService` and `SnapshotService`: the sources the console offers.

use std::sync::Arc;

use kiln_core::proto::yandex::cloud::compute::v1::{
    Disk, GetDiskRequest, GetSnapshotRequest, ListDisksRequest, ListDisksResponse,
    ListSnapshotsRequest, ListSnapshotsResponse, Snapshot,
};
use prost::Message;
use tonic::{Request, Response, Status};

use crate::{
    api::compute::{disk_service_server::DiskService, snapshot_service_server::SnapshotService},
    auth::Tokens,
    errors::validated,
    store::{SourceTable, Store},
};

/// Disks and snapshots from the store.
#[derive(Clone)]
pub struct Sources {
    pub store: Store,
    pub tokens: Arc<Tokens>,
}

fn page<M: Message + Default>(
    store: &Store,
    table: SourceTable,
    folder: &str,
    page_size: i64,
    page_token: &str,
    id: impl Fn(&M) -> String,
) -> (Vec<M>, String) {
    let limit = if page_size == 0 {
        100
    } else {
        page_size as usize
    };
    let rows = store.sources(table, folder, page_token, limit + 1);
    let mut items: Vec<M> = rows
        .iter()
        .map(|b| M::decode(b.as_slice()).expect("stored source decodes"))
        .collect();
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id).unwrap_or_default()
    } else {
        String::new()
    };
    (items, next)
}

#[tonic::async_trait]
impl DiskService for Sources {
    async fn get(&self, request: Request<GetDiskRequest>) -> Result<Response<Disk>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().disk_id;
        let disk = self
            .store
            .disk(id)
            .ok_or_else(|| Status::not_found(format!("disk {id} not found")))?;
        self.tokens.check(&request, &disk.folder_id)?;
        Ok(Response::new(disk))
    }

    async fn list(
        &self,
        request: Request<ListDisksRequest>,
    ) -> Result<Response<ListDisksResponse>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.tokens.check(&request, &r.folder_id)?;
        let (disks, next_page_token) = page(
            &self.store,
            SourceTable::Disks,
            &r.folder_id,
            r.page_size,
            &r.page_token,
            |d: &Disk| d.id.clone(),
        );
        Ok(Response::new(ListDisksResponse {
            disks,
            next_page_token,
        }))
    }
}

#[tonic::async_trait]
impl SnapshotService for Sources {
    async fn get(
        &self,
        request: Request<GetSnapshotRequest>,
    ) -> Result<Response<Snapshot>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().snapshot_id;
        let snapshot = self
            .store
            .snapshot(id)
            .ok_or_else(|| Status::not_found(format!("snapshot {id} not found")))?;
        self.tokens.check(&request, &snapshot.folder_id)?;
        Ok(Response::new(snapshot))
    }

    async fn list(
        &self,
        request: Request<ListSnapshotsRequest>,
    ) -> Result<Response<ListSnapshotsResponse>, Status> {
        self.tokens.folders(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        self.tokens.check(&request, &r.folder_id)?;
        let (snapshots, next_page_token) = page(
            &self.store,
            SourceTable::Snapshots,
            &r.folder_id,
            r.page_size,
            &r.page_token,
            |s: &Snapshot| s.id.clone(),
        );
        Ok(Response::new(ListSnapshotsResponse {
            snapshots,
            next_page_token,
        }))
    }
}
