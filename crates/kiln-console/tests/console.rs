//! The console's logic, natively: the form's request, its checks, previews, hints and the
//! operations panel.

#[path = "console/flows.rs"]
mod flows;

use kiln_console::form::{Form, Generation, OsType, SourceKind, field_of};
use kiln_console::panel::{Panel, State, Tracked, poll_interval_ms, progress_of};
use kiln_console::text::Lang;
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
    assert_eq!(form.check(Lang::En), []);
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
                assert_eq!(form.check(Lang::En), [], "{form:?}");
                let from_json: compute::CreateImageRequest =
                    kiln_core::reflect::from_json(&form.to_json()).unwrap();
                assert_eq!(from_json, form.to_request(), "{form:?}");
            }
        }
    }
}

#[test]
fn an_empty_form_says_what_is_missing_on_the_right_fields() {
    let errors = Form::default().check(Lang::En);
    let found: Vec<_> = errors.iter().map(|e| (e.field, e.path.as_str())).collect();
    assert_eq!(found, [("folder_id", "folder_id"), ("source", "source")]);
    assert_eq!(errors[0].text(), "is required");
    assert_eq!(
        errors[1].text(),
        "choose a source: an image, a disk, a snapshot or a URI"
    );
    // In Russian, from the core's Russian words.
    let ru: Vec<_> = Form::default()
        .check(Lang::Ru)
        .iter()
        .map(|e| e.text())
        .collect();
    assert_eq!(
        ru,
        [
            "обязательное поле",
            "выберите источник: образ, диск, снимок или URI"
        ]
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
    let errors = form.check(Lang::En);
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
    // The same messages as the core gives for the same JSON, but the size: the form takes GB,
    // so its range is said in GB.
    let kiln_core::validate::Outcome::Invalid { violations } = kiln_core::validate::validate_str(
        kiln_core::validate::CREATE_IMAGE_REQUEST,
        &form.to_json(),
    ) else {
        panic!("invalid expected")
    };
    let core: Vec<_> = violations
        .iter()
        .map(|v| match v.field.as_str() {
            "min_disk_size" => (
                v.field.clone(),
                "must be between 1 and 4096\u{a0}GB (it is 5000\u{a0}GB)".to_owned(),
            ),
            _ => (v.field.clone(), v.message.clone()),
        })
        .collect();
    let ours: Vec<_> = errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    assert_eq!(ours, core);
    assert_eq!(
        form.check(Lang::Ru)[3].message,
        "должно быть от 1 до 4096\u{a0}ГБ (сейчас 5000\u{a0}ГБ)"
    );
    assert_eq!(
        errors[1].text(),
        "labels[\"Env\"]: key may only contain lowercase Latin letters, digits, hyphens, underscores, dots, slashes and @ signs (it has “E”)"
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
    let errors = form.check(Lang::En);
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
    let description = hints::hint("description", Lang::En);
    assert_eq!(description.max_length, Some(256));
    assert!(description.text.contains("256"), "{description:?}");
    let name = hints::hint("name", Lang::En);
    assert_eq!(name.max_length, None);
    // The pattern in words, not the regular expression.
    assert_eq!(
        name.text,
        "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; starts with a letter; ends with a letter or a digit"
    );
    let ru = hints::hint("name", Lang::Ru).text;
    assert!(ru.starts_with("пусто или от 1 до 63 символов"), "{ru}");
    assert_eq!(hints::hint("folder_id", Lang::En).max_length, Some(50));
    assert_eq!(hints::hint("image_id", Lang::En).max_length, Some(50));
    assert!(hints::hint("labels", Lang::En).text.contains("keys"));
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
        (
            t.state.clone(),
            Lang::En.operation_status(&t.state),
            t.elapsed(999)
        ),
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
    // The status says it failed; the result says why, in words (the raw error is kept for
    // a `<details>`).
    assert_eq!(
        Lang::En.operation_failure(
            3,
            "Minimal disk size should be greater or equal than 10737418240"
        ),
        "The minimum disk size must be at least 10\u{a0}GB: the source needs that much."
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
    // The page keeps it as JSON (through serde-wasm-bindgen; web/tests checks that path).
    let restored: Panel = serde_json::from_str(&serde_json::to_string(&panel).unwrap()).unwrap();
    assert_eq!(restored, panel);
    assert_eq!(restored.running(), ["epd456", "epd123"]);
}

#[test]
fn small_formats() {
    assert_eq!(
        progress_of("Create image: 100% (1.0 of 1.0 GiB)"),
        Some(100)
    );
    assert_eq!(progress_of("Create image"), None);
    assert_eq!(progress_of("Create image: 250%"), None);
    assert_eq!(Lang::En.elapsed(5), "5\u{a0}s");
    assert_eq!(Lang::En.elapsed(65), "1\u{a0}min 05\u{a0}s");
    assert_eq!(Lang::En.elapsed(3725), "1\u{a0}h 02\u{a0}min");
    assert_eq!(Lang::Ru.elapsed(3725), "1\u{a0}ч 02\u{a0}мин");
    assert_eq!(poll_interval_ms(Some("2")), 2000);
    assert_eq!(poll_interval_ms(Some("x")), 1000);
    assert_eq!(poll_interval_ms(None), 1000);
}

#[test]
fn only_unavailable_is_retried_with_growing_delays() {
    let delays: Vec<_> = (1..=5)
        .map(|a| retry::delay_ms(tonic::Code::Unavailable, a))
        .collect();
    assert_eq!(delays, [Some(250), Some(500), Some(1000), Some(2000), None]);
    assert_eq!(retry::delay_ms(tonic::Code::InvalidArgument, 1), None);
}

#[test]
fn server_errors_land_on_fields() {
    use kiln_console::call::CallError;
    use kiln_console::form::server_errors;
    use tonic::Code;
    let details = [
        (
            "min_disk_size".to_owned(),
            "Minimal disk size should be greater or equal than 21474836480".to_owned(),
        ),
        ("labels[\"a\"]".to_owned(), "bad".to_owned()),
    ];
    let rejected = CallError {
        violations: details.to_vec(),
        ..CallError::new(Code::InvalidArgument, "Request validation error")
    };
    let found: Vec<_> = server_errors(&rejected, Lang::En)
        .iter()
        .map(|e| (e.field, e.text()))
        .collect();
    // The service's size in bytes is said in the GB the field takes.
    assert_eq!(
        found,
        [
            (
                "min_disk_size",
                "must be at least 20\u{a0}GB: the source needs that much".to_owned()
            ),
            ("labels", "labels[\"a\"]: bad".to_owned()),
        ]
    );
    assert_eq!(
        server_errors(&rejected, Lang::Ru)[0].text(),
        "должно быть не меньше 20\u{a0}ГБ: столько нужно источнику"
    );
    // Without details (an operation's error), the message alone still lands on the field.
    let failed = CallError::new(
        Code::InvalidArgument,
        "Minimal disk size should be greater or equal than 10737418240",
    );
    let on_field = server_errors(&failed, Lang::En);
    assert_eq!(
        (on_field[0].field, on_field[0].text().as_str()),
        (
            "min_disk_size",
            "must be at least 10\u{a0}GB: the source needs that much"
        )
    );
    let taken = server_errors(
        &CallError::new(
            Code::AlreadyExists,
            "image with name web already exists in folder f",
        ),
        Lang::En,
    );
    assert_eq!(
        (taken[0].field, taken[0].text().as_str()),
        (
            "name",
            "An image named web already exists in folder f: choose another name."
        )
    );
    let missing = CallError::new(Code::NotFound, "disk d not found");
    assert_eq!(server_errors(&missing, Lang::En)[0].field, "source");
    assert_eq!(
        server_errors(&CallError::new(Code::Unavailable, "down"), Lang::En),
        []
    );
}

#[test]
fn digits_are_grouped_by_three() {
    use kiln_console::group_digits;
    assert_eq!(
        group_digits(21_474_836_480),
        "21\u{202f}474\u{202f}836\u{202f}480"
    );
    assert_eq!(group_digits(999), "999");
    assert_eq!(group_digits(1000), "1\u{202f}000");
    assert_eq!(group_digits(-1234), "-1\u{202f}234");
    assert_eq!(group_digits(0), "0");
}

#[test]
fn sizes_in_gb_round_to_a_tenth_and_an_unknown_size_says_so() {
    let en = Lang::En;
    assert_eq!(en.gb(20 * GB), "20\u{a0}GB");
    assert_eq!(en.gb(GB + GB / 2), "1.5\u{a0}GB");
    // Under 1 GB in MB, never "0 GB" for a size that is not 0.
    assert_eq!(en.gb(GB / 20), "51\u{a0}MB");
    assert_eq!(en.gb(GB - 1), "1024\u{a0}MB");
    assert_eq!(Lang::Ru.gb(GB + GB / 2), "1,5\u{a0}ГБ");
    // 0 is what an image still being created (or a URI import) reports: not "0.0 GB".
    assert_eq!(en.size(0), "not known yet");
    assert_eq!(Lang::Ru.size(0), "пока неизвестен");
    assert_eq!(en.size(GB / 20 + 1), "51\u{a0}MB");
    assert_eq!(
        en.bytes_and_gb(20 * GB),
        "21\u{202f}474\u{202f}836\u{202f}480\u{a0}bytes (20\u{a0}GB)"
    );
}

mod call_errors {
    use kiln_console::call::{CallError, code_name};
    use kiln_console::retry;
    use tonic::{Code, Status};
    use tonic_types::{ErrorDetails, StatusExt};

    /// A status as the service sends it, through the headers tonic writes and reads (what
    /// reaches the page through tonic-web-wasm-client: percent-encoded message, base64 details).
    fn over_the_wire(status: Status) -> Status {
        let mut headers = http::HeaderMap::new();
        status.add_header(&mut headers).unwrap();
        Status::from_header_map(&headers).expect("a status in the headers")
    }

    #[test]
    fn an_error_carries_its_code_message_and_field_violations() {
        let status = Status::with_error_details(
            Code::InvalidArgument,
            "Request validation error: name",
            ErrorDetails::with_bad_request_violation("name", "must match"),
        );
        let err = CallError::from_status(&over_the_wire(status));
        assert_eq!(err.code, Code::InvalidArgument);
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
    fn a_status_without_details_has_no_violations() {
        let err = CallError::from_status(&over_the_wire(Status::unauthenticated("unknown token")));
        assert_eq!(
            (err.code, err.message.as_str(), err.violations.len()),
            (Code::Unauthenticated, "unknown token", 0)
        );
        // Details that are not a BadRequest are not violations.
        let other = Status::with_error_details(
            Code::Internal,
            "x",
            ErrorDetails::with_debug_info(vec![], "stack"),
        );
        assert_eq!(CallError::from_status(&over_the_wire(other)).violations, []);
    }

    #[test]
    fn an_unreachable_service_is_unavailable_and_so_retried() {
        let err = CallError::unreachable("http://127.0.0.1:9", "TypeError: Failed to fetch");
        assert_eq!(err.code, Code::Unavailable);
        assert_eq!(
            err.to_string(),
            "Unavailable (14): cannot reach http://127.0.0.1:9: TypeError: Failed to fetch"
        );
        assert_eq!(retry::delay_ms(err.code, 1), Some(250));
        let page = CallError::not_grpc_web("http://127.0.0.1:9", "content type text/html");
        assert_eq!(page.code, Code::Unavailable);
        assert!(
            page.message
                .contains("did not answer as a gRPC-Web service"),
            "{page}"
        );
    }

    #[test]
    fn codes_are_named_as_tonic_names_them() {
        assert_eq!(code_name(Code::NotFound), "NotFound");
        assert_eq!(code_name(Code::from_i32(99)), "Unknown");
        // What the service's details say survives a round trip through tonic-types.
        let status = Status::with_error_details(
            Code::FailedPrecondition,
            "m",
            ErrorDetails::with_bad_request_violation("source", "not ready"),
        );
        assert_eq!(
            over_the_wire(status)
                .get_error_details()
                .bad_request()
                .map(|b| b.field_violations.len()),
            Some(1)
        );
    }
}

mod resources {
    use kiln_console::GB;
    use kiln_console::form::Generation;
    use kiln_console::resources::{Row, generation_of, image_details};
    use kiln_console::text::Lang;
    use kiln_core::proto::yandex::cloud::compute::v1 as compute;

    fn image(
        name: &str,
        family: &str,
        generation: Option<compute::HardwareGeneration>,
    ) -> compute::Image {
        compute::Image {
            id: format!("fd8{name}"),
            name: name.into(),
            family: family.into(),
            storage_size: 3 * GB / 2,
            min_disk_size: 20 * GB,
            status: compute::image::Status::Ready as i32,
            hardware_generation: generation,
            ..Default::default()
        }
    }

    #[test]
    fn each_resource_kind_becomes_a_picker_row() {
        let row = Row::image(image("ubuntu", "ubuntu-2404", None));
        assert_eq!(
            row.meta(Lang::En),
            "1.5\u{a0}GB · Ready · family ubuntu-2404 · fd8ubuntu"
        );
        assert_eq!(
            row.meta(Lang::Ru),
            "1,5\u{a0}ГБ · Готов · семейство ubuntu-2404 · fd8ubuntu"
        );
        assert_eq!(
            row.floor,
            20 * GB,
            "an image's floor is its minimum disk size"
        );
        let disk = Row::disk(compute::Disk {
            id: "epd1".into(),
            size: 20 * GB,
            status: compute::disk::Status::Creating as i32,
            ..Default::default()
        });
        assert_eq!(
            (disk.title(), disk.meta(Lang::En).as_str()),
            ("epd1", "20\u{a0}GB · Creating · epd1")
        );
        assert_eq!(disk.floor, 20 * GB);
        let snapshot = Row::snapshot(compute::Snapshot {
            id: "fd9s".into(),
            name: "nightly".into(),
            disk_size: GB,
            status: compute::snapshot::Status::Ready as i32,
            ..Default::default()
        });
        assert_eq!(
            (snapshot.title(), snapshot.size, snapshot.floor),
            ("nightly", GB, GB)
        );
    }

    #[test]
    fn the_generation_is_read_from_the_image() {
        use compute::hardware_generation::Features;
        let legacy = |topology: compute::PciTopology| compute::HardwareGeneration {
            features: Some(Features::LegacyFeatures(compute::LegacyHardwareFeatures {
                pci_topology: topology as i32,
            })),
        };
        assert_eq!(
            generation_of(Some(&legacy(compute::PciTopology::V1))),
            Some(Generation::Gen11)
        );
        assert_eq!(
            generation_of(Some(&legacy(compute::PciTopology::V2))),
            Some(Generation::Gen12)
        );
        let gen2 = compute::HardwareGeneration {
            features: Some(Features::Generation2Features(Default::default())),
        };
        assert_eq!(generation_of(Some(&gen2)), Some(Generation::Gen2));
        assert_eq!(generation_of(None), None);
        let mut windows = image("web", "", Some(legacy(compute::PciTopology::V2)));
        windows.os = Some(compute::Os {
            r#type: compute::os::Type::Windows as i32,
            nvidia: Some(compute::Nvidia {
                driver: "535".into(),
            }),
        });
        let details = image_details(&windows, Lang::En);
        let value = |label: &str| {
            details
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("Hardware generation").as_deref(), Some("Gen 1.2"));
        assert_eq!(
            value("Minimum disk size").as_deref(),
            Some("21\u{202f}474\u{202f}836\u{202f}480\u{a0}bytes (20\u{a0}GB)")
        );
        assert_eq!(value("OS type").as_deref(), Some("Windows"));
        assert_eq!(value("NVIDIA driver").as_deref(), Some("535"));
        assert_eq!(value("Optimized for deployment").as_deref(), Some("no"));
        let plain = image_details(&image("web", "", None), Lang::Ru);
        let ru = |label: &str| {
            plain
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(ru("Тип ОС"), Some("не задано"));
        assert_eq!(ru("Поколение оборудования"), Some("не задано"));
        assert_eq!(ru("Статус"), Some("Готов"));
        let mut creating = image("new", "", None);
        (creating.status, creating.storage_size) = (compute::image::Status::Creating as i32, 0);
        let creating = image_details(&creating, Lang::En);
        let value = |label: &str| {
            creating
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(value("Storage size"), Some("not known yet"));
        assert!(
            value("Status")
                .unwrap()
                .contains("can be deleted once it is ready")
        );
    }
}

#[test]
fn uris_off_object_storage_are_warned_about() {
    use kiln_console::form::uri_warning;
    for ok in [
        "",
        "https://storage.yandexcloud.net/bucket/web.qcow2?X-Amz-Signature=1",
        "HTTPS://Storage.YandexCloud.net:443/b/o",
    ] {
        assert_eq!(uri_warning(ok, Lang::En), None, "{ok}");
    }
    for bad in [
        "http://storage.yandexcloud.net/b/o",
        "https://storage.yandexcloud.net.evil.example/b/o",
        "https://evil.example/storage.yandexcloud.net/o",
        "https://storage.yandexcloud.net@evil.example/o",
        "ftp://x",
        "https:/",
    ] {
        assert!(uri_warning(bad, Lang::En).is_some(), "{bad}");
        assert_ne!(uri_warning(bad, Lang::Ru), uri_warning(bad, Lang::En));
    }
}

mod text {
    use kiln_console::call::CallError;
    use kiln_console::text::{Lang, ru_plural, table};
    use tonic::Code;

    /// Words that are the same in both languages on purpose (names and formats): none today.
    const SAME: &[&str] = &[];

    #[test]
    fn every_fixed_text_exists_in_both_languages_and_differs() {
        for (key, en, ru) in table() {
            assert!(
                !en.trim().is_empty() && !ru.trim().is_empty(),
                "{key} is empty"
            );
            if !SAME.contains(&key) {
                assert_ne!(en, ru, "{key} is not translated");
                assert!(
                    ru.chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                    "{key}: the Russian text has no Cyrillic letter: {ru}"
                );
            }
        }
    }

    #[test]
    fn the_language_comes_from_a_tag_or_the_browsers_list() {
        assert_eq!(Lang::from_tag("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::first_of(["de-DE", "ru", "en"]), Lang::Ru);
        assert_eq!(Lang::first_of(["fr", "en-US", "ru"]), Lang::En);
        assert_eq!(
            Lang::first_of(["fr"]),
            Lang::En,
            "English when none is known"
        );
        assert_eq!(Lang::first_of([]), Lang::En);
    }

    #[test]
    fn russian_counts_take_their_plural_form() {
        let form = |n| ru_plural(n, "ошибку", "ошибки", "ошибок");
        let forms: Vec<_> = [1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111]
            .map(form)
            .to_vec();
        assert_eq!(
            forms,
            [
                "ошибку",
                "ошибки",
                "ошибки",
                "ошибок",
                "ошибок",
                "ошибок",
                "ошибок",
                "ошибку",
                "ошибки",
                "ошибок",
                "ошибку",
                "ошибок"
            ]
        );
        assert_eq!(
            Lang::Ru.problems(3),
            "Создать образ пока нельзя: нужно исправить 3 ошибки"
        );
        assert_eq!(
            Lang::En.problems(1),
            "Create is unavailable: 1 problem to fix"
        );
    }

    #[test]
    fn a_failed_call_points_to_its_remedy() {
        let token = CallError::new(Code::Unauthenticated, "invalid token");
        assert_eq!(
            Lang::En.call_error_parts(&token),
            (
                "The service did not accept the token: check the token in Settings.".to_owned(),
                Some("Unauthenticated (16): invalid token".to_owned())
            )
        );
        assert!(
            Lang::Ru
                .call_error(&token)
                .starts_with("Сервис не принял токен: проверьте токен в настройках.")
        );
        // A fetch that failed names the address, not the browser's "TypeError: Failed to fetch".
        let down = CallError::unreachable("http://127.0.0.1:9", "TypeError: Failed to fetch");
        let text = Lang::En.call_error(&down);
        assert!(
            text.starts_with(
                "Cannot reach the service at http://127.0.0.1:9: check the endpoint in Settings"
            ),
            "{text}"
        );
        assert!(!text.contains("TypeError"), "{text}");
        let page = CallError::not_grpc_web("http://127.0.0.1:9", "content type text/html");
        assert!(
            Lang::Ru
                .call_error(&page)
                .contains("ответил не как сервис gRPC-Web")
        );
        for code in [
            Code::PermissionDenied,
            Code::NotFound,
            Code::AlreadyExists,
            Code::ResourceExhausted,
            Code::Internal,
        ] {
            let e = CallError::new(code, "m");
            assert_ne!(Lang::En.call_error(&e), Lang::Ru.call_error(&e), "{code:?}");
        }
    }

    #[test]
    fn operation_descriptions_and_cancel_outcomes_read_in_russian() {
        let ru = Lang::Ru;
        assert_eq!(ru.operation_description("Create image"), "Создание образа");
        assert_eq!(
            ru.operation_description("Create image: 42% (8.4 of 20.0 GiB)"),
            "Создание образа: 42% (8,4\u{a0}ГБ из 20\u{a0}ГБ)"
        );
        assert_eq!(
            ru.operation_description("Create image: downloading 4 KiB of 1 GiB"),
            "Создание образа: загрузка 4\u{a0}КБ из 1\u{a0}ГБ"
        );
        assert_eq!(ru.operation_description("Something else"), "Something else");
        assert_eq!(
            Lang::En.operation_description("Create image: 5%"),
            "Create image: 5%"
        );
        use kiln_console::panel::{State, Tracked};
        let outcomes: Vec<_> = [
            State::Running,
            State::Cancelled,
            State::Succeeded,
            State::Failed {
                code: 13,
                message: String::new(),
            },
        ]
        .iter()
        .map(|s| Lang::En.cancel_note(s, false))
        .collect();
        let distinct: std::collections::BTreeSet<_> = outcomes.iter().collect();
        assert_eq!(
            distinct.len(),
            4,
            "each outcome says something else: {outcomes:?}"
        );
        assert_eq!(
            outcomes[1], None,
            "an operation ended as CANCELLED: its row says so, the note does not say it again"
        );
        assert_eq!(
            Lang::En.cancel_of("disk-img-1", false),
            "Cancel creation of disk-img-1"
        );
        // A cancelled Delete keeps its image: it must not say the image was removed.
        let kept = Tracked {
            deletes: true,
            state: State::Cancelled,
            ..Tracked::new(&super::create_operation(None, ""), "web")
        };
        assert_eq!(
            Lang::En.operation_result(&kept),
            Some(("The image was kept.".to_owned(), None))
        );
        assert_eq!(
            Lang::Ru
                .cancel_note(&State::Succeeded, true)
                .unwrap_or_default(),
            "Отменить не удалось: образ уже удалён."
        );
    }
}

#[test]
fn a_token_that_cannot_be_a_header_is_said_so_and_not_blamed_on_the_service() {
    use kiln_console::call::CallError;
    use kiln_console::text::Lang;
    let e = CallError::bad_header("token");
    assert!(
        Lang::En
            .call_error(&e)
            .starts_with("The token cannot be sent")
    );
    assert!(
        Lang::Ru
            .call_error(&e)
            .starts_with("Токен нельзя отправить")
    );
    assert_eq!(
        kiln_console::retry::delay_ms(e.code, 1),
        None,
        "not retried"
    );
}

/// Issue 21 item 6: every word in the reader's language (the service's answers, sizes, the
/// cancelled result said once).
mod reader_language {
    use kiln_console::GB;
    use kiln_console::call::CallError;
    use kiln_console::panel::{State, Tracked};
    use kiln_console::service_text::{ImportFailure, ResourceKind, ServiceSaid};
    use kiln_console::text::Lang;
    use tonic::Code;

    const ALL_CODES: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    fn cyrillic(text: &str) -> bool {
        text.chars()
            .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c))
    }

    #[test]
    fn every_code_has_a_sentence_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ALL_CODES {
            // A message the console does not know: the code's sentence is what is said.
            let e = CallError::new(code, "something the console has never read");
            let (en, ru) = (Lang::En.call_error(&e), Lang::Ru.call_error(&e));
            assert!(!en.trim().is_empty() && !ru.trim().is_empty(), "{code:?}");
            assert_ne!(en, ru, "{code:?}");
            assert!(cyrillic(&ru), "{code:?}: {ru}");
            assert!(!ru.contains("never read"), "{code:?}: {ru}");
            assert!(
                seen.insert(en.clone()),
                "{code:?} says what another code says: {en}"
            );
            // The raw error stays, for support.
            let (_, raw) = Lang::Ru.call_error_parts(&e);
            assert_eq!(
                raw.as_deref(),
                Some(
                    format!(
                        "{code:?} ({}): something the console has never read",
                        code as i32
                    )
                    .as_str()
                )
            );
        }
    }

    /// `(the service's sentence, what it parses to, what the Russian words must carry over)`.
    fn known() -> Vec<(&'static str, ServiceSaid, Vec<&'static str>)> {
        use ImportFailure as F;
        let import = |failure| ServiceSaid::Import {
            source: "http://files.example:8080".into(),
            failure,
        };
        vec![
            (
                "Minimal disk size should be greater or equal than 21474836480",
                ServiceSaid::MinDiskSize { bytes: 20 * GB },
                vec!["20\u{a0}ГБ"],
            ),
            (
                "image fd8abc not found",
                ServiceSaid::NotFound {
                    kind: ResourceKind::Image,
                    id: "fd8abc".into(),
                },
                vec!["Образ fd8abc не найден"],
            ),
            (
                "disk d1 not found",
                ServiceSaid::NotFound {
                    kind: ResourceKind::Disk,
                    id: "d1".into(),
                },
                vec!["Диск d1"],
            ),
            (
                "snapshot s1 not found",
                ServiceSaid::NotFound {
                    kind: ResourceKind::Snapshot,
                    id: "s1".into(),
                },
                vec!["Снимок s1"],
            ),
            (
                "operation op1 not found",
                ServiceSaid::NotFound {
                    kind: ResourceKind::Operation,
                    id: "op1".into(),
                },
                vec!["Операция op1 не найдена"],
            ),
            (
                "no ready image of family ubuntu in folder b1g",
                ServiceSaid::NoReadyImageOfFamily {
                    family: "ubuntu".into(),
                    folder: "b1g".into(),
                },
                vec!["ubuntu", "b1g", "READY"],
            ),
            (
                "image with name web already exists in folder b1g",
                ServiceSaid::NameTaken {
                    name: "web".into(),
                    folder: "b1g".into(),
                },
                vec!["web", "b1g", "уже есть"],
            ),
            (
                "idempotency key k-1 was already used with a different request",
                ServiceSaid::KeyReused,
                vec!["Ключ идемпотентности"],
            ),
            (
                "quota exceeded: at most 15 operations may run at once in a folder",
                ServiceSaid::TooManyOperations { limit: 15 },
                vec!["15 операций"],
            ),
            (
                "quota exceeded: at most 32 images per folder",
                ServiceSaid::TooManyImages { limit: 32 },
                vec!["32 образов"],
            ),
            (
                "image fd8 is being created",
                ServiceSaid::ImageBeingCreated { id: "fd8".into() },
                vec!["fd8", "создаётся"],
            ),
            (
                "image fd8 is not ready",
                ServiceSaid::ImageNotReady { id: "fd8".into() },
                vec!["fd8", "READY"],
            ),
            (
                "permission denied for folder b1x",
                ServiceSaid::FolderDenied {
                    folder: "b1x".into(),
                },
                vec!["b1x"],
            ),
            (
                "missing authorization metadata",
                ServiceSaid::TokenMissing,
                vec!["без токена"],
            ),
            (
                "authorization must be \"Bearer <token>\"",
                ServiceSaid::TokenMalformed,
                vec!["Bearer"],
            ),
            (
                "unknown token",
                ServiceSaid::TokenUnknown,
                vec!["не знает этот токен"],
            ),
            (
                "page_token is not one this service issued for this order",
                ServiceSaid::PageTokenNotIssued,
                vec!["Токен страницы"],
            ),
            (
                "operation cancelled",
                ServiceSaid::OperationCancelled,
                vec!["Операция отменена"],
            ),
            (
                "cannot import http://files.example:8080: the URI answered HTTP 404",
                import(F::HttpStatus(404)),
                vec!["http://files.example:8080", "HTTP 404"],
            ),
            (
                "cannot import http://files.example:8080: cannot resolve the host of http://files.example:8080: no address",
                import(F::Unresolved),
                vec!["http://files.example:8080", "DNS"],
            ),
            (
                "cannot import http://files.example:8080: imports from http://files.example:8080 are not allowed",
                import(F::NotAllowed),
                vec!["нельзя скачивать"],
            ),
            (
                "cannot import http://files.example:8080: it redirects to http://10.0.0.1, and imports from http://10.0.0.1 are not allowed",
                import(F::RedirectNotAllowed {
                    to: "http://10.0.0.1".into(),
                }),
                vec!["перенаправляет на http://10.0.0.1"],
            ),
            (
                "cannot import http://files.example:8080: it redirects to a ftp: URI; imports are downloaded over http or https only",
                import(F::Scheme {
                    scheme: "ftp".into(),
                }),
                vec!["ftp:"],
            ),
            (
                "cannot import http://files.example:8080: more than 10 redirects",
                import(F::TooManyRedirects),
                vec!["перенаправлений"],
            ),
            (
                "cannot import http://files.example:8080: the host did not accept a connection within 10 s",
                import(F::ConnectTimeout { seconds: Some(10) }),
                vec!["10\u{a0}с"],
            ),
            (
                "cannot import http://files.example:8080: cannot connect to the host: connection refused",
                import(F::Connect),
                vec!["подключиться"],
            ),
            (
                "cannot import http://files.example:8080: the source sent nothing for 30 s",
                import(F::Stalled { seconds: Some(30) }),
                vec!["30\u{a0}с"],
            ),
            (
                "cannot import http://files.example:8080: the download did not finish within 1 h (the import time limit)",
                import(F::TimeLimit {
                    seconds: Some(3600),
                }),
                vec!["1\u{a0}ч"],
            ),
            (
                "cannot import http://files.example:8080: the download failed after 536870912 bytes: reset",
                import(F::Interrupted {
                    after: Some(512 << 20),
                }),
                vec!["512\u{a0}МБ"],
            ),
            (
                "cannot import http://files.example:8080: the request failed: no further detail",
                import(F::Interrupted { after: None }),
                vec!["прервалась"],
            ),
            (
                "cannot import http://files.example:8080: the file is larger than the import limit of 64 GiB",
                import(F::TooLarge {
                    limit: Some(64 * GB),
                }),
                vec!["64\u{a0}ГБ"],
            ),
            (
                "cannot import http://files.example:8080: the download is truncated: 1048576 of 2147483648 bytes",
                import(F::Truncated {
                    received: 1 << 20,
                    expected: 2 * GB,
                }),
                vec!["1\u{a0}МБ из 2\u{a0}ГБ"],
            ),
            (
                "cannot import http://files.example:8080: the file is empty",
                import(F::Empty),
                vec!["пуст"],
            ),
            (
                "cannot import http://files.example:8080: an HTML page, not a disk image (is the link a pre-signed download URL?)",
                import(F::Html),
                vec!["HTML"],
            ),
            (
                "cannot import http://files.example:8080: a gzip archive, not a disk image: upload the image itself, uncompressed",
                import(F::Archive {
                    kind: "gzip".into(),
                }),
                vec!["архив gzip"],
            ),
            (
                "cannot import http://files.example:8080: not a disk image: no qcow2, VMDK or VHD header, and 1000 bytes is not a whole number of 512-byte sectors",
                import(F::NotDiskImage),
                vec!["не образ диска"],
            ),
            (
                "cannot import http://files.example:8080: a truncated qcow2 file: its L1 table ends at byte 4160, the file has 4096",
                import(F::Damaged { format: "qcow2" }),
                vec!["qcow2"],
            ),
            (
                "cannot import http://files.example:8080: a VMDK file truncated inside its header",
                import(F::Damaged { format: "VMDK" }),
                vec!["VMDK"],
            ),
            (
                "cannot import http://files.example:8080: a truncated VHD file: its footer is missing at the end",
                import(F::Damaged { format: "VHD" }),
                vec!["VHD"],
            ),
            (
                "cannot import http://files.example:8080: a VMDK descriptor without its data: upload a monolithic sparse or stream-optimised VMDK",
                import(F::VmdkDescriptor),
                vec!["дескриптор VMDK"],
            ),
            (
                "cannot import http://files.example:8080: the image's virtual size is 5.0 TiB (5497558138880 bytes), larger than the largest disk the API allows (4 TiB, min_disk_size 4398046511104)",
                import(F::VirtualTooLarge {
                    bytes: Some(5 << 40),
                }),
                vec!["5120\u{a0}ГБ", "4096\u{a0}ГБ"],
            ),
            (
                "cannot import http://files.example:8080: cannot store the download: disk full",
                import(F::Other),
                vec!["http://files.example:8080"],
            ),
            (
                "cannot import a ftp: URI without a host: a ftp: URI; imports are downloaded over http or https only",
                ServiceSaid::Import {
                    source: "a ftp: URI without a host".into(),
                    failure: F::Scheme {
                        scheme: "ftp".into(),
                    },
                },
                vec!["ftp:"],
            ),
        ]
    }

    #[test]
    fn the_services_sentences_are_read_and_said_in_russian() {
        for (message, expected, carried) in known() {
            assert_eq!(ServiceSaid::parse(message), Some(expected), "{message}");
            // Whatever the code, a sentence the console knows is said in words.
            let e = CallError::new(Code::InvalidArgument, message);
            let (ru, raw) = Lang::Ru.call_error_parts(&e);
            assert!(cyrillic(&ru), "{message}: {ru}");
            for part in carried {
                assert!(ru.contains(part), "{message}: {ru:?} lacks {part:?}");
            }
            assert!(raw.is_some_and(|r| r.contains(message)), "{message}");
            let en = Lang::En.call_error(&e);
            assert!(!cyrillic(&en), "{message}: {en}");
            assert_ne!(en, ru);
        }
        // The example of the issue: an operation's failure, in the panel.
        let said = Lang::Ru.operation_failure(
            3,
            "cannot import http://host.example: the URI answered HTTP 404",
        );
        assert_eq!(
            said,
            "Не удалось импортировать образ из http://host.example: сервер ответил HTTP 404. Проверьте, что ссылка верна и не истекла."
        );
    }

    #[test]
    fn unknown_text_falls_back_to_the_codes_sentence() {
        for message in [
            "",
            "something else",
            "image",
            "widget w1 not found",
            "quota exceeded: at most many images per folder",
            "cannot import",
            "Minimal disk size should be greater or equal than lots",
        ] {
            assert_eq!(ServiceSaid::parse(message), None, "{message:?}");
            let e = CallError::new(Code::NotFound, message);
            assert_eq!(
                Lang::Ru.call_error(&e),
                Lang::Ru.code_sentence(Code::NotFound)
            );
        }
        // An import failure the console has no words for still says it was an import.
        assert_eq!(
            ServiceSaid::parse("cannot import https://h: something new"),
            Some(ServiceSaid::Import {
                source: "https://h".into(),
                failure: ImportFailure::Other
            })
        );
    }

    /// A small seeded generator (xorshift), so the loop is the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn the_reader_never_panics_on_any_text() {
        const PIECES: &[&str] = &[
            "cannot import ",
            ": ",
            " of ",
            " bytes",
            "http://",
            "a ",
            " not found",
            "image ",
            "quota exceeded: at most ",
            " (",
            ")",
            "é",
            "ГБ",
            "\u{0}",
            "9999999999999999999999",
            "-1",
            ".",
            " GiB",
            " s",
            " min",
            " URI without a host",
            "Minimal disk size should be greater or equal than ",
        ];
        let sentences: Vec<&str> = known().iter().map(|(m, _, _)| *m).collect();
        let mut rng = Rng(0x5eed_0f21_0006);
        for round in 0..5000 {
            let base = sentences[rng.below(sentences.len())];
            let chars: Vec<char> = base.chars().collect();
            let text: String = match round % 4 {
                // A truncation.
                0 => chars[..rng.below(chars.len() + 1)].iter().collect(),
                // A character replaced, dropped or doubled.
                1 => {
                    let mut c = chars.clone();
                    let at = rng.below(c.len());
                    match rng.below(3) {
                        0 => c[at] = char::from_u32(rng.below(0x500) as u32).unwrap_or('x'),
                        1 => {
                            c.remove(at);
                        }
                        _ => c.insert(at, c[at]),
                    }
                    c.into_iter().collect()
                }
                // Pieces glued at random.
                2 => (0..rng.below(8))
                    .map(|_| PIECES[rng.below(PIECES.len())])
                    .collect(),
                // A sentence with a piece inside it.
                _ => {
                    let at = rng.below(chars.len());
                    let mut text: String = chars[..at].iter().collect();
                    text.push_str(PIECES[rng.below(PIECES.len())]);
                    text.extend(&chars[at..]);
                    text
                }
            };
            let said = ServiceSaid::parse(&text);
            for lang in Lang::ALL {
                let e = CallError::new(Code::from_i32(rng.below(20) as i32), text.clone());
                let (sentence, _) = lang.call_error_parts(&e);
                assert!(!sentence.is_empty(), "{text:?}");
                let _ = (lang.operation_description(&text), &said);
            }
        }
        // A long message is read within its bound and its values are cut.
        let long = format!("image {} not found", "x".repeat(100_000));
        assert_eq!(
            ServiceSaid::parse(&long),
            None,
            "past the bound, the ending is not read"
        );
        let id = "y".repeat(1000);
        let Some(ServiceSaid::NotFound { id: kept, .. }) =
            ServiceSaid::parse(&format!("disk {id} not found"))
        else {
            panic!("a disk not found");
        };
        assert_eq!(kept.chars().count(), 301, "300 characters and an ellipsis");
    }

    #[test]
    fn sizes_are_in_gb_and_a_small_one_in_mb() {
        let en = Lang::En;
        assert_eq!(en.size(0), "not known yet");
        assert_eq!(Lang::Ru.size(0), "пока неизвестен");
        assert_eq!(en.size(512 << 20), "512\u{a0}MB");
        assert_eq!(Lang::Ru.size(512 << 20), "512\u{a0}МБ");
        assert_eq!(en.size(GB + GB / 2), "1.5\u{a0}GB");
        assert_eq!(Lang::Ru.size(GB + GB / 2), "1,5\u{a0}ГБ");
        assert_eq!(en.size(20 * GB), "20\u{a0}GB");
        assert_eq!(
            en.size(1),
            "1\u{a0}KB",
            "a file that has a size never reads as 0"
        );
        assert_eq!(en.size(GB / 20), "51\u{a0}MB");
        assert_eq!(
            Lang::Ru.bytes_and_gb(20 * GB),
            "21\u{202f}474\u{202f}836\u{202f}480\u{a0}байт (20\u{a0}ГБ)"
        );
        // Progress, in the same words.
        assert_eq!(
            en.operation_description("Create image: 42% (8.4 of 20.0 GiB)"),
            "Create image: 42% (8.4\u{a0}GB of 20\u{a0}GB)"
        );
        assert_eq!(
            Lang::Ru.operation_description("Create image: 42% (0.5 of 20.0 GiB)"),
            "Создание образа: 42% (512\u{a0}МБ из 20\u{a0}ГБ)"
        );
        assert_eq!(
            Lang::Ru.operation_description("Create image: downloading 4 KiB of 1.5 GiB"),
            "Создание образа: загрузка 4\u{a0}КБ из 1,5\u{a0}ГБ"
        );
        assert_eq!(
            en.operation_description("Create image: downloading 300.5 MiB"),
            "Create image: downloading 301\u{a0}MB"
        );
        assert_eq!(
            en.operation_description("Create image: 42% (x of y)"),
            "Create image: 42% (x of y)"
        );
        // Numbers and their units are never broken apart.
        assert_eq!(en.elapsed(65), "1\u{a0}min 05\u{a0}s");
        assert!(
            Lang::Ru
                .min_disk_size_hint(1, 4096)
                .contains("4096\u{a0}ГБ")
        );
    }

    fn finished(state: State, deletes: bool) -> Tracked {
        Tracked {
            id: "op".into(),
            description: String::new(),
            image_id: if deletes { String::new() } else { "fd8".into() },
            image_name: "web".into(),
            created_at: 0,
            modified_at: 0,
            state,
            progress: None,
            deletes,
        }
    }

    #[test]
    fn a_cancelled_operation_is_said_once() {
        for lang in Lang::ALL {
            for deletes in [false, true] {
                let t = finished(State::Cancelled, deletes);
                let status = lang.operation_status(&t.state);
                let (result, raw) = lang.operation_result(&t).expect("a result");
                assert_eq!(raw, None);
                let stem = &status[..status.len() - 2]; // `Cancell`, `Отмен`
                assert!(!result.contains(stem), "{status} and {result}");
                // Cancel answered with the operation already cancelled: the row says it.
                assert_eq!(lang.cancel_note(&t.state, deletes), None);
            }
        }
        assert_eq!(Lang::Ru.operation_status(&State::Cancelled), "Отменена");
        assert_eq!(Lang::Ru.operation_status(&State::Succeeded), "Завершена");
        assert_eq!(Lang::Ru.operation_status(&State::Running), "Выполняется");
        assert_eq!(
            Lang::Ru
                .operation_result(&finished(State::Cancelled, false))
                .unwrap()
                .0,
            "Образ удалён."
        );
        assert_eq!(
            Lang::En
                .operation_result(&finished(State::Cancelled, true))
                .unwrap()
                .0,
            "The image was kept."
        );
        assert_eq!(
            Lang::En.operation_result(&finished(State::Succeeded, false)),
            None
        );
        assert_eq!(
            Lang::En.operation_result(&finished(State::Running, false)),
            None
        );
        let failed = State::Failed {
            code: 5,
            message: "disk d1 not found".into(),
        };
        let (sentence, raw) = Lang::Ru.operation_result(&finished(failed, false)).unwrap();
        assert!(sentence.starts_with("Диск d1 не найден"), "{sentence}");
        assert_eq!(raw.as_deref(), Some("NotFound (5): disk d1 not found"));
    }

    #[test]
    fn an_unknown_family_says_so_and_a_network_failure_says_the_network() {
        let missing = CallError::new(
            Code::NotFound,
            "no ready image of family ubuntu in folder b1g",
        );
        let en = Lang::En.latest_missing("ubuntu", &missing);
        assert!(en.contains("no READY image of family ubuntu"), "{en}");
        assert!(!en.contains("check the ID"), "{en}");
        let down = CallError::unreachable("http://127.0.0.1:9", "TypeError: Failed to fetch");
        let en = Lang::En.latest_missing("ubuntu", &down);
        assert!(en.contains("Cannot reach the service"), "{en}");
        assert!(!en.contains("No image") && !en.contains("no READY"), "{en}");
        let ru = Lang::Ru.latest_missing("ubuntu", &down);
        assert!(ru.contains("эндпоинт"), "{ru}");
    }

    #[test]
    fn a_localized_message_in_the_pages_language_is_shown() {
        use tonic_types::{ErrorDetails, StatusExt};
        let mut details = ErrorDetails::new();
        details.set_localized_message("ru-RU", "Образ не найден (от сервиса)");
        let status =
            tonic::Status::with_error_details(Code::NotFound, "image x not found", details);
        let mut headers = http::HeaderMap::new();
        status.add_header(&mut headers).unwrap();
        let e = CallError::from_status(&tonic::Status::from_header_map(&headers).unwrap());
        assert_eq!(
            e.localized,
            [(
                "ru-RU".to_owned(),
                "Образ не найден (от сервиса)".to_owned()
            )]
        );
        assert_eq!(Lang::Ru.call_error(&e), "Образ не найден (от сервиса)");
        // Not in the page's language: the console's own words.
        assert_eq!(
            Lang::En.call_error(&e),
            "Image x was not found: check the ID, and that it is in this folder."
        );
    }

    #[test]
    fn a_violation_is_said_in_the_pages_language() {
        use kiln_console::form::Form;
        // The form as sent: the core finds the name's violation in it, as the service did.
        let form = Form {
            name: "Web".into(),
            source_value: "d1".into(),
            ..Form::new("b1g")
        };
        let english = form.check(Lang::En);
        let name = english
            .iter()
            .find(|e| e.field == "name")
            .expect("a name violation");
        let rejected = CallError {
            violations: vec![
                ("name".to_owned(), name.message.clone()),
                (
                    "min_disk_size".to_owned(),
                    "Minimal disk size should be greater or equal than 536870912".to_owned(),
                ),
                (
                    "page_token".to_owned(),
                    "page_token is not one this service issued for this order".to_owned(),
                ),
                (
                    "family".to_owned(),
                    "a rule this console does not have".to_owned(),
                ),
            ],
            ..CallError::new(Code::InvalidArgument, "Request validation error")
        };
        let said: Vec<_> = form
            .server_errors(&rejected, Lang::Ru)
            .into_iter()
            .map(|e| e.message)
            .collect();
        let russian = form.check(Lang::Ru);
        let russian_name = &russian.iter().find(|e| e.field == "name").unwrap().message;
        assert_eq!(&said[0], russian_name);
        assert!(cyrillic(&said[0]), "{}", said[0]);
        assert_eq!(
            said[1],
            "должно быть не меньше 512\u{a0}МБ: столько нужно источнику"
        );
        assert!(said[2].starts_with("Токен страницы"), "{}", said[2]);
        assert_eq!(
            said[3], "a rule this console does not have",
            "unmapped: the raw text"
        );
        // Without details, the field gets the sentence in the page's language.
        let taken = CallError::new(
            Code::AlreadyExists,
            "image with name web already exists in folder b1g",
        );
        let on_name = form.server_errors(&taken, Lang::Ru);
        assert_eq!(on_name[0].field, "name");
        assert!(
            on_name[0]
                .message
                .starts_with("Образ с именем web уже есть"),
            "{}",
            on_name[0].message
        );
    }
}
