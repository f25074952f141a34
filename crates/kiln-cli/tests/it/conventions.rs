//! `kiln serve`'s emulator options as a real process: the request log (`--log`,
//! `--log-format`), subjects of configured tokens, `--tls`, `--seed`, and the container recipe.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use kiln_core::proto::yandex::cloud::compute::v1::{
    CreateImageRequest, GetImageRequest, create_image_request::Source,
};
use kiln_grpc::compute::image_service_client::ImageServiceClient;
use tonic::Request;

use super::serve::connect;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-cli-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `kiln serve` on `port` with these arguments, its standard error piped.
fn serve(port: u16, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Stops `child` (if it still runs) and returns everything it wrote to standard error.
fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let mut text = String::new();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        text.push_str(&line);
        line.clear();
    }
    child.wait().unwrap();
    text
}

fn with_token<T>(message: T, token: &str, request_id: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
        .metadata_mut()
        .insert("x-request-id", request_id.parse().unwrap());
    request
}

const SECRET: &str = "s3cret-token-4f1e9";

/// A config with one token (and its subject) for `dev-folder`.
fn config_with_subject(dir: &Path) -> String {
    let config = dir.join("kiln.toml");
    std::fs::write(
        &config,
        format!(
            "copy_rate = \"1TiB\"\n[tokens]\n\"{SECRET}\" = {{ folders = [\"dev-folder\"], subject = \"ajeci0robot000000001\" }}\n"
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_request_log_has_method_code_latency_and_request_id_but_never_the_token() {
    let dir = fresh_dir("log");
    let config = config_with_subject(&dir);
    let data = dir.join("data");
    let port = free_port();
    let child = serve(
        port,
        &[
            "--config",
            &config,
            "--data-dir",
            data.to_str().unwrap(),
            "--log",
            "info",
        ],
    );
    let mut images = ImageServiceClient::new(connect(port).await);
    let missing = GetImageRequest {
        image_id: "fd8nosuchimage000000".into(),
    };
    let status = images
        .get(with_token(missing, SECRET, "request-1-of-the-log-test"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    let create = CreateImageRequest {
        folder_id: "dev-folder".into(),
        name: "logged".into(),
        source: Some(Source::DiskId("fhm0dev0disk0ubuntu1".into())),
        ..Default::default()
    };
    let created = images
        .create(with_token(create, SECRET, "request-2-of-the-log-test"))
        .await
        .unwrap()
        .into_inner();
    // The configured subject names who started the operation.
    assert_eq!(created.created_by, "ajeci0robot000000001");
    let log = stop(child);
    let line = log
        .lines()
        .find(|l| l.contains("request_id=request-1-of-the-log-test"))
        .unwrap_or_else(|| panic!("{log}"));
    for field in [
        "kiln::request",
        "method=/yandex.cloud.compute.v1.ImageService/Get",
        "code=\"NOT_FOUND\"",
        "latency_ms=",
        "trace_id=",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    let line = log
        .lines()
        .find(|l| l.contains("request_id=request-2-of-the-log-test"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("code=\"OK\""), "{line}");
    assert!(!log.contains(SECRET), "the token is never logged:\n{log}");

    // JSON lines, and `--log off`.
    let port = free_port();
    let child = serve(
        port,
        &[
            "--config",
            &config,
            "--data-dir",
            data.to_str().unwrap(),
            "--log-format",
            "json",
        ],
    );
    let mut images = ImageServiceClient::new(connect(port).await);
    let missing = GetImageRequest {
        image_id: "fd8nosuchimage000000".into(),
    };
    images
        .get(with_token(missing, SECRET, "request-3-of-the-log-test"))
        .await
        .unwrap_err();
    let log = stop(child);
    let line = log
        .lines()
        .find(|l| l.contains("request-3-of-the-log-test"))
        .unwrap_or_else(|| panic!("{log}"));
    let entry: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(entry["method"], "/yandex.cloud.compute.v1.ImageService/Get");
    assert_eq!(entry["code"], "NOT_FOUND");
    assert_eq!(entry["request_id"], "request-3-of-the-log-test");
    assert!(entry["latency_ms"].is_number(), "{entry}");
    let port = free_port();
    let child = serve(
        port,
        &[
            "--config",
            &config,
            "--data-dir",
            data.to_str().unwrap(),
            "--log",
            "off",
        ],
    );
    let mut images = ImageServiceClient::new(connect(port).await);
    let missing = GetImageRequest {
        image_id: "fd8nosuchimage000000".into(),
    };
    images
        .get(with_token(missing, SECRET, "request-4-of-the-log-test"))
        .await
        .unwrap_err();
    let log = stop(child);
    assert!(!log.contains("request-4-of-the-log-test"), "{log}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn tls_makes_a_certificate_once_and_prints_how_to_trust_it() {
    let dir = fresh_dir("tls");
    let data = dir.join("data");
    let first = serve(
        free_port(),
        &["--tls", "--data-dir", data.to_str().unwrap()],
    );
    let ca = data.join("tls/ca.pem");
    for _ in 0..200 {
        if ca.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let printed = stop(first);
    assert!(
        printed.contains("listening on https://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("development certificate made"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("NODE_EXTRA_CA_CERTS={}", ca.display())),
        "{printed}"
    );
    assert!(
        printed.contains(&format!(
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={}",
            ca.display()
        )),
        "{printed}"
    );
    let made = std::fs::read(data.join("tls/cert.pem")).unwrap();
    let again = serve(
        free_port(),
        &["--tls", "--data-dir", data.to_str().unwrap()],
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let printed = stop(again);
    assert!(
        printed.contains("development certificate found"),
        "{printed}"
    );
    assert_eq!(std::fs::read(data.join("tls/cert.pem")).unwrap(), made);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_seed_file_stops_serve_with_an_error_naming_the_record() {
    let dir = fresh_dir("seed");
    let seed = dir.join("seed.json");
    std::fs::write(&seed, r#"{"disks": [{"id": "d1", "size": "1024"}]}"#).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--listen", "127.0.0.1:0", "--seed"])
        .arg(&seed)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It exits at once; one that accepted the seed would serve on: stopped after 10 s.
    let mut status = None;
    for _ in 0..200 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = if status.is_none() {
        let text = stop(child);
        panic!("kiln serve accepted the seed and served:\n{text}");
    } else {
        stop(child)
    };
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "kiln serve: seed {}: disks[0].size: must be between 4194304 and 4398046511104 bytes, got 1024",
            seed.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs `kiln` with `args` (it must exit within 10 s): its exit status and standard error.
fn failed(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = None;
    for _ in 0..200 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = stop(child);
    assert!(status.is_some(), "{args:?} did not stop:\n{stderr}");
    (status.and_then(|s| s.code()), stderr)
}

#[test]
fn a_failure_exits_2_with_one_line_naming_the_command_and_the_cause() {
    let dir = fresh_dir("failures");
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let unknown_key = file("unknown.toml", "listen = \"127.0.0.1:0\"\nfoo = 1\n");
    let bad_range = file("range.toml", "[imports]\nallow = [\"10.0.0.0/33\"]\n");
    let not_a_folder = file("not-a-folder", "");
    let missing_seed = dir.join("missing.json").display().to_string();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_address = taken.local_addr().unwrap().to_string();
    let data = dir.join("data").display().to_string();
    let cases: [(&[&str], String); 6] = [
        (
            &["serve", "--config", &unknown_key],
            format!("kiln serve: {unknown_key}: line 2, column 1: unknown field `foo`, expected one of"),
        ),
        (
            &["serve", "--config", &bad_range, "--data-dir", &data],
            "kiln serve: imports.allow: \"10.0.0.0/33\" is not an address range: write a CIDR such \
             as \"10.20.0.0/16\""
                .to_owned(),
        ),
        (
            &["serve", "--listen", "127.0.0.1:0", "--seed", &missing_seed, "--data-dir", &data],
            format!("kiln serve: cannot read the seed {missing_seed}: "),
        ),
        (
            &["serve", "--listen", "127.0.0.1:0", "--tls", "--data-dir", &not_a_folder],
            format!("kiln serve: cannot create {not_a_folder}/tls: "),
        ),
        (
            &["serve", "--listen", &taken_address, "--data-dir", &data],
            format!("kiln serve: cannot listen on {taken_address}: "),
        ),
        (
            &["gateway", "--upstream", "ftp://example.com"],
            "kiln gateway: --upstream must start with http:// or https://".to_owned(),
        ),
    ];
    for (args, start) in cases {
        let (code, stderr) = failed(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with(&start), "{args:?}: {stderr}");
    }
    drop(taken);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_seed_file_gives_the_development_token_its_folder() {
    let dir = fresh_dir("seed-folder");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"folderId": "team-folder", "disks": [{"id": "fhm1team0disk0base01", "size": "4194304"}]}"#,
    )
    .unwrap();
    let port = free_port();
    let child = serve(
        port,
        &[
            "--seed",
            seed.to_str().unwrap(),
            "--data-dir",
            dir.join("data").to_str().unwrap(),
            "--copy-rate",
            "1TiB",
        ],
    );
    let mut images = ImageServiceClient::new(connect(port).await);
    let create = CreateImageRequest {
        folder_id: "team-folder".into(),
        name: "from-team-disk".into(),
        source: Some(Source::DiskId("fhm1team0disk0base01".into())),
        ..Default::default()
    };
    let created = images
        .create(with_token(create, "dev-token", "seed-1"))
        .await
        .unwrap()
        .into_inner();
    assert!(!created.id.is_empty());
    let printed = stop(child);
    assert!(
        printed.contains("seed: folder team-folder with 1 disk(s), 0 snapshot(s), 0 image(s)"),
        "{printed}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The Dockerfile's instructions: (instruction, arguments), continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(start) = line.strip_suffix('\\') {
            pending.push_str(start);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let (instruction, args) = pending.split_once(' ').unwrap_or((&pending, ""));
        out.push((instruction.to_uppercase(), args.trim().to_owned()));
        pending.clear();
    }
    assert!(pending.is_empty(), "a continuation ends the file");
    out
}

#[test]
fn the_dockerfile_parses_and_names_what_exists() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains("docker build -f docker/Dockerfile"),
        "the README names it"
    );
    let text = std::fs::read_to_string(root.join("docker/Dockerfile")).unwrap();
    let steps = instructions(&text);
    const KNOWN: [&str; 18] = [
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
        "MAINTAINER",
    ];
    for (instruction, _) in &steps {
        assert!(
            KNOWN.contains(&instruction.as_str()),
            "unknown instruction {instruction}"
        );
    }
    let stages: Vec<&str> = steps
        .iter()
        .filter(|(i, _)| i == "FROM")
        .map(|(_, a)| a.as_str())
        .collect();
    assert!(stages.len() >= 2, "multi-stage: {stages:?}");
    let names: Vec<&str> = stages
        .iter()
        .filter_map(|a| a.split_once(" AS ").map(|(_, n)| n.trim()))
        .collect();
    let last_from = steps.iter().rposition(|(i, _)| i == "FROM").unwrap();
    let last = &steps[last_from..];
    // Files it copies from the build context exist; stages it copies from are defined.
    for (instruction, args) in &steps {
        if instruction != "COPY" {
            continue;
        }
        let words: Vec<&str> = args.split_whitespace().collect();
        if let Some(from) = words.iter().find_map(|w| w.strip_prefix("--from=")) {
            assert!(
                names.contains(&from),
                "COPY --from={from}: stages {names:?}"
            );
            continue;
        }
        let sources: Vec<&&str> = words.iter().filter(|w| !w.starts_with("--")).collect();
        for source in &sources[..sources.len() - 1] {
            assert!(
                root.join(source).exists(),
                "COPY {source}: not in the repository"
            );
        }
    }
    let user = last
        .iter()
        .rfind(|(i, _)| i == "USER")
        .map(|(_, a)| a.as_str())
        .expect("the final stage sets a USER");
    assert!(
        user != "root" && user != "0" && !user.starts_with("0:"),
        "{user}"
    );
    let health = last
        .iter()
        .find(|(i, _)| i == "HEALTHCHECK")
        .map(|(_, a)| a.as_str())
        .expect("a HEALTHCHECK");
    assert!(health.contains("/healthz"), "{health}");
    assert!(last.iter().any(|(i, _)| i == "VOLUME"), "data in a volume");
    // The command is the binary this repository builds, with options it knows.
    let entry = last
        .iter()
        .find(|(i, _)| i == "ENTRYPOINT")
        .map(|(_, a)| a.clone())
        .unwrap();
    let cmd = last
        .iter()
        .find(|(i, _)| i == "CMD")
        .map(|(_, a)| a.clone())
        .unwrap();
    let words: Vec<String> = serde_json::from_str::<Vec<String>>(&entry)
        .unwrap()
        .into_iter()
        .chain(serde_json::from_str::<Vec<String>>(&cmd).unwrap())
        .collect();
    assert_eq!(&words[..2], ["kiln", "serve"], "{words:?}");
    let help = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in words.iter().filter(|w| w.starts_with("--")) {
        assert!(help.contains(flag.as_str()), "kiln serve has no {flag}");
    }
    let ignore = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "target"), "{ignore}");
}
