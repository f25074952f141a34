//! Readiness, as emulators and orchestrators check it: the standard gRPC health service
//! (`grpc.health.v1.Health`, from tonic-health; every service of the API and `""` report
//! SERVING once the store is open and unfinished operations are resumed) and an HTTP
//! `GET /healthz` answering `200 ok` (the container's HEALTHCHECK). Both answer without a
//! token, like the real API's infrastructure endpoints.

use kiln_grpc::{compute::*, operation::*};

/// The health service, with every service of the API SERVING.
pub async fn service()
-> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_serving::<image_service_server::ImageServiceServer<crate::api::image_service::Images>>(
        )
        .await;
    reporter
        .set_serving::<operation_service_server::OperationServiceServer<crate::api::operation_service::Operations>>()
        .await;
    reporter
        .set_serving::<disk_service_server::DiskServiceServer<crate::api::source_services::Sources>>()
        .await;
    reporter
        .set_serving::<snapshot_service_server::SnapshotServiceServer<crate::api::source_services::Sources>>()
        .await;
    service
}

/// `router` answering `GET /healthz` with `200 ok`.
pub fn with_healthz(router: axum::Router) -> axum::Router {
    router.route(
        "/healthz",
        axum::routing::get(|| async {
            (
                [
                    (http::header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (http::header::CACHE_CONTROL, "no-store"),
                ],
                "ok\n",
            )
        }),
    )
}
