//! Wire identity with the official SDK (PyPI `yandexcloud`, pinned in
//! `tests/sdk-wire/requirements.txt`): the descriptors of `proto/` match the SDK's, and bytes
//! the SDK encodes decode here to the same values and encode back to the same bytes, which the
//! SDK parses again.
//!
//! The test sets up its own Python environment in `target/sdk-venv` from PyPI (once).

use std::{path::Path, process::Command};

use kiln_core::{
    proto::yandex::cloud::{
        compute::v1::{CreateImageRequest, Image, UpdateImageRequest},
        operation::Operation,
    },
    reflect::to_json_value,
};
use prost::Message;
use serde_json::{Map, Value};

#[path = "../../../../tests/sdk-wire/venv.rs"]
mod venv;

use venv::{python, run, workspace};

fn check(python: &Path, args: &[&Path]) -> String {
    let mut command = Command::new(python);
    command
        .arg(workspace().join("tests/sdk-wire/check.py"))
        .args(args);
    run(&mut command)
}

#[test]
fn descriptors_sdk_bytes_and_back_match_the_official_sdk() {
    let python = python();
    let dir = std::env::temp_dir().join(format!("kiln-sdk-wire-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // 1. Names, numbers, types, labels and oneofs of every message, enum and method.
    let fds = dir.join("kiln.fds");
    std::fs::write(&fds, kiln_core::FILE_DESCRIPTOR_SET).unwrap();
    let counts: Value = serde_json::from_str(
        check(&python, &[Path::new("descriptors"), &fds])
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(counts["messages"].as_u64().unwrap() >= 60, "{counts}");
    assert!(counts["fields"].as_u64().unwrap() >= 200, "{counts}");

    // 2. SDK bytes decode to the SDK's values and encode back to the same bytes.
    let sdk_file = dir.join("sdk.json");
    check(&python, &[Path::new("encode"), &sdk_file]);
    let sdk: Map<String, Value> =
        serde_json::from_slice(&std::fs::read(&sdk_file).unwrap()).unwrap();
    let mut ours = Map::new();
    for (name, sample) in &sdk {
        let bytes = hex_decode(sample["hex"].as_str().unwrap());
        let (json, again) = match name.as_str() {
            "yandex.cloud.compute.v1.CreateImageRequest" => {
                round_trip::<CreateImageRequest>(&bytes)
            }
            "yandex.cloud.compute.v1.UpdateImageRequest" => {
                round_trip::<UpdateImageRequest>(&bytes)
            }
            "yandex.cloud.compute.v1.Image" => round_trip::<Image>(&bytes),
            "yandex.cloud.operation.Operation" => round_trip::<Operation>(&bytes),
            other => panic!("no Rust type for {other}"),
        };
        assert_eq!(
            json, sample["json"],
            "{name}: values decoded in Rust differ from the SDK's"
        );
        assert_eq!(again, bytes, "{name}: Rust re-encodes different bytes");
        ours.insert(name.clone(), Value::String(hex_encode(&again)));
    }
    assert_eq!(ours.len(), 4);

    // 3. The SDK parses Rust's bytes to its own messages.
    let kiln_file = dir.join("kiln.json");
    std::fs::write(&kiln_file, Value::Object(ours).to_string()).unwrap();
    let out = check(&python, &[Path::new("decode"), &kiln_file]);
    assert!(out.contains("\"decoded\": 4"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

fn round_trip<M: Message + Default + prost_reflect::ReflectMessage>(
    bytes: &[u8],
) -> (Value, Vec<u8>) {
    let message = M::decode(bytes).expect("SDK bytes decode");
    (to_json_value(&message).unwrap(), message.encode_to_vec())
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
