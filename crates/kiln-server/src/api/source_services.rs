//! The Get/List half of `DiskService` and `SnapshotService`: the sources the console offers.

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
        auth::caller,
        errors::{refused, validated},
        paging,
    },
    domain,
    engine::{Engine, SourceTable},
};

/// Disks and snapshots, read through the engine.
#[derive(Clone)]
pub struct Sources {
    /// The engine.
    pub engine: Engine,
}

impl Sources {
    /// A page of a folder's disks or snapshots the caller may list, and the next page's token.
    fn page<M: Message + Default>(
        &self,
        request: &Request<impl Sized>,
        table: SourceTable,
        (folder, page_size, page_token): (&str, i64, &str),
    ) -> Result<(Vec<M>, String), Status> {
        let grant = caller(request)?;
        domain::folder_allowed(grant.caller(), folder).map_err(refused)?;
        let limit = paging::page_size(page_size)?;
        let page = self
            .engine
            .read(|reader| {
                // A token is the ID of the last item of the page before: one of this folder's.
                if !page_token.is_empty() && !reader.has_source(table, folder, page_token)? {
                    return Ok(None);
                }
                Ok(Some(reader.sources(table, folder, page_token, limit)?))
            })
            .map_err(refused)?
            .ok_or_else(paging::not_issued)?;
        Ok((page.items, page.next.unwrap_or_default()))
    }
}

#[tonic::async_trait]
impl DiskService for Sources {
    async fn get(&self, request: Request<GetDiskRequest>) -> Result<Response<Disk>, Status> {
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().disk_id;
        let disk = self
            .engine
            .read(|r| domain::visible_disk(r, grant.caller(), id))
            .map_err(refused)?;
        Ok(Response::new(disk))
    }

    async fn list(
        &self,
        request: Request<ListDisksRequest>,
    ) -> Result<Response<ListDisksResponse>, Status> {
        validated(request.get_ref())?;
        let r = request.get_ref();
        let asked = (r.folder_id.as_str(), r.page_size, r.page_token.as_str());
        let (disks, next_page_token) = self.page(&request, SourceTable::Disks, asked)?;
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
        let grant = caller(&request)?;
        validated(request.get_ref())?;
        let id = &request.get_ref().snapshot_id;
        let snapshot = self
            .engine
            .read(|r| domain::visible_snapshot(r, grant.caller(), id))
            .map_err(refused)?;
        Ok(Response::new(snapshot))
    }

    async fn list(
        &self,
        request: Request<ListSnapshotsRequest>,
    ) -> Result<Response<ListSnapshotsResponse>, Status> {
        validated(request.get_ref())?;
        let r = request.get_ref();
        let asked = (r.folder_id.as_str(), r.page_size, r.page_token.as_str());
        let (snapshots, next_page_token) = self.page(&request, SourceTable::Snapshots, asked)?;
        Ok(Response::new(ListSnapshotsResponse {
            snapshots,
            next_page_token,
        }))
    }
}
