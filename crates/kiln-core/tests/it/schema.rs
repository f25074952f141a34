//! The generated schema reflects the `.proto` annotations: every annotation in `proto/` is a
//! rule in the tables, and every annotated request message is covered.

use std::{collections::BTreeMap, fs, path::Path};

use kiln_core::schema::{self, Kind, Shape};

/// Counts each validation option written in the `.proto` files under `dir`.
fn count_annotations(dir: &Path, counts: &mut BTreeMap<&'static str, usize>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            count_annotations(&path, counts);
        } else if path.extension().is_some_and(|e| e == "proto")
            && !path.ends_with("validation.proto")
        {
            let text = fs::read_to_string(&path).unwrap();
            for line in text.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
                for (needle, key) in [
                    ("(required) = true", "required"),
                    ("(length) =", "length"),
                    ("(pattern) =", "pattern"),
                    ("(size) =", "size"),
                    ("(yandex.cloud.size) =", "size"),
                    ("(value) =", "value"),
                    ("(map_key).length", "map_key.length"),
                    ("(map_key).pattern", "map_key.pattern"),
                    ("(exactly_one) = true", "exactly_one"),
                ] {
                    *counts.entry(key).or_default() += line.matches(needle).count();
                }
            }
        }
    }
}

#[test]
fn every_annotation_in_proto_is_a_rule() {
    let mut written = BTreeMap::new();
    count_annotations(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto"),
        &mut written,
    );
    let mut generated: BTreeMap<&'static str, usize> = BTreeMap::new();
    for m in schema::messages() {
        *generated.entry("exactly_one").or_default() +=
            m.oneofs.iter().filter(|o| o.exactly_one).count();
        for f in m.fields {
            let r = &f.rules;
            for (key, on) in [
                ("required", r.required),
                ("length", r.length.is_some()),
                ("pattern", r.pattern.is_some()),
                ("size", r.size.is_some()),
                ("value", r.value.is_some()),
                ("map_key.length", r.map_key_length.is_some()),
                ("map_key.pattern", r.map_key_pattern.is_some()),
            ] {
                *generated.entry(key).or_default() += usize::from(on);
            }
        }
    }
    assert!(
        written.values().sum::<usize>() > 60,
        "annotations found: {written:?}"
    );
    assert_eq!(written, generated);
}

#[test]
fn every_annotated_request_is_covered() {
    let annotated: Vec<&str> = schema::messages()
        .iter()
        .filter(|m| m.full_name.ends_with("Request") && schema::has_rules(m))
        .map(|m| m.full_name)
        .collect();
    for name in [
        "yandex.cloud.compute.v1.CreateImageRequest",
        "yandex.cloud.compute.v1.UpdateImageRequest",
        "yandex.cloud.compute.v1.GetImageRequest",
        "yandex.cloud.compute.v1.GetImageLatestByFamilyRequest",
        "yandex.cloud.compute.v1.ListImagesRequest",
        "yandex.cloud.compute.v1.DeleteImageRequest",
        "yandex.cloud.compute.v1.ListImageOperationsRequest",
        "yandex.cloud.compute.v1.GetDiskRequest",
        "yandex.cloud.compute.v1.ListDisksRequest",
        "yandex.cloud.compute.v1.GetSnapshotRequest",
        "yandex.cloud.compute.v1.ListSnapshotsRequest",
        "yandex.cloud.operation.GetOperationRequest",
        "yandex.cloud.operation.CancelOperationRequest",
        "yandex.cloud.access.ListAccessBindingsRequest",
        "yandex.cloud.access.SetAccessBindingsRequest",
        "yandex.cloud.access.UpdateAccessBindingsRequest",
    ] {
        assert!(
            annotated.contains(&name),
            "{name} has no rules: {annotated:?}"
        );
    }
}

#[test]
fn create_image_request_rules_come_from_the_annotations() {
    let m = schema::message("yandex.cloud.compute.v1.CreateImageRequest").unwrap();
    let labels = m.field("labels").unwrap();
    assert!(matches!(labels.shape, Shape::Map { key: Kind::String }));
    assert_eq!(labels.rules.size.as_ref().unwrap().max(), Some(64));
    assert_eq!(labels.rules.length.as_ref().unwrap().max(), Some(63));
    assert_eq!(labels.rules.map_key_length.as_ref().unwrap().spec, "1-63");
    assert_eq!(
        labels.rules.map_key_pattern.unwrap().source,
        "[a-z][-_./\\@0-9a-z]*"
    );
    let size = m.field("min_disk_size").unwrap();
    assert_eq!(size.json_name, "minDiskSize");
    assert_eq!(
        size.rules.value.as_ref().unwrap().describe(),
        "between 4194304 and 4398046511104"
    );
    let folder = m.field("folder_id").unwrap();
    assert!(folder.rules.required);
    assert_eq!(folder.rules.length.as_ref().unwrap().max(), Some(50));
    let source = &m.oneofs[0];
    assert_eq!(source.name, "source");
    assert!(source.exactly_one);
    let members: Vec<&str> = source.members.iter().map(|&i| m.fields[i].name).collect();
    assert_eq!(members, ["image_id", "disk_id", "snapshot_id", "uri"]);
    assert!(m.field("uri").unwrap().rules.is_empty());
    let hw = schema::message("yandex.cloud.compute.v1.HardwareGeneration").unwrap();
    assert!(!hw.oneofs[0].exactly_one);
}

#[test]
fn limit_descriptions() {
    let m = schema::message("yandex.cloud.access.UpdateAccessBindingsRequest").unwrap();
    let size = m
        .field("access_binding_deltas")
        .unwrap()
        .rules
        .size
        .as_ref()
        .unwrap();
    assert_eq!(size.describe(), "between 1 and 1000");
    assert!(!size.allows(0) && size.allows(1) && size.allows(1000) && !size.allows(1001));
    let list = schema::message("yandex.cloud.compute.v1.ListImagesRequest").unwrap();
    let page = list
        .field("page_size")
        .unwrap()
        .rules
        .value
        .as_ref()
        .unwrap();
    assert_eq!(page.describe(), "at most 1000");
    assert_eq!(page.max(), Some(1000));
}

#[test]
fn unknown_message_is_an_error() {
    use kiln_core::validate::{Outcome, validate_str};
    assert!(matches!(
        validate_str("yandex.cloud.Nope", "{}"),
        Outcome::Error { .. }
    ));
    assert!(matches!(
        validate_str(kiln_core::validate::CREATE_IMAGE_REQUEST, "{"),
        Outcome::Error { .. }
    ));
}

#[test]
fn describe_rules_flattens_nested_fields_with_their_limits() {
    use kiln_core::describe::describe_rules;
    let rules = describe_rules("yandex.cloud.compute.v1.CreateImageRequest").unwrap();
    let field = |path: &str| rules.fields.iter().find(|f| f.path == path).unwrap();
    let labels = field("labels");
    assert_eq!((labels.shape, labels.kind), ("map", "string"));
    assert_eq!(labels.size.as_ref().unwrap().max, Some(64));
    assert_eq!(labels.length.as_ref().unwrap().max, Some(63));
    assert_eq!(labels.map_key_length.as_ref().unwrap().min, Some(1));
    assert_eq!(labels.map_key_pattern, Some("[a-z][-_./\\@0-9a-z]*"));
    assert!(
        labels.hints.contains(&"at most 64 entries".to_owned()),
        "{:?}",
        labels.hints
    );
    let folder = field("folder_id");
    assert!(folder.required);
    assert_eq!(folder.hints, ["required", "at most 50 characters"]);
    let size = field("min_disk_size");
    assert_eq!(size.json_path, "minDiskSize");
    assert_eq!(
        (
            size.value.as_ref().unwrap().min,
            size.value.as_ref().unwrap().max
        ),
        (Some(4194304), Some(4398046511104))
    );
    let pci = field("hardware_generation.legacy_features.pci_topology");
    assert_eq!(
        pci.json_path,
        "hardwareGeneration.legacyFeatures.pciTopology"
    );
    assert_eq!(
        pci.enum_values.as_deref(),
        Some(
            &[
                "PCI_TOPOLOGY_UNSPECIFIED",
                "PCI_TOPOLOGY_V1",
                "PCI_TOPOLOGY_V2"
            ][..]
        )
    );
    assert_eq!(field("uri").oneof, Some("source"));
    let oneofs: Vec<(&str, bool)> = rules
        .oneofs
        .iter()
        .map(|o| (o.path.as_str(), o.exactly_one))
        .collect();
    assert_eq!(
        oneofs,
        [("source", true), ("hardware_generation.features", false)]
    );
    let set = describe_rules("yandex.cloud.access.SetAccessBindingsRequest").unwrap();
    assert!(
        set.fields
            .iter()
            .any(|f| f.path == "access_bindings[].subject.id" && f.required)
    );
    assert!(describe_rules("yandex.cloud.Nope").is_none());
}

#[test]
fn described_rules_as_json_text_equal_their_serde_form_for_every_message() {
    use kiln_core::describe::describe_rules;
    let names: Vec<&str> = kiln_core::schema::messages()
        .iter()
        .map(|m| m.full_name)
        .collect();
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        let rules = describe_rules(name).unwrap();
        let text = rules.to_json();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, serde_json::to_value(&rules).unwrap(), "{name}");
    }
}

#[test]
fn numbers_in_messages_are_written_as_format_writes_them() {
    let edges = [
        0,
        7,
        -7,
        10,
        4_398_046_511_104,
        i128::from(i64::MIN),
        i128::from(u64::MAX),
        i128::from(u64::MAX) + 1,
        -i128::from(u64::MAX) - 1,
        i128::MAX,
        i128::MIN,
    ];
    for n in edges.into_iter().chain((0..40).map(|k| 3i128.pow(k) - 1)) {
        let mut out = String::from("x");
        kiln_core::schema::push_int(&mut out, n);
        assert_eq!(out, format!("x{n}"));
    }
}

/// The `(value)` annotation of `field` in `message` of the compute file `file`, as written:
/// read from the `.proto` text, not from the tables.
fn annotation(file: &str, message: &str, field: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../proto/yandex/cloud/compute/v1")
        .join(file);
    let text = fs::read_to_string(&path).unwrap();
    let body = text
        .split(&format!("message {message} {{"))
        .nth(1)
        .unwrap_or_else(|| panic!("no message {message} in {file}"));
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| l.contains(&format!(" {field} = ")))
        .unwrap_or_else(|| panic!("no {field} in {message}"));
    let spec = line
        .split("(value) = \"")
        .nth(1)
        .expect("a (value) annotation");
    spec[..spec.find('"').unwrap()].to_owned()
}

/// The bounds other crates use as numbers are the annotations' (and what the service restated
/// by hand before: 4 MiB, 4 TiB, 1000).
#[test]
fn bounds_are_the_annotations() {
    use kiln_core::bounds::{LARGEST_PAGE_SIZE, MIN_DISK_SIZE, value_limit};

    let spec = annotation("image_service.proto", "CreateImageRequest", "min_disk_size");
    assert_eq!(spec, "4194304-4398046511104");
    let (lo, hi) = spec.split_once('-').unwrap();
    assert_eq!(MIN_DISK_SIZE, lo.parse().unwrap()..=hi.parse().unwrap());
    assert_eq!(MIN_DISK_SIZE, (4 << 20)..=(4 << 40));
    assert_eq!(
        annotation("image_service.proto", "UpdateImageRequest", "min_disk_size"),
        spec
    );

    for (file, message) in [
        ("image_service.proto", "ListImagesRequest"),
        ("image_service.proto", "ListImageOperationsRequest"),
        ("disk_service.proto", "ListDisksRequest"),
        ("snapshot_service.proto", "ListSnapshotsRequest"),
    ] {
        let spec = annotation(file, message, "page_size");
        assert_eq!(spec, format!("<={LARGEST_PAGE_SIZE}"), "{message}");
        let limit = value_limit(&format!("yandex.cloud.compute.v1.{message}"), "page_size");
        assert_eq!(limit.map(|l| l.spec), Some(spec.as_str()), "{message}");
    }
    assert_eq!(LARGEST_PAGE_SIZE, 1000);

    let create = "yandex.cloud.compute.v1.CreateImageRequest";
    assert_eq!(value_limit(create, "name").map(|l| l.spec), None);
    assert_eq!(value_limit(create, "no_such_field").map(|l| l.spec), None);
    assert_eq!(
        value_limit("no.Such", "min_disk_size").map(|l| l.spec),
        None
    );
    assert_eq!(
        value_limit(create, "min_disk_size").map(|l| l.spec),
        Some("4194304-4398046511104")
    );
}
