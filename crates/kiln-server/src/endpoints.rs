//! `yandex.cloud.endpoint.ApiEndpointService` (List and Get): where each service lives. The
//! official SDKs ask it first when given one API endpoint (the Python SDK's
//! `SDK(endpoint=...)`, the Go SDK's `ycsdk.Build` and so Terraform's provider); `kiln serve`
//! answers that every service the SDKs look up (`compute`, `operation`, `endpoint`, `iam`) is at
//! the address the client reached it by (the request's `:authority`). Like the real one it
//! needs no token.
//!
//! Its four messages are written here with prost's derive, field for field as in the API's
//! `yandex/cloud/endpoint/*.proto` (the generated services of `kiln-grpc` are the compute and
//! operation ones only).

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use tonic::{Request, Response, Status, server::NamedService};

/// `yandex.cloud.endpoint.ApiEndpoint`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ApiEndpoint {
    /// The service's ID (`compute`).
    #[prost(string, tag = "1")]
    pub id: String,
    /// `host:port`.
    #[prost(string, tag = "2")]
    pub address: String,
}

/// `yandex.cloud.endpoint.GetApiEndpointRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetApiEndpointRequest {
    /// The service's ID.
    #[prost(string, tag = "1")]
    pub api_endpoint_id: String,
}

/// `yandex.cloud.endpoint.ListApiEndpointsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListApiEndpointsRequest {
    /// Ignored: every endpoint fits one page.
    #[prost(int64, tag = "1")]
    pub page_size: i64,
    /// Ignored.
    #[prost(string, tag = "2")]
    pub page_token: String,
}

/// `yandex.cloud.endpoint.ListApiEndpointsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListApiEndpointsResponse {
    /// The endpoints.
    #[prost(message, repeated, tag = "1")]
    pub endpoints: Vec<ApiEndpoint>,
    /// Always empty.
    #[prost(string, tag = "2")]
    pub next_page_token: String,
}

/// The service IDs answered, all at this service's address.
pub const SERVICE_IDS: [&str; 4] = ["compute", "endpoint", "iam", "operation"];

/// The longest `:authority` used as an address; a longer or odd one gives `fallback`.
const LONGEST_AUTHORITY: usize = 255;

/// The service.
#[derive(Clone, Debug)]
pub struct ApiEndpoints {
    /// The address answered when the request names none usable (the listening address).
    pub fallback: String,
}

impl NamedService for ApiEndpoints {
    const NAME: &'static str = "yandex.cloud.endpoint.ApiEndpointService";
}

impl ApiEndpoints {
    /// The address the client reached this service by.
    fn address(&self, authority: Option<&str>) -> String {
        authority
            .filter(|a| !a.is_empty() && a.len() <= LONGEST_AUTHORITY)
            .filter(|a| {
                a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
            })
            .map_or_else(|| self.fallback.clone(), str::to_owned)
    }

    fn endpoint(&self, id: &str, authority: Option<&str>) -> ApiEndpoint {
        ApiEndpoint {
            id: id.to_owned(),
            address: self.address(authority),
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

struct List(ApiEndpoints, Option<String>);

impl tonic::server::UnaryService<ListApiEndpointsRequest> for List {
    type Response = ListApiEndpointsResponse;
    type Future = BoxFuture<Result<Response<ListApiEndpointsResponse>, Status>>;

    fn call(&mut self, _: Request<ListApiEndpointsRequest>) -> Self::Future {
        let endpoints = SERVICE_IDS
            .iter()
            .map(|id| self.0.endpoint(id, self.1.as_deref()))
            .collect();
        Box::pin(async move {
            Ok(Response::new(ListApiEndpointsResponse {
                endpoints,
                next_page_token: String::new(),
            }))
        })
    }
}

struct Get(ApiEndpoints, Option<String>);

impl tonic::server::UnaryService<GetApiEndpointRequest> for Get {
    type Response = ApiEndpoint;
    type Future = BoxFuture<Result<Response<ApiEndpoint>, Status>>;

    fn call(&mut self, request: Request<GetApiEndpointRequest>) -> Self::Future {
        let id = request.into_inner().api_endpoint_id;
        let found = SERVICE_IDS
            .contains(&id.as_str())
            .then(|| self.0.endpoint(&id, self.1.as_deref()));
        Box::pin(async move {
            found
                .map(Response::new)
                .ok_or_else(|| Status::not_found(format!("api endpoint {id} not found")))
        })
    }
}

impl<B> tower::Service<http::Request<B>> for ApiEndpoints
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
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
        let this = self.clone();
        match request.uri().path() {
            "/yandex.cloud.endpoint.ApiEndpointService/List" => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default())
                    .apply_max_message_size_config(Some(crate::LARGEST_REQUEST), None);
                Ok(grpc.unary(List(this, authority), request).await)
            }),
            "/yandex.cloud.endpoint.ApiEndpointService/Get" => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default())
                    .apply_max_message_size_config(Some(crate::LARGEST_REQUEST), None);
                Ok(grpc.unary(Get(this, authority), request).await)
            }),
            _ => Box::pin(async move { Ok(Status::unimplemented("no such method").into_http()) }),
        }
    }
}
