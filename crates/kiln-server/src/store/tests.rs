//! The store on a real SQLite file: layouts of earlier versions move over whole; a command
//! whose writes fail leaves no trace and spares the others of its group.

use kiln_core::proto::yandex::cloud::operation::Operation;
use prost::Message;
use rusqlite::params;

use super::{seed::DEV_FOLDER, *};
use crate::domain::{self, Change, KeyRecord, Lookup, Records};

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kiln-store-{name}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_database_of_the_first_layout_moves_over_whole() {
    let dir = fresh_dir("first");
    let path = dir.join("kiln.sqlite3");
    let image = Image {
        id: "fd8oldimage".into(),
        folder_id: DEV_FOLDER.into(),
        name: "kept".into(),
        status: image::Status::Creating as i32,
        ..Default::default()
    };
    let operation = Operation {
        id: "fd8oldoperation".into(),
        description: "Create image".into(),
        ..Default::default()
    };
    let work = domain::Work::Copy {
        bytes: 7,
        since: None,
    };
    {
        // The tables as the first layout made them (without its triggers).
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE images (id TEXT PRIMARY KEY, folder_id TEXT NOT NULL,
                 name TEXT NOT NULL, family TEXT NOT NULL, created_at INTEGER NOT NULL,
                 body BLOB NOT NULL);
             CREATE TABLE operations (id TEXT PRIMARY KEY, resource_id TEXT NOT NULL,
                 done INTEGER NOT NULL, request BLOB, body BLOB NOT NULL);
             CREATE TABLE idempotency (key TEXT NOT NULL, method TEXT NOT NULL,
                 request BLOB NOT NULL, operation_id TEXT NOT NULL, PRIMARY KEY (key, method));
             CREATE TABLE folder_images (folder_id TEXT PRIMARY KEY, count INTEGER NOT NULL);",
        )
        .unwrap();
        c.execute(
            "INSERT INTO images VALUES (?1, ?2, 'kept', '', 1, ?3)",
            params![image.id, DEV_FOLDER, image.encode_to_vec()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO operations VALUES (?1, ?2, 0, ?3, ?4)",
            params![
                operation.id,
                image.id,
                work.encode(),
                operation.encode_to_vec()
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO idempotency VALUES ('key 1', 'Create', x'0a0b', ?1)",
            [&operation.id],
        )
        .unwrap();
    }
    let store = Store::open(&path, 1).unwrap();
    // Names and keys are what commands read, on the writer.
    let (named, key) = store
        .apply(|w| {
            let found = (
                w.image_named(DEV_FOLDER, "kept")?,
                w.key(DEV_FOLDER, "key 1")?,
            );
            Ok(Applied::new(found, Vec::new()))
        })
        .await
        .unwrap();
    let read = store
        .read(|r| {
            Ok((
                r.image(&image.id)?,
                named.clone(),
                r.operation(&operation.id)?,
                key.clone(),
                r.operations_of(&image.id, 0, 10)
                    .map_err(|e| Refusal::Storage(e.to_string()))?,
                r.unfinished()
                    .map_err(|e| Refusal::Storage(e.to_string()))?,
            ))
        })
        .unwrap();
    assert_eq!(read.0, Some(image.clone()));
    assert_eq!(read.1, Some(image.id.clone()));
    let record = read.2.unwrap();
    assert_eq!(record.operation, operation);
    assert_eq!(record.folder_id, DEV_FOLDER, "the folder of its image");
    assert_eq!(record.work, Some(work));
    assert_eq!(
        read.3,
        Some(KeyRecord {
            request: vec![0x0a, 0x0b],
            operation_id: operation.id.clone()
        })
    );
    assert_eq!(read.4.items.len(), 1);
    assert_eq!(read.5.len(), 1);
    let tables: Vec<String> = {
        let c = Connection::open(&path).unwrap();
        let mut s = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        tables,
        [
            "disks",
            "idempotency_keys",
            "images",
            "operations",
            "snapshots"
        ]
    );
    drop(store);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_command_whose_writes_fail_leaves_no_trace_and_spares_the_others_of_its_group() {
    let dir = fresh_dir("group");
    let store = Store::open(&dir.join("kiln.sqlite3"), 1 << 30).unwrap();
    let key = |n: u32| Change::AddKey {
        folder_id: "group".into(),
        key: format!("taken-{n}"),
        record: KeyRecord {
            request: Vec::new(),
            operation_id: String::new(),
        },
    };
    // Keys that the failing commands will write again (a primary-key conflict).
    store
        .apply(move |_| Ok(Applied::new((), (0..30).step_by(3).map(key).collect())))
        .await
        .unwrap();
    // Hold the store's thread so that the commands below queue up and run as one group.
    let (held, release) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let store = store.clone();
        let release = Mutex::new(release);
        async move {
            store
                .apply(move |_| {
                    let _ = release.lock().unwrap().recv();
                    Ok(Applied::new((), Vec::new()))
                })
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let calls: Vec<_> = (0..30u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .apply(move |_| {
                        let image = Image {
                            id: format!("fd8group{i:02}"),
                            folder_id: "group".into(),
                            name: format!("group-{i}"),
                            ..Default::default()
                        };
                        let mut changes = vec![Change::AddImage(Box::new(image))];
                        if i % 3 == 0 {
                            changes.push(key(i));
                        }
                        Ok(Applied::new(i, changes))
                    })
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    held.send(()).unwrap();
    holder.await.unwrap().unwrap();
    for (i, call) in calls.into_iter().enumerate() {
        let result = call.await.unwrap();
        assert_eq!(result.is_ok(), i % 3 != 0, "command {i}: {result:?}");
    }
    for i in 0..30 {
        let image = store.read(|r| r.image(&format!("fd8group{i:02}"))).unwrap();
        let named = store
            .apply(move |w| {
                let named = w.image_named("group", &format!("group-{i}"))?;
                Ok(Applied::new(named, Vec::new()))
            })
            .await
            .unwrap();
        assert_eq!(image.is_some(), i % 3 != 0, "image of command {i}");
        assert_eq!(named.is_some(), i % 3 != 0, "name of command {i}");
    }
    // The counts follow only what was committed.
    let counted = store
        .apply(|w| Ok(Applied::new(w.images_in("group"), Vec::new())))
        .await
        .unwrap();
    assert_eq!(counted, 20);
    drop(store);
    std::fs::remove_dir_all(dir).ok();
}

/// What SQLite plans for `sql` (its `EXPLAIN QUERY PLAN` details, one per line).
fn query_plan(c: &Connection, sql: &str) -> String {
    let mut statement = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    for i in 1..=statement.parameter_count() {
        statement
            .raw_bind_parameter(i, rusqlite::types::Value::Null)
            .unwrap();
    }
    let mut rows = statement.raw_query();
    let mut details = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        details.push(row.get::<_, String>(3).unwrap());
    }
    details.join("\n")
}

#[test]
fn every_list_page_is_read_from_an_index_in_its_order_without_sorting() {
    let dir = fresh_dir("plans");
    let path = dir.join("kiln.sqlite3");
    drop(Store::open(&path, 1).unwrap());
    let c = Connection::open(&path).unwrap();
    for column in [OrderColumn::Id, OrderColumn::Name, OrderColumn::CreatedAt] {
        for descending in [false, true] {
            let order = ImageOrder { column, descending };
            let after = match column {
                OrderColumn::Id => After::Id("fd8".into()),
                OrderColumn::Name => After::Name("a".into(), "fd8".into()),
                OrderColumn::CreatedAt => After::CreatedAt(1, "fd8".into()),
            };
            for after in [After::Start, after] {
                let sql = rows::images_sql(false, order, &after).unwrap();
                let plan = query_plan(&c, &sql);
                assert!(
                    plan.contains("USING INDEX images_by_") && !plan.contains("TEMP B-TREE"),
                    "{order:?} after {after:?}: {plan}"
                );
            }
        }
    }
    // A name filter finds its image (names are unique in a folder) through the name's index.
    let order = ImageOrder {
        column: OrderColumn::CreatedAt,
        descending: true,
    };
    let plan = query_plan(&c, &rows::images_sql(true, order, &After::Start).unwrap());
    assert!(plan.contains("USING INDEX images_by_name"), "{plan}");
    for sql in [rows::LATEST_BY_FAMILY, rows::OPERATIONS_OF] {
        let plan = query_plan(&c, sql);
        assert!(
            plan.contains("USING INDEX") && !plan.contains("TEMP B-TREE"),
            "{sql}: {plan}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}
