//! Paging arguments, the size of error details, and update masks: what a hostile or careless
//! client sends at the edges.

use kiln_core::proto::yandex::cloud::compute::v1::{
    CreateImageRequest, GetImageRequest, ListDisksRequest, ListImageOperationsRequest,
    ListImagesRequest, ListSnapshotsRequest, UpdateImageRequest,
};
use kiln_core::validate::Outcome;
use kiln_grpc::compute::image_service_client::ImageServiceClient;
use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN};
use prost::Message;
use tonic::Code;
use tonic_types::StatusExt;

use super::{authed, call_raw, fresh_dir, from_disk, start_with, with_token};

const SEEDED_IMAGE: &str = "fd80dev0image0ubuntu";
const GIB: i64 = 1 << 30;

/// The fields of the BadRequest violations of `status`.
fn violated_fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// A list RPC and its request with a page size and token.
struct Lister {
    rpc: &'static str,
    request: fn(i64, &str) -> Vec<u8>,
}

fn listers() -> [Lister; 4] {
    [
        Lister {
            rpc: "yandex.cloud.compute.v1.ImageService/List",
            request: |page_size, page_token| {
                ListImagesRequest {
                    folder_id: DEV_FOLDER.into(),
                    page_size,
                    page_token: page_token.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Lister {
            rpc: "yandex.cloud.compute.v1.ImageService/ListOperations",
            request: |page_size, page_token| {
                ListImageOperationsRequest {
                    image_id: SEEDED_IMAGE.into(),
                    page_size,
                    page_token: page_token.into(),
                }
                .encode_to_vec()
            },
        },
        Lister {
            rpc: "yandex.cloud.compute.v1.DiskService/List",
            request: |page_size, page_token| {
                ListDisksRequest {
                    folder_id: DEV_FOLDER.into(),
                    page_size,
                    page_token: page_token.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Lister {
            rpc: "yandex.cloud.compute.v1.SnapshotService/List",
            request: |page_size, page_token| {
                ListSnapshotsRequest {
                    folder_id: DEV_FOLDER.into(),
                    page_size,
                    page_token: page_token.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
    ]
}

/// What a list call must answer.
enum Want {
    /// A page.
    Page,
    /// INVALID_ARGUMENT with a BadRequest violation on this field.
    Violation(&'static str),
    /// INVALID_ARGUMENT.
    Invalid,
}

#[tokio::test]
async fn page_sizes_and_tokens_outside_the_contract_are_invalid_arguments() {
    let server = start_with(Config::development(fresh_dir("paging"))).await;
    let table: [(i64, &str, Want); 7] = [
        (0, "", Want::Page),
        (1000, "", Want::Page),
        (1001, "", Want::Violation("page_size")),
        (-1, "", Want::Violation("page_size")),
        (i64::MIN, "", Want::Violation("page_size")),
        (0, "!!not-a-page-token!!", Want::Invalid),
        (0, "zzzzzzzzzzzzzzzzzzzz", Want::Invalid),
    ];
    let mut broken = Vec::new();
    for lister in listers() {
        for (page_size, page_token, want) in &table {
            let request = with_token((lister.request)(*page_size, page_token), Some(DEV_TOKEN));
            let answer = call_raw(&server.channel, lister.rpc, request).await;
            let case = format!(
                "{} page_size={page_size} page_token={page_token:?}",
                lister.rpc
            );
            match (want, &answer) {
                (Want::Page, Ok(_)) => {}
                (Want::Invalid, Err(s)) if s.code() == Code::InvalidArgument => {}
                (Want::Violation(field), Err(s))
                    if s.code() == Code::InvalidArgument
                        && violated_fields(s).iter().any(|f| f == field) => {}
                (_, Ok(_)) => broken.push(format!("{case}: answered a page")),
                (_, Err(s)) => broken.push(format!(
                    "{case}: {:?} {:?}, violations {:?}",
                    s.code(),
                    s.message(),
                    violated_fields(s)
                )),
            }
        }
    }
    server.task.abort();
    assert!(
        broken.is_empty(),
        "{} broken:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The `i`-th label key of a case.
type LabelKey = fn(usize) -> String;

/// Many broken label keys: the answer names at most 16 violations, says how many there were,
/// and its details trailer stays far under what clients accept (grpcio: about 8 KB of
/// metadata; tonic: 16 KiB of headers).
#[tokio::test]
async fn many_violations_are_cut_to_a_small_details_trailer() {
    let server = start_with(Config::development(fresh_dir("many-violations"))).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    // Label keys of each case: 64 upper-case keys (64 violations), and 64 upper-case keys of
    // 300 characters (too long as well: the validator's own count).
    let cases: [(&str, LabelKey); 2] = [
        ("64 upper-case keys", |i| format!("Key-{i:02}")),
        ("64 long upper-case keys", |i| {
            format!("Key-{i:02}-{}", "x".repeat(300))
        }),
    ];
    let mut broken = Vec::new();
    for (case, key) in cases {
        let request = CreateImageRequest {
            labels: (0..64).map(|i| (key(i), "v".to_owned())).collect(),
            ..from_disk("labelled")
        };
        let Outcome::Invalid { violations: all } = kiln_core::reflect::validate_message(&request)
        else {
            panic!("{case}: the validator finds violations")
        };
        let total = all.len().to_string();
        let status = match images.create(authed(request)).await {
            Ok(_) => {
                broken.push(format!("{case}: created"));
                continue;
            }
            Err(status) => status,
        };
        let violations = violated_fields(&status);
        if status.code() != Code::InvalidArgument || std::error::Error::source(&status).is_some() {
            broken.push(format!(
                "{case}: {:?} {:?}, not the server's INVALID_ARGUMENT",
                status.code(),
                status.message()
            ));
            continue;
        }
        if !(1..=16).contains(&violations.len()) {
            broken.push(format!(
                "{case}: {} violations reported, not 1 to 16",
                violations.len()
            ));
        }
        if !violations.iter().all(|f| f.starts_with("labels[")) {
            broken.push(format!("{case}: violations not on labels: {violations:?}"));
        }
        if status.details().len() > 4096 {
            broken.push(format!(
                "{case}: grpc-status-details-bin holds {} bytes, more than 4096",
                status.details().len()
            ));
        }
        if !status.message().contains(&total) {
            broken.push(format!(
                "{case}: the message does not say there were {total}: {:?}",
                status.message()
            ));
        }
    }
    server.task.abort();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[tokio::test]
async fn update_masks_take_proto_and_json_names_and_nothing_else() {
    let server = start_with(Config::development(fresh_dir("masks"))).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    // The seeded image stores 3 GiB: any min_disk_size from there up is allowed.
    let table: [(&[&str], Result<i64, &str>); 8] = [
        (&["min_disk_size"], Ok(12 * GIB)),
        (&["minDiskSize"], Ok(13 * GIB)),
        (&["MinDiskSize"], Err("update_mask.paths[0]")),
        (&["__x"], Err("update_mask.paths[0]")),
        (&["image_id"], Err("update_mask.paths[0]")),
        (&[""], Err("update_mask.paths[0]")),
        (
            &["min_disk_size", "MIN_DISK_SIZE"],
            Err("update_mask.paths[1]"),
        ),
        (&["labels.env"], Err("update_mask.paths[0]")),
    ];
    let mut broken = Vec::new();
    for (paths, want) in table {
        let size = *want.as_ref().unwrap_or(&(14 * GIB));
        let update = UpdateImageRequest {
            image_id: SEEDED_IMAGE.into(),
            update_mask: Some(prost_types::FieldMask {
                paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            }),
            min_disk_size: size,
            ..Default::default()
        };
        let answer = images.update(authed(update)).await;
        let now = images
            .get(authed(GetImageRequest {
                image_id: SEEDED_IMAGE.into(),
            }))
            .await
            .map(|r| r.into_inner().min_disk_size);
        match (want, answer) {
            (Ok(size), Ok(_)) if now.as_ref().ok() == Some(&size) => {}
            (Ok(size), Ok(_)) => broken.push(format!(
                "{paths:?}: OK, but min_disk_size is {now:?}, not {size}"
            )),
            (Err(field), Err(s))
                if s.code() == Code::InvalidArgument
                    && violated_fields(&s).iter().any(|f| f == field) => {}
            (want, Ok(_)) => broken.push(format!("{paths:?}: OK, want {want:?}")),
            (want, Err(s)) => broken.push(format!(
                "{paths:?}: want {want:?}, got {:?} {:?}, violations {:?}",
                s.code(),
                s.message(),
                violated_fields(&s)
            )),
        }
    }
    server.task.abort();
    assert!(
        broken.is_empty(),
        "{} broken:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
