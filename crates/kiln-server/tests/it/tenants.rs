//! Tenants in tokens mode: `t-own` may use `dev-folder` (seeded with disks, snapshots and an
//! image), `t-other` only `other-folder`, `t-both` both.
//!
//! For every RPC and every caller (no token, the other folder's token, the owner's token):
//! without a token UNAUTHENTICATED comes before anything else; the other folder's token learns
//! nothing about a resource it may not see (NOT_FOUND, worded exactly as for an ID that does
//! not exist) and is refused a folder it may not use (PERMISSION_DENIED); the owner gets the
//! normal answer.

use std::collections::BTreeMap;

use kiln_core::proto::yandex::cloud::{
    access::{
        AccessBinding, AccessBindingAction, AccessBindingDelta, ListAccessBindingsRequest,
        SetAccessBindingsRequest, Subject, UpdateAccessBindingsRequest,
    },
    compute::v1::{
        CreateImageRequest, DeleteImageRequest, GetDiskRequest, GetImageLatestByFamilyRequest,
        GetImageRequest, GetSnapshotRequest, ListDisksRequest, ListImageOperationsRequest,
        ListImagesRequest, ListSnapshotsRequest, UpdateImageRequest, create_image_request::Source,
        image,
    },
    operation::{CancelOperationRequest, GetOperationRequest, Operation},
};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{Config, DEV_FOLDER, Tokens};
use prost::Message;
use tonic::{Code, transport::Channel};

use super::{Server, call_raw, fresh_dir, image_id, start_with, with_token};

const OWN: &str = "t-own";
const OTHER: &str = "t-other";
const BOTH: &str = "t-both";
const OTHER_FOLDER: &str = "other-folder";

fn tenants(data_dir: std::path::PathBuf, copy_rate: u64) -> Config {
    let tokens = [
        (OWN, vec![DEV_FOLDER]),
        (OTHER, vec![OTHER_FOLDER]),
        (BOTH, vec![DEV_FOLDER, OTHER_FOLDER]),
    ]
    .into_iter()
    .map(|(token, folders)| {
        (
            token.to_owned(),
            folders.into_iter().map(str::to_owned).collect(),
        )
    })
    .collect::<BTreeMap<_, _>>();
    Config {
        copy_rate,
        tokens: Tokens::from_folders(tokens),
        ..Config::development(data_dir)
    }
}

/// The resources the cases name: dev-folder's, or IDs of the same shape that exist nowhere.
#[derive(Debug, Clone)]
struct Ids {
    image: String,
    update_image: String,
    delete_image: String,
    operation: String,
    disk: String,
    snapshot: String,
}

impl Ids {
    fn missing() -> Ids {
        Ids {
            image: "fd8nosuchimage000001".into(),
            update_image: "fd8nosuchimage000002".into(),
            delete_image: "fd8nosuchimage000003".into(),
            operation: "fd8nosuchoperation01".into(),
            disk: "fhm0nosuch0disk000001".into(),
            snapshot: "fd80nosuch0snapshot1".into(),
        }
    }

    fn all(&self) -> [&str; 6] {
        [
            &self.image,
            &self.update_image,
            &self.delete_image,
            &self.operation,
            &self.disk,
            &self.snapshot,
        ]
    }
}

/// How an RPC names what it works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A resource by ID: a caller who may not see it gets the answer for a missing ID.
    ById,
    /// A folder: a caller who may not use it gets PERMISSION_DENIED.
    ByFolder,
}

struct Case {
    rpc: &'static str,
    /// What the case does, when one RPC has several.
    about: &'static str,
    scope: Scope,
    /// The owner's answer.
    own: Code,
    /// The encoded request about `ids`, sent by a caller whose own folder is the second
    /// argument (where a Create from another folder's source goes).
    request: fn(&Ids, &str) -> Vec<u8>,
}

impl Case {
    fn label(&self) -> String {
        if self.about.is_empty() {
            format!("{} ({:?})", self.rpc, self.scope)
        } else {
            format!("{} {} ({:?})", self.rpc, self.about, self.scope)
        }
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Get",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                GetImageRequest {
                    image_id: ids.image.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/GetLatestByFamily",
            about: "",
            scope: Scope::ByFolder,
            own: Code::Ok,
            request: |_, _| {
                GetImageLatestByFamilyRequest {
                    folder_id: DEV_FOLDER.into(),
                    family: "ubuntu-2404".into(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/List",
            about: "",
            scope: Scope::ByFolder,
            own: Code::Ok,
            request: |_, _| {
                ListImagesRequest {
                    folder_id: DEV_FOLDER.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Create",
            about: "into dev-folder",
            scope: Scope::ByFolder,
            own: Code::Ok,
            request: |ids, _| {
                create_request(DEV_FOLDER, "mx-into-dev", Source::DiskId(ids.disk.clone()))
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Create",
            about: "from dev-folder's image",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, folder| {
                create_request(folder, "mx-from-image", Source::ImageId(ids.image.clone()))
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Create",
            about: "from dev-folder's disk",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, folder| {
                create_request(folder, "mx-from-disk", Source::DiskId(ids.disk.clone()))
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Create",
            about: "from dev-folder's snapshot",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, folder| {
                create_request(
                    folder,
                    "mx-from-snapshot",
                    Source::SnapshotId(ids.snapshot.clone()),
                )
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Update",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                UpdateImageRequest {
                    image_id: ids.update_image.clone(),
                    update_mask: Some(prost_types::FieldMask {
                        paths: vec!["description".into()],
                    }),
                    description: "changed by its owner".into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/ListOperations",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                ListImageOperationsRequest {
                    image_id: ids.update_image.clone(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/ListAccessBindings",
            about: "",
            scope: Scope::ById,
            own: Code::Unimplemented,
            request: |ids, _| {
                ListAccessBindingsRequest {
                    resource_id: ids.image.clone(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/SetAccessBindings",
            about: "",
            scope: Scope::ById,
            own: Code::Unimplemented,
            request: |ids, _| {
                SetAccessBindingsRequest {
                    resource_id: ids.image.clone(),
                    access_bindings: vec![binding()],
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/UpdateAccessBindings",
            about: "",
            scope: Scope::ById,
            own: Code::Unimplemented,
            request: |ids, _| {
                UpdateAccessBindingsRequest {
                    resource_id: ids.image.clone(),
                    access_binding_deltas: vec![AccessBindingDelta {
                        action: AccessBindingAction::Add as i32,
                        access_binding: Some(binding()),
                    }],
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.ImageService/Delete",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                DeleteImageRequest {
                    image_id: ids.delete_image.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.operation.OperationService/Get",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                GetOperationRequest {
                    operation_id: ids.operation.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.operation.OperationService/Cancel",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                CancelOperationRequest {
                    operation_id: ids.operation.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.DiskService/Get",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                GetDiskRequest {
                    disk_id: ids.disk.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.DiskService/List",
            about: "",
            scope: Scope::ByFolder,
            own: Code::Ok,
            request: |_, _| {
                ListDisksRequest {
                    folder_id: DEV_FOLDER.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.SnapshotService/Get",
            about: "",
            scope: Scope::ById,
            own: Code::Ok,
            request: |ids, _| {
                GetSnapshotRequest {
                    snapshot_id: ids.snapshot.clone(),
                }
                .encode_to_vec()
            },
        },
        Case {
            rpc: "yandex.cloud.compute.v1.SnapshotService/List",
            about: "",
            scope: Scope::ByFolder,
            own: Code::Ok,
            request: |_, _| {
                ListSnapshotsRequest {
                    folder_id: DEV_FOLDER.into(),
                    ..Default::default()
                }
                .encode_to_vec()
            },
        },
    ]
}

fn create_request(folder: &str, name: &str, source: Source) -> Vec<u8> {
    CreateImageRequest {
        folder_id: folder.into(),
        name: name.into(),
        source: Some(source),
        ..Default::default()
    }
    .encode_to_vec()
}

fn binding() -> AccessBinding {
    AccessBinding {
        role_id: "viewer".into(),
        subject: Some(Subject {
            id: "someone".into(),
            r#type: "userAccount".into(),
        }),
    }
}

/// `status` as `CODE: message`, with every ID of `ids` written `<id>`.
fn shown(answer: &Result<Vec<u8>, tonic::Status>, ids: &Ids) -> String {
    match answer {
        Ok(_) => "Ok".to_owned(),
        Err(status) => {
            let mut message = status.message().to_owned();
            for id in ids.all() {
                message = message.replace(id, "<id>");
            }
            format!("{:?}: {message}", status.code())
        }
    }
}

fn code(answer: &Result<Vec<u8>, tonic::Status>) -> Code {
    answer
        .as_ref()
        .map_or_else(tonic::Status::code, |_| Code::Ok)
}

/// Every caller's answers to one case; what breaks the contract, one line each.
async fn check(channel: &Channel, case: &Case, ids: &Ids) -> Vec<String> {
    let missing = Ids::missing();
    let send = |body: Vec<u8>, token: Option<&'static str>| {
        call_raw(channel, case.rpc, with_token(body, token))
    };
    let mut broken = Vec::new();
    let mut expect = |who: &str, answer: &Result<Vec<u8>, tonic::Status>, want: Code| {
        if code(answer) != want {
            broken.push(format!(
                "{} as {who}: want {want:?}, got {}",
                case.label(),
                shown(answer, ids)
            ));
        }
    };
    // No token: UNAUTHENTICATED, even for a request that would not validate.
    let anonymous = send((case.request)(ids, DEV_FOLDER), None).await;
    expect("no token", &anonymous, Code::Unauthenticated);
    let anonymous_invalid = send(Vec::new(), None).await;
    expect(
        "no token, empty request",
        &anonymous_invalid,
        Code::Unauthenticated,
    );
    // The other folder's token.
    let other = send((case.request)(ids, OTHER_FOLDER), Some(OTHER)).await;
    let mut leak = None;
    match case.scope {
        Scope::ByFolder => expect("other folder", &other, Code::PermissionDenied),
        Scope::ById => {
            expect("other folder", &other, Code::NotFound);
            let nowhere = send((case.request)(&missing, OTHER_FOLDER), Some(OTHER)).await;
            expect("other folder, missing ID", &nowhere, Code::NotFound);
            let (seen, unseen) = (shown(&other, ids), shown(&nowhere, &missing));
            if seen != unseen {
                leak = Some(format!(
                    "{} as other folder: {seen:?} tells an existing resource from a missing one ({unseen:?})",
                    case.label()
                ));
            }
        }
    }
    // The owner.
    let own = send((case.request)(ids, DEV_FOLDER), Some(OWN)).await;
    expect("owner", &own, case.own);
    if case.scope == Scope::ById {
        let nowhere = send((case.request)(&missing, DEV_FOLDER), Some(OWN)).await;
        expect("owner, missing ID", &nowhere, Code::NotFound);
    }
    broken.extend(leak);
    broken
}

/// Two READY images made at full speed, then the server restarted at a slow copy rate so that
/// one more Create keeps running: the fixture every matrix case names.
async fn fixture(name: &str) -> (Server, Ids) {
    let dir = fresh_dir(name);
    let fast = start_with(tenants(dir.clone(), 1 << 50)).await;
    let mut images = ImageServiceClient::new(fast.channel.clone());
    let mut operations = OperationServiceClient::new(fast.channel.clone());
    let mut ready = Vec::new();
    for name in ["mx-update", "mx-delete"] {
        let started = images
            .create(with_token(own_disk_create(name), Some(OWN)))
            .await
            .unwrap()
            .into_inner();
        let done = wait_done_as(&mut operations, &started.id, OWN).await;
        assert!(failure(&done).is_none(), "{done:?}");
        ready.push(image_id(&started));
    }
    fast.task.abort();
    let _ = fast.task.await;
    let slow = start_with(tenants(dir, 1 << 20)).await; // 20 GiB at 1 MiB/s: hours
    let running = ImageServiceClient::new(slow.channel.clone())
        .create(with_token(own_disk_create("mx-running"), Some(OWN)))
        .await
        .unwrap()
        .into_inner();
    let ids = Ids {
        image: "fd80dev0image0ubuntu".into(),
        update_image: ready[0].clone(),
        delete_image: ready[1].clone(),
        operation: running.id,
        disk: "fhm0dev0disk0ubuntu1".into(),
        snapshot: "fd80dev0snap0ubuntu1".into(),
    };
    (slow, ids)
}

fn own_disk_create(name: &str) -> CreateImageRequest {
    CreateImageRequest {
        folder_id: DEV_FOLDER.into(),
        name: name.into(),
        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
        ..Default::default()
    }
}

/// The error an operation ended with, if it did.
fn failure(operation: &Operation) -> Option<&kiln_core::proto::google::rpc::Status> {
    match &operation.result {
        Some(kiln_core::proto::yandex::cloud::operation::operation::Result::Error(e)) => Some(e),
        _ => None,
    }
}

async fn wait_done_as(
    operations: &mut OperationServiceClient<Channel>,
    id: &str,
    token: &str,
) -> Operation {
    for _ in 0..500 {
        let operation = operations
            .get(with_token(
                GetOperationRequest {
                    operation_id: id.into(),
                },
                Some(token),
            ))
            .await
            .unwrap()
            .into_inner();
        if operation.done {
            return operation;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("operation {id} did not finish");
}

#[tokio::test]
async fn every_rpc_answers_each_tenant_only_about_its_own_folders() {
    let (server, ids) = fixture("tenant-matrix").await;
    let cases = cases();
    let rpcs: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.rpc).collect();
    assert_eq!(rpcs.len(), 16, "every RPC of the four services");
    let mut broken = Vec::new();
    for case in &cases {
        broken.extend(check(&server.channel, case, &ids).await);
    }
    server.task.abort();
    assert!(
        broken.is_empty(),
        "{} broken answers:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// t-other can neither read nor cancel t-own's running Create: it stays running and its
/// image stays.
#[tokio::test]
async fn another_tenant_can_neither_see_nor_cancel_a_running_create() {
    let server = start_with(tenants(fresh_dir("tenant-cancel"), 1 << 20)).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let started = images
        .create(with_token(own_disk_create("slow"), Some(OWN)))
        .await
        .unwrap()
        .into_inner();
    let missing = "fd8nosuchoperation01";
    let mut broken = Vec::new();
    for (rpc, body, missing_body) in [
        (
            "yandex.cloud.operation.OperationService/Get",
            GetOperationRequest {
                operation_id: started.id.clone(),
            }
            .encode_to_vec(),
            GetOperationRequest {
                operation_id: missing.into(),
            }
            .encode_to_vec(),
        ),
        (
            "yandex.cloud.operation.OperationService/Cancel",
            CancelOperationRequest {
                operation_id: started.id.clone(),
            }
            .encode_to_vec(),
            CancelOperationRequest {
                operation_id: missing.into(),
            }
            .encode_to_vec(),
        ),
    ] {
        let answer = call_raw(&server.channel, rpc, with_token(body, Some(OTHER))).await;
        let nowhere = call_raw(&server.channel, rpc, with_token(missing_body, Some(OTHER))).await;
        let seen = match &answer {
            Ok(_) => "Ok: the operation".to_owned(),
            Err(s) => format!(
                "{:?}: {}",
                s.code(),
                s.message().replace(&started.id, "<id>")
            ),
        };
        let unseen = match &nowhere {
            Ok(_) => "Ok".to_owned(),
            Err(s) => format!("{:?}: {}", s.code(), s.message().replace(missing, "<id>")),
        };
        if code(&answer) != Code::NotFound || seen != unseen {
            broken.push(format!(
                "{rpc} by t-other: {seen:?}, for a missing operation {unseen:?}"
            ));
        }
    }
    let still = operations
        .get(with_token(
            GetOperationRequest {
                operation_id: started.id.clone(),
            },
            Some(OWN),
        ))
        .await
        .unwrap()
        .into_inner();
    if still.done {
        broken.push(format!("the owner's operation ended: {:?}", still.result));
    }
    let image = images
        .get(with_token(
            GetImageRequest {
                image_id: image_id(&started),
            },
            Some(OWN),
        ))
        .await;
    match image {
        Ok(image) if image.get_ref().status() == image::Status::Creating => {}
        other => broken.push(format!(
            "the owner's image is no longer CREATING: {other:?}"
        )),
    }
    server.task.abort();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// One idempotency key used in two folders starts two operations; in one folder it still
/// replays the first.
#[tokio::test]
async fn idempotency_keys_are_per_folder() {
    let server = start_with(tenants(fresh_dir("tenant-keys"), 1 << 50)).await;
    let mut images = ImageServiceClient::new(server.channel.clone());
    let keyed = |request: CreateImageRequest, token: &str| {
        let mut request = with_token(request, Some(token));
        request
            .metadata_mut()
            .insert("idempotency-key", "5f0c1d2e-one-key".parse().unwrap());
        request
    };
    let in_dev = images
        .create(keyed(own_disk_create("keyed"), OWN))
        .await
        .unwrap()
        .into_inner();
    // t-both may read dev-folder's disk and create into other-folder.
    let into_other = CreateImageRequest {
        folder_id: OTHER_FOLDER.into(),
        ..own_disk_create("keyed")
    };
    let in_other = images.create(keyed(into_other, BOTH)).await;
    let in_other = in_other
        .expect("the key is free in other-folder")
        .into_inner();
    assert_ne!(in_dev.id, in_other.id);
    assert_ne!(image_id(&in_dev), image_id(&in_other));
    let again = images
        .create(keyed(own_disk_create("keyed"), OWN))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.id, in_dev.id, "a retry in dev-folder replays");
    server.task.abort();
}
