//! Concurrent writes against the rules they could break: a name held by one image of a folder,
//! and a deleted image staying deleted (also after a restart).
//!
//! Each call goes out on a connection of its own and a round's calls are let go at once. A
//! check-then-write race shows when handlers interleave between their store calls: the
//! store's thread answers on the other core while the test's one-thread runtime (which the
//! server shares) goes on to the next handler. When both cores are busy the store answers
//! before a handler yields and the handlers mostly run one after another (with two worker
//! threads, 64 renames always ended with one OK). So these tests run one at a time, on the
//! default one-thread runtime, in rounds, each stopping at its first broken round.

use std::collections::BTreeMap;

use kiln_core::proto::yandex::cloud::compute::v1::{
    DeleteImageRequest, GetImageRequest, ListImagesRequest, UpdateImageRequest,
};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{Config, DEV_FOLDER};
use tonic::{Code, transport::Channel};

use super::{Server, authed, fresh_dir, from_disk, image_id, start_with, wait_done};

/// Copies end at once and no quota gets in the way.
fn unlimited(data_dir: std::path::PathBuf) -> Config {
    Config {
        copy_rate: 1 << 50,
        quotas: kiln_server::Quotas {
            running_operations_per_folder: 100_000,
            images_per_folder: 100_000,
        },
        ..Config::development(data_dir)
    }
}

/// READY images named `<prefix>-0` … `<prefix>-<n-1>`; their IDs in that order.
async fn ready_images(server: &Server, prefix: &str, n: usize) -> Vec<String> {
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let mut started = Vec::new();
    for i in 0..n {
        let operation = images
            .create(authed(from_disk(&format!("{prefix}-{i}"))))
            .await
            .unwrap()
            .into_inner();
        started.push(operation);
    }
    let mut ids = Vec::new();
    for operation in started {
        let done = wait_done(&mut operations, &operation.id).await;
        assert!(
            matches!(
                done.result,
                Some(kiln_core::proto::yandex::cloud::operation::operation::Result::Response(_))
            ),
            "{done:?}"
        );
        ids.push(image_id(&operation));
    }
    ids
}

/// A client on a connection of its own, so that calls reach the server side by side rather
/// than one after another on one connection.
async fn own_connection(server: &Server) -> ImageServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    ImageServiceClient::new(channel)
}

/// Tasks that start their calls together, once all `n` have been spawned.
struct Gate(std::sync::Arc<tokio::sync::Barrier>);

impl Gate {
    fn new(n: usize) -> Gate {
        Gate(std::sync::Arc::new(tokio::sync::Barrier::new(n)))
    }

    fn spawn<T: Send + 'static>(
        &self,
        call: impl std::future::Future<Output = T> + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        let gate = self.0.clone();
        tokio::spawn(async move {
            gate.wait().await;
            call.await
        })
    }
}

fn rename(image_id: &str, name: &str) -> UpdateImageRequest {
    UpdateImageRequest {
        image_id: image_id.into(),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["name".into()],
        }),
        name: name.into(),
        ..Default::default()
    }
}

/// Every image of the folder (all pages).
async fn all_names(channel: &Channel) -> Vec<(String, String)> {
    let mut images = ImageServiceClient::new(channel.clone());
    let mut names = Vec::new();
    let mut page_token = String::new();
    for _ in 0..100 {
        let page = images
            .list(authed(ListImagesRequest {
                folder_id: DEV_FOLDER.into(),
                page_size: 1000,
                page_token: page_token.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        names.extend(page.images.into_iter().map(|i| (i.name, i.id)));
        if page.next_page_token.is_empty() {
            return names;
        }
        page_token = page.next_page_token;
    }
    panic!("more than 100 pages");
}

/// Names held by more than one image, with their holders.
fn shared_names(names: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, id) in names {
        holders.entry(name.clone()).or_default().push(id.clone());
    }
    holders.retain(|_, ids| ids.len() > 1);
    holders
}

/// Rounds of a race, at most (each stops at the first round that breaks the rule): the calls
/// of one round may happen to run one after another, e.g. when the machine is busy.
const RENAME_ROUNDS: usize = 100;
const CREATE_RENAME_ROUNDS: usize = 20;

/// The race tests run one at a time: each needs the machine's second core for the store.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn code<T>(answer: &Result<T, tonic::Status>) -> Code {
    answer
        .as_ref()
        .map_or_else(tonic::Status::code, |_| Code::Ok)
}

#[tokio::test]
async fn concurrent_renames_to_one_name_leave_it_with_one_image() {
    let _alone = ALONE.lock().await;
    let server = start_with(unlimited(fresh_dir("race-rename"))).await;
    let ids = ready_images(&server, "rename", 64).await;
    let mut clients = Vec::new();
    for _ in &ids {
        clients.push(own_connection(&server).await);
    }
    let mut broken = None;
    for round in 0..RENAME_ROUNDS {
        let name = format!("the-one-{round}");
        let gate = Gate::new(ids.len());
        let attempts: Vec<_> = ids
            .iter()
            .zip(&clients)
            .map(|(id, images)| {
                let mut images = images.clone();
                let request = authed(rename(id, &name));
                gate.spawn(async move { code(&images.update(request).await) })
            })
            .collect();
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for attempt in attempts {
            *by_code
                .entry(format!("{:?}", attempt.await.unwrap()))
                .or_default() += 1;
        }
        let holders = ImageServiceClient::new(server.channel.clone())
            .list(authed(ListImagesRequest {
                folder_id: DEV_FOLDER.into(),
                filter: format!("name=\"{name}\""),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .images
            .len();
        let want: BTreeMap<String, usize> =
            [("AlreadyExists".to_owned(), 63), ("Ok".to_owned(), 1)].into();
        if by_code != want || holders != 1 {
            broken = Some(format!(
                "round {round}: answers {by_code:?}, {holders} images named {name}"
            ));
            break;
        }
    }
    server.task.abort();
    assert_eq!(broken, None, "64 renames of 64 images to one name");
}

#[tokio::test]
async fn a_create_racing_a_rename_for_a_fresh_name_never_shares_it() {
    let _alone = ALONE.lock().await;
    let server = start_with(unlimited(fresh_dir("race-create-rename"))).await;
    let ids = ready_images(&server, "renamed", 100).await;
    let mut clients = Vec::new();
    for _ in &ids {
        clients.push((own_connection(&server).await, own_connection(&server).await));
    }
    let mut broken = Vec::new();
    for round in 0..CREATE_RENAME_ROUNDS {
        let gate = Gate::new(2 * ids.len());
        let mut pairs = Vec::new();
        for (i, (id, (creator, renamer))) in ids.iter().zip(&clients).enumerate() {
            let name = format!("fresh-{round}-{i}");
            let (mut creator, mut renamer) = (creator.clone(), renamer.clone());
            let (create, update) = (authed(from_disk(&name)), authed(rename(id, &name)));
            let create = gate.spawn(async move { code(&creator.create(create).await) });
            let update = gate.spawn(async move { code(&renamer.update(update).await) });
            pairs.push((name, create, update));
        }
        for (name, create, update) in pairs {
            let (create, update) = (create.await.unwrap(), update.await.unwrap());
            if !matches!(
                (create, update),
                (Code::Ok, Code::AlreadyExists) | (Code::AlreadyExists, Code::Ok)
            ) {
                broken.push(format!("{name}: Create {create:?}, rename {update:?}"));
            }
        }
        let shared = shared_names(&all_names(&server.channel).await);
        if !shared.is_empty() {
            broken.push(format!("round {round}: names held twice: {shared:?}"));
        }
        if !broken.is_empty() {
            break;
        }
    }
    server.task.abort();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[tokio::test]
async fn an_image_whose_delete_answered_ok_stays_deleted_whatever_an_update_did() {
    let _alone = ALONE.lock().await;
    let dir = fresh_dir("race-delete-update");
    let server = start_with(unlimited(dir.clone())).await;
    let ids = ready_images(&server, "doomed", 100).await;
    let gate = Gate::new(2 * ids.len());
    let mut pairs = Vec::new();
    for id in &ids {
        let (mut deleter, mut updater) =
            (own_connection(&server).await, own_connection(&server).await);
        let delete = authed(DeleteImageRequest {
            image_id: id.clone(),
        });
        let update = authed(UpdateImageRequest {
            image_id: id.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["description".into()],
            }),
            description: "updated while deleted".into(),
            ..Default::default()
        });
        let delete = gate.spawn(async move { code(&deleter.delete(delete).await) });
        let update = gate.spawn(async move { code(&updater.update(update).await) });
        pairs.push((id.clone(), delete, update));
    }
    let mut deleted = Vec::new();
    for (id, delete, update) in pairs {
        let (delete, update) = (delete.await.unwrap(), update.await.unwrap());
        assert!(
            matches!(delete, Code::Ok | Code::NotFound | Code::FailedPrecondition),
            "Delete {id}: {delete:?}"
        );
        assert!(
            matches!(update, Code::Ok | Code::NotFound | Code::FailedPrecondition),
            "Update {id}: {update:?}"
        );
        if delete == Code::Ok {
            deleted.push(id);
        }
    }
    assert!(!deleted.is_empty(), "some Delete answered OK");
    let survivors = |channel: Channel, deleted: Vec<String>| async move {
        let mut images = ImageServiceClient::new(channel);
        let mut found = Vec::new();
        for id in deleted {
            let answer = images
                .get(authed(GetImageRequest {
                    image_id: id.clone(),
                }))
                .await;
            if code(&answer) != Code::NotFound {
                found.push(format!("{id}: {:?}", code(&answer)));
            }
        }
        found
    };
    let before_restart = survivors(server.channel.clone(), deleted.clone()).await;
    server.task.abort();
    let _ = server.task.await;
    let restarted = start_with(unlimited(dir)).await;
    let after_restart = survivors(restarted.channel.clone(), deleted.clone()).await;
    restarted.task.abort();
    assert!(
        before_restart.is_empty() && after_restart.is_empty(),
        "of {} images deleted with OK, found again: {before_restart:?}; after a restart: {after_restart:?}",
        deleted.len()
    );
}
