//! `yandex.cloud.endpoint.ApiEndpointService` (List and Get): where each service lives. The
//! official SDKs ask it first when given one API endpoint (the Python SDK's
//! `SDK(endpoint=...)`, the Go SDK's `ycsdk.Build` and so Terraform's provider); `kiln serve`
//! answers that every service the SDKs look up (`compute`, `operation`, `endpoint`, `iam`) is at
//! the address the client reached it by (the request's `:authority`). Like the real one it
//! needs no token.
//!
//! The service is `kiln-grpc`'s generated server; [`WithAuthority`] hands it the request's
//! authority (a generated handler sees metadata and extensions, not the URI).

use std::task::{Context, Poll};

use kiln_core::proto::yandex::cloud::endpoint::{
    ApiEndpoint, GetApiEndpointRequest, ListApiEndpointsRequest, ListApiEndpointsResponse,
};
use kiln_grpc::endpoint::api_endpoint_service_server::{
    ApiEndpointService, ApiEndpointServiceServer,
};
use tonic::{Request, Response, Status, server::NamedService};

/// The service IDs answered, all at this service's address.
pub const SERVICE_IDS: [&str; 4] = ["compute", "endpoint", "iam", "operation"];

/// The longest `:authority` used as an address; a longer or odd one gives the fallback.
const LONGEST_AUTHORITY: usize = 255;

/// The service.
#[derive(Clone, Debug)]
pub struct ApiEndpoints {
    /// The address answered when the request names none usable (the listening address).
    pub fallback: String,
}

/// The request's `:authority` (or `Host`), as [`WithAuthority`] found it.
#[derive(Clone, Debug)]
struct Authority(String);

impl ApiEndpoints {
    /// The service ready to route: the generated server behind [`WithAuthority`].
    pub fn into_service(self) -> WithAuthority<ApiEndpointServiceServer<ApiEndpoints>> {
        WithAuthority(
            ApiEndpointServiceServer::new(self).max_decoding_message_size(super::LARGEST_REQUEST),
        )
    }

    /// The address the client reached this service by.
    fn address<T>(&self, request: &Request<T>) -> String {
        request
            .extensions()
            .get::<Authority>()
            .map(|a| a.0.as_str())
            .filter(|a| !a.is_empty() && a.len() <= LONGEST_AUTHORITY)
            .filter(|a| {
                a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
            })
            .map_or_else(|| self.fallback.clone(), str::to_owned)
    }
}

#[tonic::async_trait]
impl ApiEndpointService for ApiEndpoints {
    async fn get(
        &self,
        request: Request<GetApiEndpointRequest>,
    ) -> Result<Response<ApiEndpoint>, Status> {
        let address = self.address(&request);
        let id = request.into_inner().api_endpoint_id;
        if !SERVICE_IDS.contains(&id.as_str()) {
            return Err(Status::not_found(format!(
                "api endpoint {} not found",
                crate::api::errors::clip(&id)
            )));
        }
        Ok(Response::new(ApiEndpoint { id, address }))
    }

    async fn list(
        &self,
        request: Request<ListApiEndpointsRequest>,
    ) -> Result<Response<ListApiEndpointsResponse>, Status> {
        let address = self.address(&request);
        let endpoints = SERVICE_IDS
            .iter()
            .map(|id| ApiEndpoint {
                id: (*id).to_owned(),
                address: address.clone(),
            })
            .collect();
        Ok(Response::new(ListApiEndpointsResponse {
            endpoints,
            next_page_token: String::new(),
        }))
    }
}

/// Puts the request's `:authority` (or `Host` header) into its extensions, where the handler
/// reads it; otherwise the wrapped service unchanged.
#[derive(Clone, Debug)]
pub struct WithAuthority<S>(S);

impl<S: NamedService> NamedService for WithAuthority<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> tower::Service<http::Request<B>> for WithAuthority<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_owned())
            .or_else(|| {
                request
                    .headers()
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
            });
        if let Some(authority) = authority {
            request.extensions_mut().insert(Authority(authority));
        }
        self.0.call(request)
    }
}
