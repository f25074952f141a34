//! The Get/List half of `DiskService` and `SnapshotService`: the sources the console offers.

use std::sync::Arc;

use kiln_core::proto::yandex::cloud::compute::v1::{
    Disk, GetDiskRequest, GetSnapshotRequest, ListDisksRequest, ListDisksResponse,
    ListSnapshotsRequest, ListSnapshotsResponse, Snapshot,
};
use kiln_grpc::compute::{
    disk_service_server::DiskService, snapshot_service_server::SnapshotService,
};
use prost::Message;
use tonic::{Request, Response, Status};

use crate::{
    api::{
        auth::Tokens,
        errors::{refused, validated},
        paging,
    },
    domain::{self, Caller},
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
) -> Result<(Vec<M>, String), Status> {
    let limit = paging::page_size(page_size)?;
    // A token is the ID of the last item of the page before: one of this folder's.
    if !page_token.is_empty() && !store.has_source(table, folder, page_token) {
        return Err(paging::not_issued());
    }
    let rows = store.sources(table, folder, page_token, limit + 1);
    let mut items: Vec<M> = rows
        .iter()
        .filter_map(|b| M::decode(b.as_slice()).ok())
        .collect();
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id).unwrap_or_default()
    } else {
        String::new()
    };
    Ok((items, next))
}

/// A seed resource by ID if the caller may see it (the domain's rule).
fn visible<M>(
    caller: Caller<'_>,
    kind: &'static str,
    id: &str,
    found: Option<M>,
    folder: impl Fn(&M) -> &str,
) -> Result<M, Status> {
    domain::visible_source(caller, kind, id, found, folder).map_err(refused)
}

#[tonic::async_trait]
impl DiskService for Sources {
    async fn get(&self, request: Request<GetDiskRequest>) -> Result<Response<Disk>, Status> {
        let caller = self.tokens.caller(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().disk_id;
        let disk = visible(caller, "disk", id, self.store.disk(id), |d| &d.folder_id)?;
        Ok(Response::new(disk))
    }

    async fn list(
        &self,
        request: Request<ListDisksRequest>,
    ) -> Result<Response<ListDisksResponse>, Status> {
        let caller = self.tokens.caller(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        domain::folder_allowed(caller, &r.folder_id).map_err(refused)?;
        let (disks, next_page_token) = page(
            &self.store,
            SourceTable::Disks,
            &r.folder_id,
            r.page_size,
            &r.page_token,
            |d: &Disk| d.id.clone(),
        )?;
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
        let caller = self.tokens.caller(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().snapshot_id;
        let snapshot = visible(caller, "snapshot", id, self.store.snapshot(id), |s| {
            &s.folder_id
        })?;
        Ok(Response::new(snapshot))
    }

    async fn list(
        &self,
        request: Request<ListSnapshotsRequest>,
    ) -> Result<Response<ListSnapshotsResponse>, Status> {
        let caller = self.tokens.caller(&request)?;
        validated(request.get_ref())?;
        let r = request.get_ref();
        domain::folder_allowed(caller, &r.folder_id).map_err(refused)?;
        let (snapshots, next_page_token) = page(
            &self.store,
            SourceTable::Snapshots,
            &r.folder_id,
            r.page_size,
            &r.page_token,
            |s: &Snapshot| s.id.clone(),
        )?;
        Ok(Response::new(ListSnapshotsResponse {
            snapshots,
            next_page_token,
        }))
    }
}
