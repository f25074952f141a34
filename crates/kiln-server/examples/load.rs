//! Load benchmark of `kiln serve` (not a test): a bounded loopback load generator measuring, at
//! 1, 16 and 64 concurrent clients, Create alone (the operation then runs in the background) and
//! Create + poll-until-done, throughput and latency, and in the same run a trivial unary tonic RPC
//! (a server answering `ImageService.Get` with a constant, no store) as the ceiling, and kiln's own
//! `ImageService.Get` of a stored image (transport, auth and one store read).
//!
//! `cargo run --release -p kiln-server --example load [SECONDS_PER_CELL [CLIENTS,...]]` (default 3
//! seconds, and 1, 16 and 64 clients).
//!
//! Two more measurements, each on a service of its own:
//! - `... --example load growth [CREATES]` (default 100,000): memory and database after that many
//!   finished Creates: the process's resident size of the empty service, its peak after, and
//!   the largest WAL seen while they ran.
//! - `... --example load lists [IMAGES]` (default 50,000): kiln's `Get` alone and while four
//!   clients page through that folder with List (100 per page, by name and by `createdAt desc`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use kiln_core::proto::yandex::cloud::{
    access::{
        ListAccessBindingsRequest, ListAccessBindingsResponse, SetAccessBindingsRequest,
        UpdateAccessBindingsRequest,
    },
    compute::v1::{
        CreateImageRequest, DeleteImageRequest, GetImageLatestByFamilyRequest, GetImageRequest,
        Image, ListImageOperationsRequest, ListImageOperationsResponse, ListImagesRequest,
        ListImagesResponse, UpdateImageRequest, create_image_request::Source,
    },
    operation::{GetOperationRequest, Operation},
};
use kiln_grpc::{
    compute::image_service_client::ImageServiceClient,
    compute::image_service_server::{ImageService, ImageServiceServer},
    operation::operation_service_client::OperationServiceClient,
};
use kiln_server::{Config, DEV_FOLDER, DEV_TOKEN, Quotas};
use tonic::{Request, Response, Status, transport::Channel};

/// The ceiling: every method answers at once without touching anything.
struct Constant;

#[tonic::async_trait]
impl ImageService for Constant {
    async fn get(&self, _: Request<GetImageRequest>) -> Result<Response<Image>, Status> {
        Ok(Response::new(Image {
            id: "fd8constant".into(),
            ..Default::default()
        }))
    }
    async fn get_latest_by_family(
        &self,
        _: Request<GetImageLatestByFamilyRequest>,
    ) -> Result<Response<Image>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn list(
        &self,
        _: Request<ListImagesRequest>,
    ) -> Result<Response<ListImagesResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn create(&self, _: Request<CreateImageRequest>) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn update(&self, _: Request<UpdateImageRequest>) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn delete(&self, _: Request<DeleteImageRequest>) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn list_operations(
        &self,
        _: Request<ListImageOperationsRequest>,
    ) -> Result<Response<ListImageOperationsResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn list_access_bindings(
        &self,
        _: Request<ListAccessBindingsRequest>,
    ) -> Result<Response<ListAccessBindingsResponse>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn set_access_bindings(
        &self,
        _: Request<SetAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(""))
    }
    async fn update_access_bindings(
        &self,
        _: Request<UpdateAccessBindingsRequest>,
    ) -> Result<Response<Operation>, Status> {
        Err(Status::unimplemented(""))
    }
}

/// Accepted connections with Nagle off, as `kiln serve` has them.
fn nodelay(
    listener: tokio::net::TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt;
    tokio_stream::wrappers::TcpListenerStream::new(listener)
        .map(|s| s.and_then(|s| s.set_nodelay(true).map(|()| s)))
}

fn authed<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {DEV_TOKEN}").parse().expect("ascii"),
    );
    request
}

/// CPU time this process has used (all threads, user + system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Linux reports these in USER_HZ, 100 per second.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// CPU time of this process's threads by name (user + system), from `/proc/self/task`.
fn cpu_by_thread() -> std::collections::BTreeMap<String, Duration> {
    let mut by_name = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return by_name;
    };
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head.split_once('(').map_or("", |(_, n)| n).to_owned();
        let fields: Vec<u64> = rest
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let ticks = fields.get(11).unwrap_or(&0) + fields.get(12).unwrap_or(&0);
        *by_name.entry(name).or_default() += Duration::from_millis(ticks * 10);
    }
    by_name
}

/// What a cell measured.
struct Measured {
    /// Calls completed per second.
    rate: f64,
    /// Each call's latency, sorted.
    latencies: Vec<Duration>,
    /// CPU time of the whole process (clients and servers) per completed call, µs: unlike the
    /// rate, it hardly moves when other machines take the host's cores for a while.
    cpu_per_call: f64,
}

/// Runs `clients` loops of `one` for `seconds`.
async fn drive<F, Fut>(clients: usize, seconds: f64, one: F) -> Measured
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let one = Arc::new(one);
    let cpu = cpu_time();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let one = one.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = 0;
                // Bounded: time, and at most 200k calls per client.
                while Instant::now() < deadline && i < 200_000 {
                    let t = Instant::now();
                    one(client, i).await;
                    latencies.push(t.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client task"));
    }
    let rate = all.len() as f64 / start.elapsed().as_secs_f64();
    let cpu_per_call = (cpu_time() - cpu).as_secs_f64() * 1e6 / all.len().max(1) as f64;
    all.sort();
    Measured {
        rate,
        latencies: all,
        cpu_per_call,
    }
}

/// Runs `clients` loops of one `ImageService.Get` each on `channel` for `seconds`.
async fn gets(
    clients: usize,
    seconds: f64,
    channel: Channel,
    request: fn() -> Request<GetImageRequest>,
) -> Measured {
    drive(clients, seconds, move |_, _| {
        let mut client = ImageServiceClient::new(channel.clone());
        async move {
            client.get(request()).await.expect("get");
        }
    })
    .await
}

/// Runs `clients` loops of `ImageService.Create` (unique names starting with `prefix`, from a
/// seeded disk) for `seconds`; with `poll`, each then polls `OperationService.Get` every 1 ms
/// until its operation is done.
async fn creates(
    clients: usize,
    seconds: f64,
    channel: Channel,
    prefix: String,
    poll: bool,
) -> Measured {
    drive(clients, seconds, move |client, i| {
        let (mut images, mut operations) = (
            ImageServiceClient::new(channel.clone()),
            OperationServiceClient::new(channel.clone()),
        );
        let request = CreateImageRequest {
            folder_id: DEV_FOLDER.into(),
            name: format!("{prefix}-{clients}-{client}-{i}"),
            source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
            ..Default::default()
        };
        async move {
            let mut operation = images
                .create(authed(request))
                .await
                .expect("create")
                .into_inner();
            while poll && !operation.done {
                POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(1)).await;
                let get = GetOperationRequest {
                    operation_id: operation.id.clone(),
                };
                operation = operations
                    .get(authed(get))
                    .await
                    .expect("poll")
                    .into_inner();
            }
        }
    })
    .await
}

/// Rounds per number of clients.
const ROUNDS: usize = 3;

/// Polls made by the Create clients in the current cell.
static POLLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// A field of `/proc/self/status` in MB (`VmRSS`, `VmHWM`).
fn memory_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Size of a file in MB (0 when absent).
fn file_mb(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / (1 << 20) as f64)
}

/// A service of its own (instant copies, quotas lifted) and a channel to it.
async fn service(data_dir: &std::path::Path) -> Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = Config {
        copy_rate: 1 << 50,
        quotas: Quotas {
            running_operations_per_folder: i64::MAX,
            images_per_folder: i64::MAX,
        },
        ..Config::development(data_dir.to_owned())
    };
    tokio::spawn(async move { kiln_server::serve(config, listener).await.expect("serve") });
    Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect")
}

/// `creates` Creates from 64 clients (unique names), as fast as they go.
async fn fill(kiln: &Channel, creates: usize, prefix: &str) {
    let clients = 64;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let mut images = ImageServiceClient::new(kiln.clone());
            let prefix = prefix.to_owned();
            tokio::spawn(async move {
                for i in (client..creates).step_by(clients) {
                    let request = CreateImageRequest {
                        folder_id: DEV_FOLDER.into(),
                        name: format!("{prefix}-{i}"),
                        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
                        ..Default::default()
                    };
                    images.create(authed(request)).await.expect("create");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("client");
    }
}

/// Memory and database growth over `creates` finished Creates.
async fn growth(creates: usize) {
    let data_dir = std::env::temp_dir().join(format!("kiln-growth-{}", std::process::id()));
    let kiln = service(&data_dir).await;
    let mut images = ImageServiceClient::new(kiln.clone());
    images
        .get(authed(GetImageRequest {
            image_id: "fd80dev0image0ubuntu".into(),
        }))
        .await
        .expect("get");
    let (empty_rss, empty_peak) = (memory_mb("VmRSS"), memory_mb("VmHWM"));
    let wal = data_dir.join("kiln.sqlite3-wal");
    let largest_wal = Arc::new(std::sync::Mutex::new(0f64));
    let watcher = tokio::spawn({
        let (wal, largest_wal) = (wal.clone(), largest_wal.clone());
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut largest = largest_wal.lock().expect("lock");
                *largest = largest.max(file_mb(&wal));
            }
        }
    });
    let (start, cpu, threads) = (Instant::now(), cpu_time(), cpu_by_thread());
    fill(&kiln, creates, "growth").await;
    let (took, cpu) = (start.elapsed(), cpu_time() - cpu);
    let per_thread: Vec<String> = cpu_by_thread()
        .into_iter()
        .map(|(name, after)| {
            let before = threads.get(&name).copied().unwrap_or_default();
            let micros = after.saturating_sub(before).as_secs_f64() * 1e6 / creates as f64;
            format!("{name} {micros:.1}")
        })
        .collect();
    // Copies end at once; give the store's thread a moment to finish the last ones.
    tokio::time::sleep(Duration::from_secs(2)).await;
    watcher.abort();
    let largest_wal = *largest_wal.lock().expect("lock");
    println!(
        "kiln serve growth: {creates} Creates from 64 clients in {:.1} s, {:.0} µs of CPU per Create",
        took.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / creates as f64
    );
    println!("CPU µs per Create by thread: {}", per_thread.join(", "));
    println!(
        "| empty service RSS / peak MB | peak RSS after MB | RSS after MB | peak growth MB | database MB | WAL now / largest seen MB |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {empty_rss:.1} / {empty_peak:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} / {largest_wal:.1} |",
        memory_mb("VmHWM"),
        memory_mb("VmRSS"),
        memory_mb("VmHWM") - empty_peak,
        file_mb(&data_dir.join("kiln.sqlite3")),
        file_mb(&wal),
    );
    std::fs::remove_dir_all(data_dir).ok();
}

/// Get alone and while Lists page through a folder of `count` images.
async fn lists(count: usize) {
    let data_dir = std::env::temp_dir().join(format!("kiln-lists-{}", std::process::id()));
    let kiln = service(&data_dir).await;
    fill(&kiln, count, "list").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let get = || {
        authed(GetImageRequest {
            image_id: "fd80dev0image0ubuntu".into(),
        })
    };
    let alone = gets(16, 3.0, kiln.clone(), get).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let listers: Vec<_> = (0..4)
        .map(|n| {
            let (stop, listed) = (stop.clone(), listed.clone());
            let mut images = ImageServiceClient::new(kiln.clone());
            tokio::spawn(async move {
                let order_by = if n % 2 == 0 { "name" } else { "createdAt desc" };
                let mut page_token = String::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let page = images
                        .list(authed(ListImagesRequest {
                            folder_id: DEV_FOLDER.into(),
                            page_size: 100,
                            page_token: page_token.clone(),
                            order_by: order_by.into(),
                            ..Default::default()
                        }))
                        .await
                        .expect("list")
                        .into_inner();
                    listed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    page_token = page.next_page_token;
                }
            })
        })
        .collect();
    let start = Instant::now();
    let during = gets(16, 3.0, kiln.clone(), get).await;
    let list_rate =
        listed.load(std::sync::atomic::Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for lister in listers {
        lister.await.expect("lister");
    }
    println!(
        "kiln serve Get while Lists page through a folder of {count} images (16 Get clients, 4 List clients, 100 per page)"
    );
    println!(
        "| Get/s alone | Get p50 / p99 ms alone | Get/s during Lists | Get p50 / p99 ms during | List pages/s |"
    );
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {:.0} | {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | {list_rate:.0} |",
        alone.rate,
        percentile(&alone.latencies, 0.5),
        percentile(&alone.latencies, 0.99),
        during.rate,
        percentile(&during.latencies, 0.5),
        percentile(&during.latencies, 0.99),
    );
    std::fs::remove_dir_all(data_dir).ok();
}

#[tokio::main]
async fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let count = |default: usize| {
        std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    match mode.as_str() {
        "growth" => return growth(count(100_000)).await,
        "lists" => return lists(count(50_000)).await,
        _ => {}
    }
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let data_dir = std::env::temp_dir().join(format!("kiln-load-{}", std::process::id()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = Config {
        copy_rate: 1 << 50, // copies end at once: this measures the service, not the simulation
        quotas: Quotas {
            running_operations_per_folder: i64::MAX,
            images_per_folder: i64::MAX,
        },
        ..Config::development(data_dir.clone())
    };
    tokio::spawn(async move { kiln_server::serve(config, listener).await.expect("serve") });
    let ceiling = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let ceiling_addr = ceiling.local_addr().expect("addr");
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(ImageServiceServer::new(Constant))
            .serve_with_incoming(nodelay(ceiling))
            .await
            .expect("ceiling server")
    });
    let connect = |addr: std::net::SocketAddr| async move {
        Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect()
            .await
            .expect("connect")
    };
    let kiln = connect(addr).await;
    let trivial = connect(ceiling_addr).await;

    println!(
        "kiln serve load, {seconds} s per cell, {ROUNDS} interleaved rounds per number of clients \
         (rates: median of the rounds; latencies: all rounds), loopback, one HTTP/2 connection per server"
    );
    println!(
        "| clients | trivial Get/s | trivial p50 / p99 ms | kiln Get/s | Create/s | Create p50 / p99 ms | Create+poll/s | Create+poll p50 / p99 ms | polls per Create | Create vs ceiling | Create+poll vs ceiling | CPU µs per trivial Get / per Create | Create vs ceiling by CPU | CPU µs per kiln Get |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let counts: Vec<usize> = std::env::args()
        .nth(2)
        .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 16, 64]);
    for clients in counts {
        // The machine's speed drifts (other VMs share it): each round measures the ceiling and
        // kiln back to back, and the ratios are taken per round.
        let mut rounds = Vec::new();
        let (mut ceiling_latency, mut create_only_latency, mut create_latency) =
            (Vec::new(), Vec::new(), Vec::new());
        POLLS.store(0, std::sync::atomic::Ordering::Relaxed);
        for round in 0..ROUNDS {
            let ceiling = gets(clients, seconds, trivial.clone(), || {
                Request::new(GetImageRequest {
                    image_id: "x".into(),
                })
            })
            .await;
            let get = gets(clients, seconds, kiln.clone(), || {
                authed(GetImageRequest {
                    image_id: "fd80dev0image0ubuntu".into(),
                })
            })
            .await;
            let create_only = creates(
                clients,
                seconds,
                kiln.clone(),
                format!("only-{round}"),
                false,
            )
            .await;
            // Let the background copies of the Create-only cell finish before the next one.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let create = creates(
                clients,
                seconds,
                kiln.clone(),
                format!("load-{round}"),
                true,
            )
            .await;
            rounds.push([
                ceiling.rate,
                get.rate,
                create_only.rate,
                create.rate,
                create_only.rate / ceiling.rate,
                create.rate / ceiling.rate,
                ceiling.cpu_per_call,
                create_only.cpu_per_call,
                ceiling.cpu_per_call / create_only.cpu_per_call,
                get.cpu_per_call,
            ]);
            ceiling_latency.extend(ceiling.latencies);
            create_only_latency.extend(create_only.latencies);
            create_latency.extend(create.latencies);
        }
        let median = |column: usize| {
            let mut values: Vec<f64> = rounds.iter().map(|r| r[column]).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        for latencies in [
            &mut ceiling_latency,
            &mut create_only_latency,
            &mut create_latency,
        ] {
            latencies.sort();
        }
        println!(
            "| {clients} | {:.0} | {:.2} / {:.2} | {:.0} | {:.0} | {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | {:.1} | {:.0}% | {:.0}% | {:.0} / {:.0} | {:.0}% | {:.0} |",
            median(0),
            percentile(&ceiling_latency, 0.5),
            percentile(&ceiling_latency, 0.99),
            median(1),
            median(2),
            percentile(&create_only_latency, 0.5),
            percentile(&create_only_latency, 0.99),
            median(3),
            percentile(&create_latency, 0.5),
            percentile(&create_latency, 0.99),
            POLLS.load(std::sync::atomic::Ordering::Relaxed) as f64
                / create_latency.len().max(1) as f64,
            median(4) * 100.0,
            median(5) * 100.0,
            median(6),
            median(7),
            median(8) * 100.0,
            median(9)
        );
    }
    std::fs::remove_dir_all(data_dir).ok();
}
