//! A seeded, bounded protobuf fuzz of every RPC the service serves (every method of
//! ImageService, OperationService, DiskService and SnapshotService, read from the descriptors).
//!
//! Requests are made generically from the descriptors (`DynamicMessage`): random values per
//! field kind with edge values, field masks mixing real field names with camelCase, upper
//! case, `__` and dots, then raw-byte mutations of valid encodings and plain random bytes. They
//! go out as raw bytes through a generic unary call, mostly with the development token.
//!
//! The contract: the server never panics (a panic hook in this process counts panics raised
//! outside the tests), every call ends with a well-formed status of an expected code, and the
//! server still answers normally afterwards.

use std::{
    collections::BTreeMap,
    sync::{
        Mutex, Once,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use kiln_core::{
    proto::yandex::cloud::{
        access::{
            AccessBinding, AccessBindingAction, AccessBindingDelta, ListAccessBindingsRequest,
            SetAccessBindingsRequest, Subject, UpdateAccessBindingsRequest,
        },
        compute::v1::{
            CreateImageRequest, DeleteImageRequest, GetDiskRequest, GetImageLatestByFamilyRequest,
            GetImageRequest, GetSnapshotRequest, ListDisksRequest, ListImageOperationsRequest,
            ListImagesRequest, ListSnapshotsRequest, UpdateImageRequest,
        },
        operation::{CancelOperationRequest, GetOperationRequest},
    },
    reflect::DESCRIPTOR_POOL,
};
use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN};
use prost::{Message, bytes::Bytes};
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, MethodDescriptor, Value,
};
use tonic::Code;
use tonic_types::StatusExt;

use super::{authed, call_raw, fresh_dir, from_disk, image_id, start_with, wait_done, with_token};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    operation::operation_service_client::OperationServiceClient,
};

const SEED: u64 = 0x6b69_6c6e_0000_0012;
const CASES_PER_RPC: usize = 300;
const SERVICES: [&str; 4] = [
    "yandex.cloud.compute.v1.ImageService",
    "yandex.cloud.operation.OperationService",
    "yandex.cloud.compute.v1.DiskService",
    "yandex.cloud.compute.v1.SnapshotService",
];

/// The codes a request of any content may get. UNKNOWN, INTERNAL, UNAVAILABLE (a reset stream,
/// a dropped connection) and the rest mean the server failed.
const EXPECTED: [Code; 9] = [
    Code::Ok,
    Code::InvalidArgument,
    Code::NotFound,
    Code::AlreadyExists,
    Code::PermissionDenied,
    Code::FailedPrecondition,
    Code::ResourceExhausted,
    Code::Unauthenticated,
    Code::Unimplemented,
];

/// Panics raised outside the test code on the fuzz test's thread (where its server's
/// handlers run: the test runtime has one thread), since the process started. Panics of
/// other tests' servers, running at the same time, are not counted.
static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);
/// The fuzz test's thread.
static FUZZ_THREAD: Mutex<Option<std::thread::ThreadId>> = Mutex::new(None);
/// Where they were raised and what they said, with how many times.
static PANIC_SITES: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

/// Counts the panics of the fuzz test's server (raised on this thread, outside this test
/// binary's sources), then reports every panic as usual.
fn count_server_panics() {
    *FUZZ_THREAD.lock().unwrap() = Some(std::thread::current().id());
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let on_fuzz_thread = *FUZZ_THREAD.lock().unwrap_or_else(|e| e.into_inner())
                == Some(std::thread::current().id());
            if on_fuzz_thread && !location.contains("tests/it/") {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let mut sites = PANIC_SITES.lock().unwrap_or_else(|e| e.into_inner());
                *sites.entry(format!("{location}: {payload}")).or_default() += 1;
            }
            previous(info);
        }));
    });
}

/// What one call is made of.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// A message generated from the descriptor.
    Generated,
    /// A valid request about real resources with some fields changed or cleared.
    Perturbed,
    /// A generated message's encoding with bytes flipped, cut, inserted or repeated.
    Mutated,
    /// Random bytes.
    Random,
}

#[tokio::test]
async fn every_rpc_survives_a_seeded_protobuf_fuzz() {
    count_server_panics();
    let panics_before = SERVER_PANICS.load(Ordering::SeqCst);
    let server = start_with(Config {
        copy_rate: 1 << 50, // copies end at once
        ..Config::development(fresh_dir("fuzz"))
    })
    .await;
    // Real resources for the requests to name: three READY images and their operations.
    let mut images = ImageServiceClient::new(server.channel.clone());
    let mut operations = OperationServiceClient::new(server.channel.clone());
    let (mut image_ids, mut operation_ids) = (Vec::new(), Vec::new());
    for i in 0..3 {
        let started = images
            .create(authed(from_disk(&format!("fuzz-{i}"))))
            .await
            .unwrap()
            .into_inner();
        wait_done(&mut operations, &started.id).await;
        image_ids.push(image_id(&started));
        operation_ids.push(started.id);
    }
    let seeds = seeds(&image_ids, &operation_ids);
    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(SEED),
        real: image_ids.iter().chain(&operation_ids).cloned().collect(),
    };
    let methods: Vec<MethodDescriptor> = SERVICES
        .iter()
        .flat_map(|name| {
            DESCRIPTOR_POOL
                .get_service_by_name(name)
                .unwrap_or_else(|| panic!("{name} is in the descriptor pool"))
                .methods()
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(methods.len(), 16, "10 + 2 + 2 + 2 methods");
    let started = Instant::now();
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for method in &methods {
        let path = format!("{}/{}", method.parent_service().full_name(), method.name());
        let input = method.input();
        let seed = seeds
            .get(input.full_name())
            .unwrap_or_else(|| panic!("a seed request for {}", input.full_name()));
        for case in 0..CASES_PER_RPC {
            let (shape, body) = generator.request(&input, seed, case);
            let token = match generator.rng.u8(..) {
                0..20 => None,
                20..30 => Some("nope"),
                _ => Some(DEV_TOKEN),
            };
            let decodes = DynamicMessage::decode(input.clone(), body.as_slice()).is_ok();
            let request = with_token(body.clone(), token);
            let answer = tokio::time::timeout(
                Duration::from_secs(10),
                call_raw(&server.channel, &path, request),
            )
            .await
            .unwrap_or_else(|_| Err(tonic::Status::deadline_exceeded("no answer in 10 s")));
            let (code, mut problem) = judge(&answer, &method.output(), decodes);
            // Without a known token nothing else is answered, whatever the body holds.
            if token != Some(DEV_TOKEN) && code != Code::Unauthenticated && problem.is_none() {
                problem = Some(format!("{code:?} without a known token"));
            }
            let label = if code == Code::Internal && !decodes {
                "Internal (undecodable body)".to_owned()
            } else {
                format!("{code:?}")
            };
            *counts
                .entry(path.clone())
                .or_default()
                .entry(label)
                .or_default() += 1;
            if let Some(problem) = problem {
                let example = format!(
                    "case {case} ({shape:?}, token {token:?}, body {})",
                    hex(&body)
                );
                let entry = failures
                    .entry(format!("{path}: {problem}"))
                    .or_insert((0, example));
                entry.0 += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    // The server still answers a normal Get and List.
    let disk = call_raw(
        &server.channel,
        "yandex.cloud.compute.v1.DiskService/Get",
        with_token(
            GetDiskRequest {
                disk_id: "fhm0dev0disk0ubuntu1".into(),
            }
            .encode_to_vec(),
            Some(DEV_TOKEN),
        ),
    )
    .await;
    let list = call_raw(
        &server.channel,
        "yandex.cloud.compute.v1.ImageService/List",
        with_token(
            ListImagesRequest {
                folder_id: DEV_FOLDER.into(),
                ..Default::default()
            }
            .encode_to_vec(),
            Some(DEV_TOKEN),
        ),
    )
    .await;
    server.task.abort();

    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    println!("fuzz: {CASES_PER_RPC} cases per RPC, seed {SEED:#x}, {elapsed:.1?}");
    for (path, by_code) in &counts {
        println!("  {path}: {by_code:?}");
        for (code, n) in by_code {
            *totals.entry(code).or_default() += n;
        }
    }
    println!("  all: {totals:?}");
    let panics = SERVER_PANICS.load(Ordering::SeqCst) - panics_before;
    let sites = PANIC_SITES.lock().unwrap().clone();
    println!("  server panics: {panics} {sites:#?}");
    let unexpected: usize = failures.values().map(|(n, _)| n).sum();
    println!("  unexpected answers: {unexpected}");
    for (failure, (n, example)) in &failures {
        println!("    {n} x {failure}\n        e.g. {example}");
    }
    assert_eq!(panics, 0, "the server panicked: {sites:#?}");
    assert!(
        failures.is_empty(),
        "{unexpected} unexpected answers: {:#?}",
        failures.keys().collect::<Vec<_>>()
    );
    assert!(disk.is_ok(), "a normal disk Get afterwards: {disk:?}");
    assert!(list.is_ok(), "a normal List afterwards: {list:?}");
}

/// The answer's code, and what is wrong with it, if anything.
///
/// A body that does not decode as the request type never reaches the service's code: tonic
/// answers INTERNAL for it (tonic-prost maps a `DecodeError` to INTERNAL, citing gRPC's status
/// code table), so for those INTERNAL is accepted as well as INVALID_ARGUMENT.
fn judge(
    answer: &Result<Vec<u8>, tonic::Status>,
    output: &MessageDescriptor,
    decodes: bool,
) -> (Code, Option<String>) {
    match answer {
        Ok(bytes) => match DynamicMessage::decode(output.clone(), bytes.as_slice()) {
            Ok(_) => (Code::Ok, None),
            Err(e) => (
                Code::Ok,
                Some(format!(
                    "OK, but the response is no {}: {e}",
                    output.full_name()
                )),
            ),
        },
        Err(status) => {
            let code = status.code();
            let expected = EXPECTED.contains(&code)
                || (!decodes && matches!(code, Code::Internal | Code::InvalidArgument));
            // A status with a source was made by the client from a transport error (a reset
            // stream, headers too large to read), not sent by the server; its code is whatever
            // the HTTP/2 reason maps to (ENHANCE_YOUR_CALM: RESOURCE_EXHAUSTED).
            let problem = if let Some(source) = std::error::Error::source(status) {
                Some(format!(
                    "{code:?} from the transport: {} ({source})",
                    status.message()
                ))
            } else if !expected {
                Some(format!("{code:?}: {}", status.message()))
            } else if let Err(e) = status.check_error_details() {
                Some(format!(
                    "{code:?} with undecodable grpc-status-details-bin: {e}"
                ))
            } else {
                None
            };
            (code, problem)
        }
    }
}

/// A valid request of every input type, about real resources: the perturbed cases start from
/// these, so that they get past validation and look-ups into the handlers.
fn seeds(images: &[String], operations: &[String]) -> BTreeMap<String, Vec<u8>> {
    fn entry<M: prost_reflect::ReflectMessage>(message: M) -> (String, Vec<u8>) {
        (
            message.descriptor().full_name().to_owned(),
            message.encode_to_vec(),
        )
    }
    let binding = AccessBinding {
        role_id: "viewer".into(),
        subject: Some(Subject {
            id: "someone".into(),
            r#type: "userAccount".into(),
        }),
    };
    [
        entry(GetImageRequest {
            image_id: "fd80dev0image0ubuntu".into(),
        }),
        entry(GetImageLatestByFamilyRequest {
            folder_id: DEV_FOLDER.into(),
            family: "ubuntu-2404".into(),
        }),
        entry(ListImagesRequest {
            folder_id: DEV_FOLDER.into(),
            page_size: 2,
            ..Default::default()
        }),
        entry(CreateImageRequest {
            labels: [("env".to_owned(), "fuzz".to_owned())].into(),
            ..from_disk("fuzz-created")
        }),
        entry(UpdateImageRequest {
            image_id: images[0].clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["description".into(), "min_disk_size".into()],
            }),
            description: "fuzzed".into(),
            min_disk_size: 40 << 30,
            ..Default::default()
        }),
        entry(DeleteImageRequest {
            image_id: images[1].clone(),
        }),
        entry(ListImageOperationsRequest {
            image_id: images[0].clone(),
            page_size: 1,
            ..Default::default()
        }),
        entry(ListAccessBindingsRequest {
            resource_id: images[0].clone(),
            ..Default::default()
        }),
        entry(SetAccessBindingsRequest {
            resource_id: images[0].clone(),
            access_bindings: vec![binding.clone()],
        }),
        entry(UpdateAccessBindingsRequest {
            resource_id: images[0].clone(),
            access_binding_deltas: vec![AccessBindingDelta {
                action: AccessBindingAction::Add as i32,
                access_binding: Some(binding),
            }],
        }),
        entry(GetOperationRequest {
            operation_id: operations[0].clone(),
        }),
        entry(CancelOperationRequest {
            operation_id: operations[2].clone(),
        }),
        entry(GetDiskRequest {
            disk_id: "fhm0dev0disk0ubuntu1".into(),
        }),
        entry(ListDisksRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }),
        entry(GetSnapshotRequest {
            snapshot_id: "fd80dev0snap0ubuntu1".into(),
        }),
        entry(ListSnapshotsRequest {
            folder_id: DEV_FOLDER.into(),
            ..Default::default()
        }),
    ]
    .into_iter()
    .collect()
}

/// Makes the requests: a seeded generator and the IDs of real resources to name.
struct Generator {
    rng: fastrand::Rng,
    real: Vec<String>,
}

impl Generator {
    /// The `case`-th request of a method: of 10, 3 generated, 3 perturbed, 3 mutated, 1 random.
    fn request(&mut self, input: &MessageDescriptor, seed: &[u8], case: usize) -> (Shape, Vec<u8>) {
        match case % 10 {
            0..3 => (Shape::Generated, self.message(input, 0).encode_to_vec()),
            3..6 => {
                let mut message =
                    DynamicMessage::decode(input.clone(), seed).expect("a seed decodes");
                for field in input.fields() {
                    match self.rng.u8(..8) {
                        0 | 1 => self.set(&mut message, input, &field, 0),
                        2 => message.clear_field(&field),
                        _ => {}
                    }
                }
                (Shape::Perturbed, message.encode_to_vec())
            }
            6..9 => {
                let mut bytes = self.message(input, 0).encode_to_vec();
                if self.rng.bool() {
                    bytes = seed.to_vec();
                }
                for _ in 0..self.rng.usize(1..4) {
                    self.mutate(&mut bytes);
                }
                (Shape::Mutated, bytes)
            }
            _ => {
                let len = self.rng.usize(0..64);
                (Shape::Random, (0..len).map(|_| self.rng.u8(..)).collect())
            }
        }
    }

    /// A random message of type `descriptor`: each field set with probability 1/2 (a oneof
    /// keeps the last one set), nested messages to depth 3.
    fn message(&mut self, descriptor: &MessageDescriptor, depth: usize) -> DynamicMessage {
        let mut message = DynamicMessage::new(descriptor.clone());
        for field in descriptor.fields() {
            if self.rng.bool() {
                self.set(&mut message, descriptor, &field, depth);
            }
        }
        message
    }

    /// Sets `field` of `message` (of type `owner`) to a random value.
    fn set(
        &mut self,
        message: &mut DynamicMessage,
        owner: &MessageDescriptor,
        field: &FieldDescriptor,
        depth: usize,
    ) {
        if let Kind::Message(inner) = field.kind()
            && inner.full_name() == "google.protobuf.FieldMask"
        {
            let mask = self.field_mask(owner, &inner);
            message.set_field(field, Value::Message(mask));
            return;
        }
        let value = if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                unreachable!("a map field is a message of entries")
            };
            let (key, value) = (entry.map_entry_key_field(), entry.map_entry_value_field());
            let entries = (0..self.count())
                .filter_map(|_| {
                    let key = match self.single(&key.kind(), key.name(), depth) {
                        Value::String(s) => MapKey::String(s),
                        Value::I32(n) => MapKey::I32(n),
                        Value::I64(n) => MapKey::I64(n),
                        Value::U32(n) => MapKey::U32(n),
                        Value::U64(n) => MapKey::U64(n),
                        Value::Bool(b) => MapKey::Bool(b),
                        _ => return None,
                    };
                    Some((key, self.single(&value.kind(), value.name(), depth)))
                })
                .collect();
            Value::Map(entries)
        } else if field.is_list() {
            Value::List(
                (0..self.count())
                    .map(|_| self.single(&field.kind(), field.name(), depth))
                    .collect(),
            )
        } else {
            self.single(&field.kind(), field.name(), depth)
        };
        message.set_field(field, value);
    }

    /// How many items a list or map gets: mostly a few, sometimes more than a 64-item limit.
    fn count(&mut self) -> usize {
        match self.rng.u8(..) {
            0..200 => self.rng.usize(0..4),
            200..250 => self.rng.usize(4..20),
            _ => 65,
        }
    }

    /// One random value of `kind` (a field named `name`), with edge values likely.
    fn single(&mut self, kind: &Kind, name: &str, depth: usize) -> Value {
        let rng = &mut self.rng;
        match kind {
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
                Value::I32(edge(rng, &[0, -1, 1, i32::MIN, i32::MAX], |r| r.i32(..)))
            }
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(edge(
                rng,
                &[0, -1, 1, i64::MIN, i64::MAX, 1 << 30, 20 << 30, 1001],
                |r| r.i64(..),
            )),
            Kind::Uint32 | Kind::Fixed32 => Value::U32(edge(rng, &[0, 1, u32::MAX], |r| r.u32(..))),
            Kind::Uint64 | Kind::Fixed64 => Value::U64(edge(rng, &[0, 1, u64::MAX], |r| r.u64(..))),
            Kind::Float => Value::F32(edge(
                rng,
                &[0.0, -1.0, f32::NAN, f32::INFINITY, f32::MIN],
                fastrand::Rng::f32,
            )),
            Kind::Double => Value::F64(edge(
                rng,
                &[0.0, -1.0, f64::NAN, f64::NEG_INFINITY, f64::MAX],
                fastrand::Rng::f64,
            )),
            Kind::Bool => Value::Bool(rng.bool()),
            Kind::String => Value::String(self.string(name)),
            Kind::Bytes => Value::Bytes(Bytes::from(
                (0..rng.usize(0..16))
                    .map(|_| rng.u8(..))
                    .collect::<Vec<u8>>(),
            )),
            Kind::Enum(e) => {
                let declared: Vec<i32> = e.values().map(|v| v.number()).collect();
                let number = if rng.u8(..) < 200 {
                    *pick(rng, &declared)
                } else {
                    *pick(rng, &[-1, 99, i32::MAX])
                };
                Value::EnumNumber(number)
            }
            Kind::Message(inner) => {
                if depth >= 3 {
                    Value::Message(DynamicMessage::new(inner.clone()))
                } else {
                    Value::Message(self.message(inner, depth + 1))
                }
            }
        }
    }

    /// A string for a field named `name`: real IDs and names, edge lengths, non-ASCII,
    /// controls. URIs only ever point at a closed loopback port.
    fn string(&mut self, name: &str) -> String {
        let rng = &mut self.rng;
        if name == "uri" {
            return pick(
                rng,
                &[
                    "http://127.0.0.1:9/disk.qcow2",
                    "not a uri",
                    "",
                    "file:///etc/passwd",
                ],
            )
            .to_string();
        }
        const KNOWN: [&str; 12] = [
            "fd80dev0image0ubuntu",
            "fhm0dev0disk0ubuntu1",
            "fd80dev0snap0ubuntu1",
            DEV_FOLDER,
            "other-folder",
            "ubuntu-2404",
            "ubuntu-2404-base",
            "web-1",
            "name=\"web-1\"",
            "name desc",
            "createdAt",
            "100",
        ];
        match rng.u8(..10) {
            0..2 => pick(rng, &KNOWN).to_string(),
            2..4 => pick(rng, &self.real).clone(),
            4 => String::new(),
            5 => "a".repeat(*pick(rng, &[50, 51, 63, 64, 101, 257, 1025, 5000])),
            6 => pick(
                rng,
                &[
                    "имя-образа",
                    "😀",
                    "Bad Name",
                    "a\u{0}b",
                    "\u{202e}x",
                    "__x",
                ],
            )
            .to_string(),
            7 => "é".repeat(rng.usize(1..300)),
            _ => (0..rng.usize(1..24))
                .map(|_| char::from(rng.u8(0x20..0x7f)))
                .collect(),
        }
    }

    /// A field mask over `owner`'s fields: real names, their JSON names, upper case, `__`,
    /// dots, empty paths and words that name nothing.
    fn field_mask(
        &mut self,
        owner: &MessageDescriptor,
        mask: &MessageDescriptor,
    ) -> DynamicMessage {
        let names: Vec<String> = owner.fields().map(|f| f.name().to_owned()).collect();
        let paths: Vec<Value> = (0..self.rng.usize(0..4))
            .map(|_| {
                let real = pick(&mut self.rng, &names).clone();
                let path = match self.rng.u8(..8) {
                    0 | 1 => real,
                    2 => owner
                        .get_field_by_name(&real)
                        .unwrap()
                        .json_name()
                        .to_owned(),
                    3 => real.to_uppercase(),
                    4 => format!("__{real}"),
                    5 => format!("{real}.{real}"),
                    6 => pick(
                        &mut self.rng,
                        &["", "MinDiskSize", "minDiskSize", "labels.env", "a__b", "x_"],
                    )
                    .to_string(),
                    _ => self.string("path"),
                };
                Value::String(path)
            })
            .collect();
        let mut message = DynamicMessage::new(mask.clone());
        message.set_field_by_name("paths", Value::List(paths));
        message
    }

    /// `bytes` with one change: a byte flipped, a cut, random bytes inserted, a run repeated,
    /// or a random field tag appended.
    fn mutate(&mut self, bytes: &mut Vec<u8>) {
        let rng = &mut self.rng;
        match rng.u8(..5) {
            0 if !bytes.is_empty() => {
                let i = rng.usize(..bytes.len());
                bytes[i] ^= 1 << rng.u8(..8);
            }
            1 if !bytes.is_empty() => bytes.truncate(rng.usize(..bytes.len())),
            2 => {
                let at = rng.usize(..=bytes.len());
                let extra: Vec<u8> = (0..rng.usize(1..8)).map(|_| rng.u8(..)).collect();
                bytes.splice(at..at, extra);
            }
            3 if !bytes.is_empty() => {
                let start = rng.usize(..bytes.len());
                let end = rng.usize(start..=bytes.len());
                let run = bytes[start..end].to_vec();
                bytes.splice(end..end, run);
            }
            _ => {
                // A tag of a random field number and wire type, then a value-ish byte run.
                let tag = (rng.u32(1..64) << 3) | rng.u32(0..6);
                prost::encoding::encode_varint(u64::from(tag), bytes);
                bytes.extend((0..rng.usize(0..6)).map(|_| rng.u8(..)));
            }
        }
    }
}

/// One of `edges`, or (as likely as each of them) a `random` value.
fn edge<T: Copy>(
    rng: &mut fastrand::Rng,
    edges: &[T],
    random: impl FnOnce(&mut fastrand::Rng) -> T,
) -> T {
    match rng.usize(..=edges.len()) {
        i if i == edges.len() => random(rng),
        i => edges[i],
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn hex(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(48).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 48 {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}
