//! The console's logic, natively: the form's request, its checks, previews, hints and the
//! operations panel.

use kiln_console::form::{Form, Generation, OsType, SourceKind, field_of};
use kiln_console::operations::{
    Panel, State, Tracked, format_elapsed, poll_interval_ms, progress_of,
};
use kiln_console::{GB, hints, preview, retry};
use kiln_core::proto::google::rpc::Status;
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::proto::yandex::cloud::operation::{Operation, operation};
use prost::Message;

fn full_form() -> Form {
    Form {
        folder_id: "dev-folder".into(),
        name: "web-2026".into(),
        description: "Web server \"golden\" image".into(),
        labels: vec![("env".into(), "prod".into()), ("".into(), "".into())],
        family: "web".into(),
        min_disk_size_gb: "20".into(),
        product_ids: vec!["f2e0".into(), "".into()],
        source: SourceKind::Uri,
        source_value: "https://storage.yandexcloud.net/bucket/web.qcow2".into(),
        os_type: OsType::Linux,
        nvidia_driver: String::new(),
        pooled: true,
        generation: Generation::Gen12,
    }
}

#[test]
fn a_full_form_is_valid_and_its_json_is_the_request_it_sends() {
    let form = full_form();
    assert_eq!(form.check(), []);
    let json = form.to_json();
    assert_eq!(
        json,
        r#"{
  "folderId": "dev-folder",
  "name": "web-2026",
  "description": "Web server \"golden\" image",
  "labels": {
    "env": "prod"
  },
  "family": "web",
  "minDiskSize": "21474836480",
  "productIds": ["f2e0"],
  "uri": "https://storage.yandexcloud.net/bucket/web.qcow2",
  "os": {
    "type": "LINUX"
  },
  "pooled": true,
  "hardwareGeneration": { "legacyFeatures": { "pciTopology": "PCI_TOPOLOGY_V2" } }
}"#
    );
    // The JSON, read by the proto3 JSON mapping, is the protobuf request, byte for byte.
    let from_json: compute::CreateImageRequest = kiln_core::reflect::from_json(&json).unwrap();
    assert_eq!(from_json.encode_to_vec(), form.to_request().encode_to_vec());
}

#[test]
fn every_generation_and_source_kind_round_trips_between_json_and_protobuf() {
    for generation in Generation::ALL {
        for source in SourceKind::ALL {
            for os_type in OsType::ALL {
                let form = Form {
                    generation,
                    source,
                    os_type,
                    nvidia_driver: if os_type == OsType::Windows {
                        "gpu-535".into()
                    } else {
                        String::new()
                    },
                    source_value: "fd8abc".into(),
                    ..Form::new("dev-folder")
                };
                assert_eq!(form.check(), [], "{form:?}");
                let from_json: compute::CreateImageRequest =
                    kiln_core::reflect::from_json(&form.to_json()).unwrap();
                assert_eq!(from_json, form.to_request(), "{form:?}");
            }
        }
    }
}

#[test]
fn an_empty_form_says_what_is_missing_on_the_right_fields() {
    let errors = Form::default().check();
    let found: Vec<_> = errors.iter().map(|e| (e.field, e.path.as_str())).collect();
    assert_eq!(found, [("folder_id", "folder_id"), ("source", "source")]);
    assert_eq!(errors[0].text(), "is required");
    assert!(
        errors[1]
            .text()
            .starts_with("exactly one of image_id, disk_id, snapshot_id, uri")
    );
}

#[test]
fn violations_land_on_their_fields_with_the_cores_messages() {
    let form = Form {
        name: "Web".into(),
        labels: vec![("Env".into(), "prod".into())],
        family: "w".into(),
        min_disk_size_gb: "5000".into(),
        product_ids: vec!["p".repeat(51)],
        source_value: "d".repeat(51),
        ..Form::new("dev-folder")
    };
    let errors = form.check();
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "name",
            "labels",
            "family",
            "min_disk_size",
            "product_ids",
            "source"
        ]
    );
    // The same messages as the core gives for the same JSON.
    let kiln_core::validate::Outcome::Invalid { violations } = kiln_core::validate::validate_str(
        kiln_core::validate::CREATE_IMAGE_REQUEST,
        &form.to_json(),
    ) else {
        panic!("invalid expected")
    };
    let core: Vec<_> = violations
        .iter()
        .map(|v| (v.field.clone(), v.message.clone()))
        .collect();
    let ours: Vec<_> = errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    assert_eq!(ours, core);
    assert_eq!(
        errors[1].text(),
        "labels[\"Env\"]: key must match the regular expression [a-z][-_./\\@0-9a-z]*"
    );
}

#[test]
fn what_cannot_become_a_request_is_said_and_kept() {
    let form = Form {
        labels: vec![("env".into(), "a".into()), ("env".into(), "b".into())],
        min_disk_size_gb: "20 GB".into(),
        source_value: "d1".into(),
        ..Form::new("dev-folder")
    };
    let errors = form.check();
    let found: Vec<_> = errors.iter().map(|e| (e.field, e.text())).collect();
    assert_eq!(
        found,
        [
            ("labels", "labels[\"env\"]: is given twice".to_owned()),
            (
                "min_disk_size",
                "must be a whole number of GB (it is \"20 GB\")".to_owned()
            ),
        ]
    );
    assert_eq!(form.min_disk_size_gb, "20 GB");
}

#[test]
fn violation_paths_map_to_form_fields() {
    assert_eq!(field_of("labels[\"a.b\"]"), Some("labels"));
    assert_eq!(field_of("snapshot_id"), Some("source"));
    assert_eq!(
        field_of("hardware_generation.legacy_features.pci_topology"),
        Some("hardware_generation")
    );
    assert_eq!(field_of("os.type"), Some("os"));
    assert_eq!(field_of("zone_id"), None);
}

#[test]
fn hints_come_from_the_rules() {
    let description = hints::hint("description");
    assert_eq!(description.max_length, Some(256));
    assert!(description.text.contains("256"), "{description:?}");
    let name = hints::hint("name");
    assert_eq!(name.max_length, None);
    assert!(
        name.text.contains("[a-z]([-_a-z0-9]{0,61}[a-z0-9])?"),
        "{name:?}"
    );
    assert_eq!(hints::hint("folder_id").max_length, Some(50));
    assert_eq!(hints::hint("image_id").max_length, Some(50));
    assert!(hints::hint("labels").text.contains("keys"));
    assert_eq!(hints::min_disk_size_gb(), Some((1, 4096)));
    assert_eq!(4096 * GB, 4_398_046_511_104);
}

#[test]
fn the_yc_command_carries_every_field() {
    let text = preview::yc_command(&full_form());
    assert_eq!(
        text,
        "yc compute image create \\
  --folder-id dev-folder \\
  --name web-2026 \\
  --description 'Web server \"golden\" image' \\
  --labels env=prod \\
  --family web \\
  --min-disk-size 20 \\
  --product-ids f2e0 \\
  --source-uri https://storage.yandexcloud.net/bucket/web.qcow2 \\
  --os-type linux \\
  --hardware-generation-id legacy \\
  --hardware-features pci_topology=v2 \\
  --pooled"
    );
    let quoted = preview::yc_command(&Form {
        description: "it's".into(),
        ..Form::default()
    });
    assert!(quoted.contains(r"--description 'it'\''s'"), "{quoted}");
}

#[test]
fn the_terraform_resource_carries_every_field() {
    let text = preview::terraform(&full_form());
    assert_eq!(
        text,
        r#"resource "yandex_compute_image" "web_2026" {
  folder_id     = "dev-folder"
  name          = "web-2026"
  description   = "Web server \"golden\" image"
  family        = "web"
  source_url    = "https://storage.yandexcloud.net/bucket/web.qcow2"
  os_type       = "LINUX"
  min_disk_size = 20
  pooled        = true
  product_ids   = ["f2e0"]

  labels = {
    "env" = "prod"
  }

  hardware_generation {
    legacy_features {
      pci_topology = "PCI_TOPOLOGY_V2"
    }
  }
}"#
    );
    let gen2 = preview::terraform(&Form {
        generation: Generation::Gen2,
        description: "${x}".into(),
        ..Form::default()
    });
    assert!(gen2.contains("generation2_features {}"), "{gen2}");
    assert!(gen2.contains(r#""$${x}""#), "{gen2}");
}

fn create_operation(done: Option<operation::Result>, description: &str) -> Operation {
    let metadata = compute::CreateImageMetadata {
        image_id: "fd8img".into(),
    };
    Operation {
        id: "epd123".into(),
        description: description.into(),
        created_at: Some(prost_types::Timestamp {
            seconds: 100,
            nanos: 0,
        }),
        modified_at: Some(prost_types::Timestamp {
            seconds: 130,
            nanos: 0,
        }),
        done: done.is_some(),
        metadata: Some(prost_types::Any {
            type_url: "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata".into(),
            value: metadata.encode_to_vec(),
        }),
        result: done,
        ..Default::default()
    }
}

#[test]
fn tracked_operations_follow_their_polls() {
    let mut t = Tracked::new(
        &create_operation(None, "Create image: 42% (8.4 of 20.0 GiB)"),
        "web",
    );
    assert_eq!(
        (t.image_id.as_str(), t.progress, t.running()),
        ("fd8img", Some(42), true)
    );
    assert_eq!(t.elapsed(165), 65);
    t.update(&create_operation(None, "Create image"));
    assert_eq!(
        t.progress,
        Some(42),
        "progress is kept when a poll has none"
    );
    let cancelled = operation::Result::Error(Status {
        code: 1,
        message: "cancelled".into(),
        details: vec![],
    });
    t.update(&create_operation(Some(cancelled), "Create image"));
    assert_eq!(
        (t.state.clone(), t.status(), t.elapsed(999)),
        (State::Cancelled, "Cancelled", 30)
    );
    let failed = operation::Result::Error(Status {
        code: 3,
        message: "Minimal disk size".into(),
        details: vec![],
    });
    t.update(&create_operation(Some(failed), ""));
    assert_eq!(
        t.state,
        State::Failed {
            code: 3,
            message: "Minimal disk size".into()
        }
    );
    let done = operation::Result::Response(prost_types::Any::default());
    t.update(&create_operation(Some(done), ""));
    assert_eq!((t.state.clone(), t.progress), (State::Succeeded, Some(100)));
}

#[test]
fn the_panel_survives_a_reload() {
    let mut panel = Panel::default();
    panel.upsert(Tracked::new(
        &create_operation(None, "Create image: 5% (1.0 of 20.0 GiB)"),
        "a",
    ));
    let mut second = create_operation(None, "");
    second.id = "epd456".into();
    panel.upsert(Tracked::new(&second, "b"));
    panel.upsert(Tracked::new(&second, "b")); // an idempotent retry: same operation, one entry
    assert_eq!(panel.operations.len(), 2);
    assert_eq!(panel.operations[0].id, "epd456");
    let restored = Panel::restore(Some(&panel.save()));
    assert_eq!(restored, panel);
    assert_eq!(restored.running(), ["epd456", "epd123"]);
    assert_eq!(Panel::restore(Some("{not json")), Panel::default());
    assert_eq!(Panel::restore(None), Panel::default());
}

#[test]
fn small_formats() {
    assert_eq!(
        progress_of("Create image: 100% (1.0 of 1.0 GiB)"),
        Some(100)
    );
    assert_eq!(progress_of("Create image"), None);
    assert_eq!(progress_of("Create image: 250%"), None);
    assert_eq!(format_elapsed(5), "5s");
    assert_eq!(format_elapsed(65), "1m 05s");
    assert_eq!(format_elapsed(3725), "1h 02m");
    assert_eq!(poll_interval_ms(Some("2")), 2000);
    assert_eq!(poll_interval_ms(Some("x")), 1000);
    assert_eq!(poll_interval_ms(None), 1000);
}

#[test]
fn only_unavailable_is_retried_with_growing_delays() {
    let delays: Vec<_> = (1..=5)
        .map(|a| retry::delay_ms(retry::UNAVAILABLE, a))
        .collect();
    assert_eq!(delays, [Some(250), Some(500), Some(1000), Some(2000), None]);
    assert_eq!(retry::delay_ms(3, 1), None);
}

#[test]
fn server_errors_land_on_fields() {
    use kiln_console::form::server_errors;
    let details = [
        (
            "min_disk_size".to_owned(),
            "Minimal disk size should be greater or equal than 21474836480".to_owned(),
        ),
        ("labels[\"a\"]".to_owned(), "bad".to_owned()),
    ];
    let errors = server_errors(3, "Request validation error", &details);
    let found: Vec<_> = errors.iter().map(|e| (e.field, e.text())).collect();
    assert_eq!(
        found,
        [
            (
                "min_disk_size",
                "Minimal disk size should be greater or equal than 21474836480".to_owned()
            ),
            ("labels", "labels[\"a\"]: bad".to_owned()),
        ]
    );
    let taken = server_errors(6, "image with name web already exists in folder f", &[]);
    assert_eq!(
        (taken[0].field, taken[0].text().as_str()),
        ("name", "image with name web already exists in folder f")
    );
    assert_eq!(server_errors(5, "disk d not found", &[])[0].field, "source");
    assert_eq!(server_errors(14, "unavailable", &[]), []);
}

#[test]
fn sizes_in_gb_round_to_a_tenth() {
    use kiln_console::gb_text;
    assert_eq!(gb_text(20 * GB), "20.0 GB");
    assert_eq!(gb_text(GB + GB / 2), "1.5 GB");
    assert_eq!(gb_text(GB / 20), "0.0 GB"); // just under 0.05 GB
    assert_eq!(gb_text(GB / 20 + 1), "0.1 GB");
    assert_eq!(gb_text(0), "0.0 GB");
}

mod grpc_web {
    use kiln_console::grpc_web::{
        base64_decode, decode_response, encode_request, parse_trailers, percent_decode,
    };
    use kiln_core::proto::google::rpc::{self, BadRequest, bad_request::FieldViolation};
    use kiln_core::proto::yandex::cloud::compute::v1 as compute;
    use prost::Message;

    fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![flags];
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    fn no_headers(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_request_is_one_message_frame() {
        let request = compute::GetImageRequest {
            image_id: "fd8".into(),
        };
        let body = encode_request(&request);
        assert_eq!(body[..5], [0, 0, 0, 0, 5]);
        assert_eq!(
            compute::GetImageRequest::decode(&body[5..]).unwrap(),
            request
        );
    }

    #[test]
    fn an_ok_response_gives_its_message() {
        let image = compute::Image {
            id: "fd8".into(),
            name: "web".into(),
            ..Default::default()
        };
        let mut body = frame(0, &image.encode_to_vec());
        body.extend(frame(0x80, b"grpc-status:0\r\ngrpc-message:\r\n"));
        let got: compute::Image = decode_response(200, no_headers, &body).unwrap();
        assert_eq!(got, image);
    }

    #[test]
    fn an_error_carries_its_code_message_and_field_violations() {
        let bad = BadRequest {
            field_violations: vec![FieldViolation {
                field: "name".into(),
                description: "must match".into(),
                ..Default::default()
            }],
        };
        let status = rpc::Status {
            code: 3,
            message: "x".into(),
            details: vec![prost_types::Any {
                type_url: "type.googleapis.com/google.rpc.BadRequest".into(),
                value: bad.encode_to_vec(),
            }],
        };
        let details = base64_encode(&status.encode_to_vec());
        let trailers = format!(
            "grpc-status: 3\r\ngrpc-message: Request%20validation%20error%3A%20name\r\ngrpc-status-details-bin: {details}\r\n"
        );
        let err =
            decode_response::<compute::Image>(200, no_headers, &frame(0x80, trailers.as_bytes()))
                .unwrap_err();
        assert_eq!(err.code, 3);
        assert_eq!(err.message, "Request validation error: name");
        assert_eq!(
            err.violations,
            [("name".to_owned(), "must match".to_owned())]
        );
        assert_eq!(
            err.to_string(),
            "InvalidArgument (3): Request validation error: name"
        );
    }

    #[test]
    fn a_trailers_only_response_has_its_status_in_the_headers() {
        let headers = |name: &str| match name {
            "grpc-status" => Some("16".to_owned()),
            "grpc-message" => Some("unknown%20token".to_owned()),
            _ => None,
        };
        let err = decode_response::<compute::Image>(200, headers, &[]).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (16, "unknown token"));
    }

    #[test]
    fn http_errors_without_a_grpc_status_map_as_the_spec_says() {
        let code = |http| {
            decode_response::<compute::Image>(http, no_headers, &[])
                .unwrap_err()
                .code
        };
        assert_eq!(
            [code(503), code(502), code(404), code(401), code(500)],
            [14, 14, 12, 16, 2]
        );
    }

    #[test]
    fn broken_bodies_are_errors_not_panics() {
        let short = decode_response::<compute::Image>(200, no_headers, &[0, 0, 0]).unwrap_err();
        assert_eq!(short.code, 13);
        let cut =
            decode_response::<compute::Image>(200, no_headers, &[0, 0, 0, 0, 9, 1]).unwrap_err();
        assert_eq!(cut.message, "truncated gRPC-Web frame");
        let no_message =
            decode_response::<compute::Image>(200, no_headers, &frame(0x80, b"grpc-status: 0"))
                .unwrap_err();
        assert_eq!(no_message.message, "the response has no message");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            parse_trailers(b"Grpc-Status: 0\r\nx: a:b\r\n"),
            [
                ("grpc-status".to_owned(), "0".to_owned()),
                ("x".to_owned(), "a:b".to_owned())
            ]
        );
        assert_eq!(percent_decode("caf%C3%A9 100%"), "café 100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0, 255, 128, 7, 9]] {
            let encoded = base64_encode(input);
            assert_eq!(base64_decode(&encoded).unwrap(), input, "{encoded}");
            assert_eq!(base64_decode(encoded.trim_end_matches('=')).unwrap(), input);
        }
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("a*bc"), None);
    }

    /// A reference encoder, written the plain way, to check the decoder against.
    fn base64_encode(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
