//! gRPC server reflection (tonic-reflection), v1 and v1alpha, so grpcurl, grpcui and Postman
//! list and call every service without local `.proto` files. It serves the descriptors
//! `kiln-core`'s build already encodes (the API surface in `proto/`, wire-identical to the
//! official SDK) plus the health service's. Like health, it needs no token.

/// The v1 and v1alpha reflection services.
pub fn services() -> Result<
    (
        tonic_reflection::server::v1::ServerReflectionServer<
            impl tonic_reflection::server::v1::ServerReflection,
        >,
        tonic_reflection::server::v1alpha::ServerReflectionServer<
            impl tonic_reflection::server::v1alpha::ServerReflection,
        >,
    ),
    tonic_reflection::server::Error,
> {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(kiln_core::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    Ok((builder().build_v1()?, builder().build_v1alpha()?))
}
