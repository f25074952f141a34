//! proto3 JSON mapping of the typed messages, and validation of decoded messages.

use kiln_core::{
    proto::yandex::cloud::{
        compute::v1::{
            CreateImageMetadata, CreateImageRequest, HardwareGeneration, Image, Os, PciTopology,
            create_image_request::Source, hardware_generation::Features, os,
        },
        operation::{Operation, operation},
    },
    reflect::{from_json, to_json, to_json_value, validate_message},
    validate::{Outcome, validate_json, validate_str},
};
use prost::Message;
use serde_json::json;

#[test]
fn reads_camel_case_snake_case_int64_strings_and_enum_numbers() {
    let camel: CreateImageRequest = from_json(
        r#"{"folderId":"f","minDiskSize":"4194304","os":{"type":"WINDOWS"},"diskId":"d",
            "hardwareGeneration":{"legacyFeatures":{"pciTopology":"PCI_TOPOLOGY_V2"}}}"#,
    )
    .unwrap();
    let snake: CreateImageRequest = from_json(
        r#"{"folder_id":"f","min_disk_size":4194304,"os":{"type":2},"disk_id":"d",
            "hardware_generation":{"legacy_features":{"pci_topology":2}}}"#,
    )
    .unwrap();
    assert_eq!(camel, snake);
    assert_eq!(camel.min_disk_size, 4194304);
    assert_eq!(camel.os.unwrap().r#type(), os::Type::Windows);
    assert_eq!(camel.source, Some(Source::DiskId("d".into())));
    let Some(Features::LegacyFeatures(legacy)) = camel.hardware_generation.unwrap().features else {
        panic!("legacy features expected");
    };
    assert_eq!(legacy.pci_topology(), PciTopology::V2);
}

#[test]
fn writes_camel_case_with_int64_as_string_and_enum_names() {
    let request = CreateImageRequest {
        folder_id: "f".into(),
        min_disk_size: 10 << 30,
        os: Some(Os {
            r#type: os::Type::Linux as i32,
            nvidia: None,
        }),
        hardware_generation: Some(HardwareGeneration {
            features: Some(Features::Generation2Features(Default::default())),
        }),
        source: Some(Source::Uri("https://storage.yandexcloud.net/b/o".into())),
        ..Default::default()
    };
    assert_eq!(
        to_json_value(&request).unwrap(),
        json!({
            "folderId": "f",
            "minDiskSize": "10737418240",
            "uri": "https://storage.yandexcloud.net/b/o",
            "os": {"type": "LINUX"},
            "hardwareGeneration": {"generation2Features": {}}
        })
    );
}

#[test]
fn operation_any_fields_use_at_type() {
    let image = Image {
        id: "fd8img".into(),
        name: "web".into(),
        ..Default::default()
    };
    let operation = Operation {
        id: "op1".into(),
        done: true,
        metadata: Some(prost_types::Any {
            type_url: "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata".into(),
            value: CreateImageMetadata {
                image_id: "fd8img".into(),
            }
            .encode_to_vec(),
        }),
        result: Some(operation::Result::Response(prost_types::Any {
            type_url: "type.googleapis.com/yandex.cloud.compute.v1.Image".into(),
            value: image.encode_to_vec(),
        })),
        ..Default::default()
    };
    let value = to_json_value(&operation).unwrap();
    assert_eq!(
        value["metadata"],
        json!({"@type": "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata", "imageId": "fd8img"})
    );
    assert_eq!(
        value["response"]["@type"],
        "type.googleapis.com/yandex.cloud.compute.v1.Image"
    );
    assert_eq!(value["response"]["name"], "web");
    let back: Operation = from_json(&value.to_string()).unwrap();
    assert_eq!(back, operation);
}

#[test]
fn decoded_message_validates_like_its_json() {
    let request = CreateImageRequest {
        name: "Bad Name".into(),
        description: "d".repeat(257),
        labels: [("Team".to_owned(), "x".to_owned())].into(),
        product_ids: vec!["p".repeat(51)],
        ..Default::default()
    };
    let from_message = validate_message(&request);
    // The message's JSON text, fields in declaration order, is what gets validated.
    let text = format!(
        r#"{{"name":"Bad Name","description":"{}","labels":{{"Team":"x"}},"productIds":["{}"]}}"#,
        "d".repeat(257),
        "p".repeat(51)
    );
    assert_eq!(to_json(&request).unwrap(), text);
    let from_json = validate_str("yandex.cloud.compute.v1.CreateImageRequest", &text);
    assert_eq!(from_message, from_json);
    // The same request as a JSON value (keys sorted) breaks the same rules, in another order.
    let Outcome::Invalid { violations: sorted } = validate_json(
        "yandex.cloud.compute.v1.CreateImageRequest",
        &json!({"name": "Bad Name", "description": "d".repeat(257), "labels": {"Team": "x"}, "productIds": ["p".repeat(51)]}),
    ) else {
        panic!("invalid expected")
    };
    let Outcome::Invalid { violations } = from_message else {
        panic!("invalid expected")
    };
    let mut rules: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.rule.as_str()))
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            ("description", "length"),
            ("folder_id", "required"),
            ("labels[\"Team\"]", "map_key.pattern"),
            ("name", "pattern"),
            ("product_ids[0]", "length"),
            ("source", "exactly_one"),
        ]
    );
    let mut in_both = violations.clone();
    let mut from_sorted = sorted;
    in_both.sort_by(|a, b| a.field.cmp(&b.field));
    from_sorted.sort_by(|a, b| a.field.cmp(&b.field));
    assert_eq!(in_both, from_sorted);
}
