//! Generates the tonic client halves (and, with the `server` feature, the server halves) of the
//! services in `proto/`, without a transport so the clients build for wasm32; every message type
//! comes from `kiln_core::proto` (extern paths), so callers build, validate and store the very
//! types the core has.

use std::{env, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let proto_root = manifest
        .join("../../proto")
        .canonicalize()
        .expect("proto/ folder");
    println!("cargo:rerun-if-changed={}", proto_root.display());
    let files = [
        "yandex/cloud/compute/v1/image_service.proto",
        "yandex/cloud/compute/v1/disk_service.proto",
        "yandex/cloud/compute/v1/snapshot_service.proto",
        "yandex/cloud/operation/operation_service.proto",
        "yandex/cloud/endpoint/api_endpoint_service.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={}", proto_root.join(file).display());
    }
    let fds = protox::compile(files, [&proto_root]).unwrap_or_else(|e| panic!("{e:?}"));
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(env::var_os("CARGO_FEATURE_SERVER").is_some())
        .build_transport(false)
        .extern_path(".yandex", "::kiln_core::proto::yandex")
        .extern_path(".google.rpc", "::kiln_core::proto::google::rpc")
        .extern_path(".google.api", "::kiln_core::proto::google::api")
        .compile_fds(fds)
        .expect("tonic-prost-build");
}
