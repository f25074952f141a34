//! Every rule of the domain, on records held in plain maps: no SQLite, tokio or tonic.

use std::collections::BTreeMap;

use kiln_core::proto::{
    google::rpc::Code,
    yandex::cloud::{
        compute::v1::{
            CreateImageRequest, Disk, Image, Snapshot, UpdateImageRequest,
            create_image_request::Source, image,
        },
        operation::operation,
    },
};

use super::*;

/// Records in maps; [`Memory::write`] applies a command's changes as the store does.
#[derive(Default)]
struct Memory {
    images: BTreeMap<String, Image>,
    operations: BTreeMap<String, OperationRecord>,
    keys: BTreeMap<(String, String), KeyRecord>,
    disks: BTreeMap<String, Disk>,
}

impl Lookup for Memory {
    fn image(&self, id: &str) -> Result<Option<Image>, Refusal> {
        Ok(self.images.get(id).cloned())
    }
    fn operation(&self, id: &str) -> Result<Option<OperationRecord>, Refusal> {
        Ok(self.operations.get(id).cloned())
    }
    fn disk(&self, id: &str) -> Result<Option<Disk>, Refusal> {
        Ok(self.disks.get(id).cloned())
    }
    fn snapshot(&self, _: &str) -> Result<Option<Snapshot>, Refusal> {
        Ok(None)
    }
}

impl Records for Memory {
    fn image_named(&self, folder: &str, name: &str) -> Result<Option<String>, Refusal> {
        Ok(self
            .images
            .values()
            .find(|i| i.folder_id == folder && i.name == name)
            .map(|i| i.id.clone()))
    }
    fn key(&self, folder: &str, key: &str) -> Result<Option<KeyRecord>, Refusal> {
        Ok(self.keys.get(&(folder.into(), key.into())).cloned())
    }
    fn images_in(&self, folder: &str) -> i64 {
        self.images
            .values()
            .filter(|i| i.folder_id == folder)
            .count() as i64
    }
    fn running_in(&self, folder: &str) -> i64 {
        let running = self.operations.values();
        running
            .filter(|o| o.folder_id == folder && !o.operation.done)
            .count() as i64
    }
}

impl Memory {
    /// No records but `disk-1` of `folder` and `disk-b` of folder `b`.
    fn with_disk(folder: &str) -> Memory {
        let mut m = Memory::default();
        m.disks.insert("disk-1".into(), disk("disk-1", folder));
        m.disks.insert("disk-b".into(), disk("disk-b", "b"));
        m
    }

    fn write<R>(&mut self, applied: Result<Applied<R>, Refusal>) -> Result<R, Refusal> {
        let applied = applied?;
        for change in applied.changes {
            match change {
                Change::AddImage(image) => {
                    assert!(!self.images.contains_key(&image.id), "{image:?} exists");
                    self.images.insert(image.id.clone(), *image);
                }
                Change::ReplaceImage(image) => {
                    assert!(
                        self.images.contains_key(&image.id),
                        "{image:?} is not stored"
                    );
                    self.images.insert(image.id.clone(), *image);
                }
                Change::RemoveImage { id, .. } => {
                    self.images.remove(&id);
                }
                Change::AddOperation(record) => {
                    let id = record.operation.id.clone();
                    assert!(!self.operations.contains_key(&id), "{id} exists");
                    self.operations.insert(id, *record);
                }
                Change::ReplaceOperation(record) => {
                    let id = record.operation.id.clone();
                    let running = self.operations.get(&id).is_some_and(|o| !o.operation.done);
                    assert!(running, "{id} is not running");
                    self.operations.insert(id, *record);
                }
                Change::AddKey {
                    folder_id,
                    key,
                    record,
                } => {
                    self.keys.insert((folder_id, key), record);
                }
                Change::Reset { images } => {
                    *self = Memory {
                        disks: std::mem::take(&mut self.disks),
                        ..Memory::default()
                    };
                    for image in images {
                        self.images.insert(image.id.clone(), image);
                    }
                }
            }
        }
        Ok(applied.reply)
    }
}

const GIB: i64 = 1 << 30;
const NOW: Now = Now {
    timestamp: prost_types::Timestamp {
        seconds: 1_800_000_000,
        nanos: 0,
    },
    micros: 1_800_000_000_000_000,
};
const LIMITS: Limits = Limits {
    running_operations: 3,
    images: 5,
};

fn folders(list: &[&str]) -> Vec<String> {
    list.iter().map(|f| f.to_string()).collect()
}

fn disk(id: &str, folder: &str) -> Disk {
    Disk {
        id: id.into(),
        folder_id: folder.into(),
        size: 20 * GIB,
        ..Default::default()
    }
}

/// A Create of `name` in folder `a` from a disk of `a`, numbered `n` for its IDs.
fn create_in(name: &str, n: u32) -> CreateImage {
    CreateImage {
        request: CreateImageRequest {
            folder_id: "a".into(),
            name: name.into(),
            source: Some(Source::DiskId("disk-1".into())),
            ..Default::default()
        },
        key: None,
        image_id: format!("img-{n}"),
        operation_id: format!("op-{n}"),
        limits: LIMITS,
        created_by: "subject-a".into(),
    }
}

/// A Memory with READY images `img-1..` in folder `a`, named as given.
fn with_ready(names: &[&str]) -> Memory {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    for (n, name) in names.iter().enumerate() {
        let n = n as u32 + 1;
        m.write(create(&m, Caller { folders: &a }, &create_in(name, n), NOW))
            .unwrap();
        m.write(finish_copy(&m, &format!("op-{n}"), NOW)).unwrap();
    }
    m
}

fn rename(image_id: &str, name: &str, n: u32) -> UpdateImage {
    UpdateImage {
        request: UpdateImageRequest {
            image_id: image_id.into(),
            name: name.into(),
            ..Default::default()
        },
        paths: vec![(0, "name".into())],
        operation_id: format!("upd-{n}"),
        created_by: "subject-a".into(),
    }
}

#[test]
fn create_stores_a_creating_image_and_a_running_operation_with_its_copy() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    let operation = m
        .write(create(
            &m,
            Caller { folders: &a },
            &create_in("one", 1),
            NOW,
        ))
        .unwrap();
    assert!(!operation.done);
    let image = &m.images["img-1"];
    assert_eq!(image.status(), image::Status::Creating);
    assert_eq!(image.min_disk_size, 20 * GIB);
    let record = &m.operations["op-1"];
    assert_eq!(record.folder_id, "a");
    assert_eq!(
        record.work,
        Some(Work::Copy {
            bytes: 20 * GIB,
            since: Some(NOW.micros)
        })
    );
    assert_eq!(m.running_in("a"), 1);
    m.write(finish_copy(&m, "op-1", NOW)).unwrap();
    assert_eq!(m.images["img-1"].status(), image::Status::Ready);
    assert_eq!(m.images["img-1"].storage_size, 20 * GIB);
    let done = &m.operations["op-1"].operation;
    assert!(done.done);
    assert!(matches!(done.result, Some(operation::Result::Response(_))));
    assert_eq!(m.running_in("a"), 0);
}

#[test]
fn create_checks_folder_source_size_name_and_quotas() {
    let m = with_ready(&["taken"]);
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    let check = |command: CreateImage, expected: Refusal| {
        assert_eq!(create(&m, caller, &command, NOW), Err(expected));
    };
    let mut other_folder = create_in("x", 9);
    other_folder.request.folder_id = "b".into();
    check(
        other_folder,
        Refusal::PermissionDenied { folder: "b".into() },
    );
    // A disk of another folder answers as a disk that does not exist.
    let mut foreign_disk = create_in("x", 9);
    foreign_disk.request.source = Some(Source::DiskId("disk-b".into()));
    let mut no_disk = create_in("x", 9);
    no_disk.request.source = Some(Source::DiskId("disk-0".into()));
    let not_found = |id: &str| Refusal::NotFound {
        kind: "disk",
        id: id.into(),
    };
    check(foreign_disk, not_found("disk-b"));
    check(no_disk, not_found("disk-0"));
    let mut no_source = create_in("x", 9);
    no_source.request.source = None;
    check(no_source, Refusal::NoSource);
    let mut small = create_in("x", 9);
    small.request.min_disk_size = 10 * GIB;
    check(small, Refusal::MinDiskSize { needed: 20 * GIB });
    check(
        create_in("taken", 9),
        Refusal::NameTaken {
            name: "taken".into(),
            folder: "a".into(),
        },
    );
    let mut from_image = create_in("x", 9);
    from_image.request.source = Some(Source::ImageId("img-1".into()));
    assert!(create(&m, caller, &from_image, NOW).is_ok());
}

#[test]
fn quotas_count_running_operations_and_images_of_the_folder() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    for n in 1..=3 {
        m.write(create(&m, caller, &create_in("", n), NOW)).unwrap();
    }
    assert_eq!(
        create(&m, caller, &create_in("", 4), NOW),
        Err(Refusal::RunningOperations { limit: 3 })
    );
    for n in 1..=3 {
        m.write(finish_copy(&m, &format!("op-{n}"), NOW)).unwrap();
    }
    for n in 4..=5 {
        m.write(create(&m, caller, &create_in("", n), NOW)).unwrap();
    }
    assert_eq!(
        create(&m, caller, &create_in("", 6), NOW),
        Err(Refusal::Images { limit: 5 })
    );
}

#[test]
fn an_idempotency_key_replays_its_operation_per_folder_and_refuses_another_request() {
    let mut m = Memory::with_disk("a");
    let ab = folders(&["a", "b"]);
    let caller = Caller { folders: &ab };
    let keyed = |name: &str, folder: &str, n: u32| {
        let mut c = create_in(name, n);
        c.request.folder_id = folder.into();
        c.key = Some("k".into());
        c
    };
    let first = m
        .write(create(&m, caller, &keyed("one", "a", 1), NOW))
        .unwrap();
    let again = create(&m, caller, &keyed("one", "a", 2), NOW).unwrap();
    assert_eq!(again.reply, first);
    assert!(again.changes.is_empty());
    assert_eq!(
        create(&m, caller, &keyed("two", "a", 3), NOW),
        Err(Refusal::KeyReused { key: "k".into() })
    );
    // The same key in another folder is another key.
    let other = m
        .write(create(&m, caller, &keyed("one", "b", 4), NOW))
        .unwrap();
    assert_ne!(other.id, first.id);
}

#[test]
fn update_keeps_names_unique_and_refuses_what_it_cannot_change() {
    let mut m = with_ready(&["first", "second"]);
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    assert_eq!(
        update(&m, caller, &rename("img-2", "first", 1), NOW),
        Err(Refusal::NameTaken {
            name: "first".into(),
            folder: "a".into()
        })
    );
    // Its own name again is no conflict.
    m.write(update(&m, caller, &rename("img-1", "first", 2), NOW))
        .unwrap();
    m.write(update(&m, caller, &rename("img-1", "third", 3), NOW))
        .unwrap();
    m.write(update(&m, caller, &rename("img-2", "first", 4), NOW))
        .unwrap();
    assert_eq!(m.images["img-2"].name, "first");
    let mut mask = rename("img-1", "x", 5);
    // Indexes are the mask's own (the handler keeps a field named twice once).
    mask.paths = vec![(0, "description".into()), (2, "image_id".into())];
    assert_eq!(
        update(&m, caller, &mask, NOW),
        Err(Refusal::NotUpdatable {
            index: 2,
            path: "image_id".into()
        })
    );
    let mut small = rename("img-1", "", 6);
    small.paths = vec![(0, "min_disk_size".into())];
    small.request.min_disk_size = GIB;
    assert_eq!(
        update(&m, caller, &small, NOW),
        Err(Refusal::MinDiskSize { needed: 20 * GIB })
    );
    let b = folders(&["b"]);
    assert_eq!(
        update(&m, Caller { folders: &b }, &rename("img-1", "y", 7), NOW),
        Err(Refusal::NotFound {
            kind: "image",
            id: "img-1".into()
        })
    );
}

#[test]
fn an_image_being_created_cannot_be_updated_or_deleted_and_a_deleted_one_is_gone() {
    let mut m = with_ready(&["kept"]);
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    m.write(create(&m, caller, &create_in("new", 2), NOW))
        .unwrap();
    let creating = Refusal::Creating {
        image_id: "img-2".into(),
    };
    assert_eq!(
        update(&m, caller, &rename("img-2", "x", 1), NOW),
        Err(creating.clone())
    );
    assert_eq!(
        delete(&m, caller, "img-2", "del-1", "subject-a", NOW),
        Err(creating)
    );
    m.write(delete(&m, caller, "img-1", "del-2", "subject-a", NOW))
        .unwrap();
    let gone = Refusal::NotFound {
        kind: "image",
        id: "img-1".into(),
    };
    assert_eq!(
        update(&m, caller, &rename("img-1", "x", 2), NOW),
        Err(gone.clone())
    );
    assert_eq!(
        delete(&m, caller, "img-1", "del-3", "subject-a", NOW),
        Err(gone)
    );
    assert_eq!(m.operations["del-2"].folder_id, "a");
    // The name is free again.
    assert!(create(&m, caller, &create_in("kept", 3), NOW).is_ok());
}

#[test]
fn cancel_ends_a_running_create_once_and_only_for_its_folder() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    let b = folders(&["b"]);
    m.write(create(&m, Caller { folders: &a }, &create_in("x", 1), NOW))
        .unwrap();
    let hidden = Refusal::NotFound {
        kind: "operation",
        id: "op-1".into(),
    };
    assert_eq!(
        cancel(&m, Caller { folders: &b }, "op-1", NOW),
        Err(hidden.clone())
    );
    assert_eq!(
        cancel(&m, Caller { folders: &b }, "op-404", NOW),
        Err(Refusal::NotFound {
            kind: "operation",
            id: "op-404".into()
        })
    );
    assert_eq!(
        visible_operation(&m, Caller { folders: &b }, "op-1"),
        Err(hidden)
    );
    let (ended, removed) = m
        .write(cancel(&m, Caller { folders: &a }, "op-1", NOW))
        .unwrap();
    assert_eq!(removed.as_deref(), Some("img-1"));
    let Some(operation::Result::Error(status)) = &ended.result else {
        panic!("{ended:?}")
    };
    assert_eq!(status.code, Code::Cancelled as i32);
    assert!(!m.images.contains_key("img-1"));
    // The copy's end comes too late and changes nothing; a second Cancel neither.
    assert!(finish_copy(&m, "op-1", NOW).unwrap().changes.is_empty());
    let again = cancel(&m, Caller { folders: &a }, "op-1", NOW).unwrap();
    assert!(again.changes.is_empty());
    assert_eq!(again.reply, (ended, None));
}

#[test]
fn an_import_hands_over_its_copy_or_fails_on_the_min_disk_size_rule() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    let import = |n: u32, min: i64| {
        let mut c = create_in("", n);
        c.request.source = Some(Source::Uri("https://example.com/a.qcow2".into()));
        c.request.min_disk_size = min;
        c
    };
    m.write(create(&m, caller, &import(1, 0), NOW)).unwrap();
    m.write(create(&m, caller, &import(2, 5 * GIB), NOW))
        .unwrap();
    m.write(create(&m, caller, &import(3, 0), NOW)).unwrap();
    assert_eq!(
        m.write(begin_copy(&m, "op-1", 1 << 20, 1 << 19, NOW)),
        Ok(CopyStart::Started)
    );
    // A tiny disk still gets the API's smallest min_disk_size.
    assert_eq!(m.images["img-1"].min_disk_size, 4 << 20);
    assert_eq!(
        m.operations["op-1"].work,
        Some(Work::Copy {
            bytes: 1 << 19,
            since: Some(NOW.micros)
        })
    );
    let failed = m.write(begin_copy(&m, "op-2", 10 * GIB, GIB, NOW)).unwrap();
    assert_eq!(
        failed,
        CopyStart::Failed(Refusal::MinDiskSize { needed: 10 * GIB }.to_string())
    );
    assert!(!m.images.contains_key("img-2"));
    assert!(m.operations["op-2"].operation.done);
    m.write(cancel(&m, caller, "op-3", NOW)).unwrap();
    assert_eq!(
        m.write(begin_copy(&m, "op-3", GIB, GIB, NOW)),
        Ok(CopyStart::Gone)
    );
}

#[test]
fn progress_changes_only_a_running_operations_description() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    m.write(create(&m, Caller { folders: &a }, &create_in("x", 1), NOW))
        .unwrap();
    m.write(progress(&m, "op-1", "Create image: 50%".into(), NOW))
        .unwrap();
    assert_eq!(
        m.operations["op-1"].operation.description,
        "Create image: 50%"
    );
    m.write(finish_copy(&m, "op-1", NOW)).unwrap();
    // Done, the operation says what it did, as the real API does: its progress is gone.
    assert_eq!(m.operations["op-1"].operation.description, "Create image");
    assert!(
        progress(&m, "op-1", "late".into(), NOW)
            .unwrap()
            .changes
            .is_empty()
    );
    assert_eq!(
        end_with_error(&m, "op-1", Code::Internal, "late", NOW)
            .unwrap()
            .changes,
        Vec::new()
    );
}

#[test]
fn every_operation_names_its_subject_and_an_ended_one_drops_its_progress() {
    let mut m = Memory::with_disk("a");
    let a = folders(&["a"]);
    let caller = Caller { folders: &a };
    let started = m
        .write(create(&m, caller, &create_in("x", 1), NOW))
        .unwrap();
    assert_eq!(started.created_by, "subject-a");
    m.write(progress(&m, "op-1", "Create image: 50%".into(), NOW))
        .unwrap();
    let (cancelled, _) = m.write(cancel(&m, caller, "op-1", NOW)).unwrap();
    assert_eq!(cancelled.description, "Create image");
    assert_eq!(cancelled.created_by, "subject-a");
    m.write(create(&m, caller, &create_in("y", 2), NOW))
        .unwrap();
    m.write(progress(&m, "op-2", "Create image: 50%".into(), NOW))
        .unwrap();
    m.write(end_with_error(&m, "op-2", Code::Internal, "broken", NOW))
        .unwrap();
    assert_eq!(m.operations["op-2"].operation.description, "Create image");
    m.write(create(&m, caller, &create_in("z", 3), NOW))
        .unwrap();
    m.write(finish_copy(&m, "op-3", NOW)).unwrap();
    let updated = m
        .write(update(&m, caller, &rename("img-3", "w", 1), NOW))
        .unwrap();
    assert_eq!(updated.created_by, "subject-a");
    let deleted = m
        .write(delete(&m, caller, "img-3", "del-1", "subject-b", NOW))
        .unwrap();
    assert_eq!(deleted.created_by, "subject-b");
}
