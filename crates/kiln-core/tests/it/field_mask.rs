//! Field masks: which paths name a field ([`field_mask_paths`]), and messages whose mask has
//! no proto3 JSON form (an error from `to_json`/`validate_message`, never a panic).

use kiln_core::{
    proto::yandex::cloud::compute::v1::UpdateImageRequest,
    reflect::{
        DESCRIPTOR_POOL, FieldMaskError, field_mask_paths, to_json, to_json_value, validate_message,
    },
    validate::Outcome,
};
use prost_reflect::{MessageDescriptor, ReflectMessage};

const UPDATE: &str = "yandex.cloud.compute.v1.UpdateImageRequest";

fn descriptor(name: &str) -> MessageDescriptor {
    DESCRIPTOR_POOL.get_message_by_name(name).unwrap()
}

fn strings(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| (*p).to_owned()).collect()
}

/// `paths` over UpdateImageRequest give `want`: the canonical paths, or the index of the bad
/// path and a word its reason contains.
fn check(paths: &[&str], want: Result<&[&str], (usize, &str)>) {
    let got = field_mask_paths(&descriptor(UPDATE), &strings(paths));
    match (want, got) {
        (Ok(want), Ok(got)) => assert_eq!(got, want, "{paths:?}"),
        (Err((index, word)), Err(error)) => {
            assert_eq!(error.index, index, "{paths:?}: {error}");
            assert_eq!(error.path, paths[index], "{paths:?}");
            assert!(error.reason.contains(word), "{paths:?}: {error}");
            assert_eq!(
                error.field("update_mask"),
                format!("update_mask.paths[{index}]")
            );
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("{:?} ", paths[index]))
            );
        }
        (want, got) => panic!("{paths:?}: want {want:?}, got {got:?}"),
    }
}

#[test]
fn paths_name_top_level_fields_by_proto_or_json_name() {
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &[]),
        (&["min_disk_size"], &["min_disk_size"]),
        (&["minDiskSize"], &["min_disk_size"]),
        (
            &["name", "description", "labels"],
            &["name", "description", "labels"],
        ),
        (&["labels", "name"], &["labels", "name"]),
        (
            &["minDiskSize", "min_disk_size", "name"],
            &["min_disk_size", "name"],
        ),
        // Every field of the message is a field; which ones may change is the caller's rule.
        (&["imageId", "update_mask"], &["image_id", "update_mask"]),
    ];
    for (paths, want) in cases {
        check(paths, Ok(want));
    }
}

#[test]
fn anything_else_is_refused_with_its_index() {
    let cases: &[(&[&str], usize, &str)] = &[
        (&[""], 0, "empty"),
        (
            &["MinDiskSize"],
            0,
            "case-sensitive: min_disk_size or minDiskSize",
        ),
        (&["MIN_DISK_SIZE"], 0, "case-sensitive"),
        (&["__x"], 0, "no field of UpdateImageRequest"),
        (&["min__disk_size"], 0, "no field"),
        (&["min-disk-size"], 0, "no field"),
        (&["min_disk_size "], 0, "no field"),
        (&["labels.env"], 0, "nested"),
        (&["name", "description", "sizes"], 2, "no field"),
        (&["name", ""], 1, "empty"),
        (&["name", "Name"], 1, "case-sensitive"),
    ];
    for (paths, index, word) in cases {
        check(paths, Err((*index, word)));
    }
}

/// Every field of every message in the pool, by either name, comes back as its proto name,
/// and a mask of proto names always has a JSON form.
#[test]
fn canonical_paths_of_every_message_have_a_json_form() {
    let mut fields = 0;
    for message in DESCRIPTOR_POOL.all_messages() {
        for field in message.fields() {
            for name in [field.name(), field.json_name()] {
                let got = field_mask_paths(&message, &[name.to_owned()]);
                assert_eq!(
                    got,
                    Ok(vec![field.name().to_owned()]),
                    "{}",
                    message.full_name()
                );
            }
            let mask = prost_types::FieldMask {
                paths: vec![field.name().to_owned()],
            };
            assert!(
                to_json(&mask).is_ok(),
                "{}.{}",
                message.full_name(),
                field.name()
            );
            fields += 1;
        }
    }
    assert!(fields > 100, "{fields} fields");
}

fn update_with(paths: &[&str]) -> UpdateImageRequest {
    UpdateImageRequest {
        image_id: "fd8image".into(),
        update_mask: Some(prost_types::FieldMask {
            paths: strings(paths),
        }),
        min_disk_size: 20 << 30,
        ..Default::default()
    }
}

#[test]
fn a_mask_without_a_json_form_is_an_error_not_a_panic() {
    for (paths, field) in [
        (&["minDiskSize"][..], "update_mask.paths[0]"),
        (&["MinDiskSize"], "update_mask.paths[0]"),
        (&["name", "__x"], "update_mask.paths[1]"),
        (&["a__b"], "update_mask.paths[0]"),
        (&["name", "labels.Env"], "update_mask.paths[1]"),
    ] {
        let request = update_with(paths);
        assert!(to_json(&request).is_err(), "{paths:?}");
        assert!(to_json_value(&request).is_err(), "{paths:?}");
        let Outcome::Error { error } = validate_message(&request) else {
            panic!("{paths:?}: an error expected")
        };
        assert!(
            error.starts_with(field) && error.contains("snake_case"),
            "{paths:?}: {error}"
        );
    }
}

/// The server's order: canonical paths first, then validation, which then sees the request.
#[test]
fn canonical_paths_make_the_request_validate() {
    let mut request = update_with(&["minDiskSize"]);
    assert!(matches!(validate_message(&request), Outcome::Error { .. }));
    let paths = field_mask_paths(
        &request.descriptor(),
        &request.update_mask.as_ref().unwrap().paths,
    )
    .unwrap();
    request.update_mask = Some(prost_types::FieldMask { paths });
    assert_eq!(validate_message(&request), Outcome::Valid);
    assert_eq!(
        to_json(&request).unwrap(),
        r#"{"imageId":"fd8image","updateMask":"minDiskSize","minDiskSize":"21474836480"}"#
    );
}

#[test]
fn field_mask_error_reads_as_a_sentence() {
    let error = FieldMaskError {
        index: 3,
        path: "x".into(),
        reason: "names no field of UpdateImageRequest".into(),
    };
    assert_eq!(
        error.to_string(),
        r#""x" names no field of UpdateImageRequest"#
    );
    assert_eq!(error.field("update_mask"), "update_mask.paths[3]");
}
