//! `kiln` end to end: the real binary, real files and standard input; `kiln serve` as a process.

mod conventions;
mod gateway;
mod serve;

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// Runs `kiln` with no locale in its environment (so the report is English unless asked).
fn kiln(args: &[&str], stdin: Option<&str>) -> Output {
    kiln_with_env(args, stdin, &[])
}

/// Runs `kiln` with these locale variables (and no other `LC_ALL`, `LC_MESSAGES`, `LANG`).
fn kiln_with_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    for name in ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn valid_request_exits_0() {
    let out = kiln(&["validate", &example("create-image.json")], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "valid CreateImageRequest\n");
    let out = kiln(&["validate", "--json", &example("create-image.json")], None);
    assert_eq!(stdout(&out), "{\"kind\":\"valid\"}\n");
}

#[test]
fn invalid_request_exits_1_with_a_readable_report() {
    let out = kiln(&["validate", &example("create-image-invalid.json")], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("invalid CreateImageRequest: 4 violations\n"),
        "{text}"
    );
    assert!(text.contains("  name "), "{text}");
    assert!(text.contains("labels[\"Team\"]"), "{text}");
    assert!(
        text.contains("must be between 4194304 and 4398046511104 (it is 1024) [value]"),
        "{text}"
    );
    assert!(text.contains("[exactly_one]"), "{text}");
}

#[test]
fn json_output_is_the_contract() {
    let out = kiln(
        &["validate", "--json", &example("create-image-invalid.json")],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let value: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["kind"], "invalid");
    let pairs: Vec<(String, String)> = value["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["field"].as_str().unwrap().into(),
                v["rule"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("name".into(), "pattern".into()),
            ("labels[\"Team\"]".into(), "map_key.pattern".into()),
            ("min_disk_size".into(), "value".into()),
            ("source".into(), "exactly_one".into()),
        ]
    );
    for v in value["violations"].as_array().unwrap() {
        assert_eq!(
            v.as_object().unwrap().len(),
            3,
            "field, rule, message only: {v}"
        );
    }
}

#[test]
fn reads_standard_input_with_dash_or_no_file() {
    for args in [
        &["validate", "--json", "-"][..],
        &["validate", "--json"][..],
    ] {
        let out = kiln(args, Some(r#"{"folderId":"f","diskId":"d"}"#));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn other_messages_by_full_name() {
    let out = kiln(
        &[
            "validate",
            "--json",
            "--message",
            "yandex.cloud.operation.CancelOperationRequest",
            "-",
        ],
        Some("{}"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("\"field\":\"operation_id\",\"rule\":\"required\""));
}

#[test]
fn errors_exit_2() {
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (
            &["validate", "--json", "-"],
            Some("[1, 2]"),
            "input must be a JSON object",
        ),
        (
            &["validate", "--json", "-"],
            Some("{\"folderId\":"),
            "input is not valid JSON",
        ),
        (
            &["validate", "--json", "/nonexistent/request.json"],
            None,
            "cannot read /nonexistent/request.json",
        ),
        (
            &["validate", "--json", "--message", "yandex.cloud.Nope", "-"],
            Some("{}"),
            "unknown message",
        ),
    ];
    for (args, stdin, needle) in cases {
        let out = kiln(args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let value: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(value["kind"], "error");
        assert!(value["error"].as_str().unwrap().contains(needle), "{value}");
    }
    let out = kiln(&["validate", "-"], Some("42"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "error: input must be a JSON object, got a number\n"
    );
}

/// The CLI gives exactly the core's verdict on every conformance case.
#[test]
fn agrees_with_the_conformance_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let mut checked = 0;
    for file in ["create_image_request.json", "other_requests.json"] {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let message = case
                .get("message")
                .or(doc.get("message"))
                .unwrap()
                .as_str()
                .unwrap();
            let input = case["input"].to_string();
            let out = kiln(
                &["validate", "--json", "--message", message, "-"],
                Some(&input),
            );
            let got: Value = serde_json::from_str(&stdout(&out)).unwrap();
            let want = kiln_core::validate::validate_str(message, &input);
            assert_eq!(
                got,
                serde_json::to_value(&want).unwrap(),
                "{}",
                case["name"]
            );
            let code = match want {
                kiln_core::validate::Outcome::Valid => 0,
                kiln_core::validate::Outcome::Invalid { .. } => 1,
                kiln_core::validate::Outcome::Error { .. } => 2,
            };
            assert_eq!(out.status.code(), Some(code), "{}", case["name"]);
            checked += 1;
        }
    }
    assert!(checked >= 100);
}

#[test]
fn lang_ru_writes_the_report_and_the_messages_in_russian() {
    let out = kiln(
        &[
            "validate",
            "--lang",
            "ru",
            &example("create-image-invalid.json"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("запрос CreateImageRequest некорректен: 4 нарушения\n"),
        "{text}"
    );
    for line in [
        "может содержать только строчные латинские буквы, цифры, дефисы и знаки подчёркивания \
         (встречается «U») [pattern]",
        "ключ может содержать только строчные латинские буквы, цифры, дефисы, знаки подчёркивания, \
         точки, косые черты и знаки @ (встречается «T») [map_key.pattern]",
        "должно быть от 4194304 до 4398046511104 (сейчас 1024) [value]",
        "источник: можно задать только один вариант, а заданы диск и URI [exactly_one]",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let out = kiln(
        &["validate", "--lang", "ru", &example("create-image.json")],
        None,
    );
    assert_eq!(stdout(&out), "запрос CreateImageRequest корректен\n");
    let out = kiln(&["validate", "--lang", "ru-RU", "-"], Some("42"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "ошибка: входные данные должны быть объектом JSON, а не числом\n"
    );
    let out = kiln(
        &["validate", "--lang", "ru", "/nonexistent/request.json"],
        None,
    );
    assert!(
        stdout(&out).starts_with("ошибка: не удалось прочитать /nonexistent/request.json: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_output_speaks_the_chosen_language_with_the_same_fields_and_rules() {
    let run = |lang: &str| {
        let out = kiln(
            &[
                "validate",
                "--json",
                "--lang",
                lang,
                &example("create-image-invalid.json"),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()["violations"]
            .as_array()
            .unwrap()
            .clone()
    };
    let (en, ru) = (run("en"), run("ru"));
    assert_eq!(en.len(), 4);
    for (a, b) in en.iter().zip(&ru) {
        assert_eq!((&a["field"], &a["rule"]), (&b["field"], &b["rule"]));
        assert_ne!(a["message"], b["message"]);
    }
    assert_eq!(
        ru[3]["message"],
        "источник: можно задать только один вариант, а заданы диск и URI"
    );
    assert_eq!(
        en[3]["message"],
        "only one source may be set, but a disk and a URI are set"
    );
}

#[test]
fn the_language_defaults_to_the_environment_as_posix_reads_it() {
    let first_line = |env: &[(&str, &str)], args: &[&str]| {
        let mut all = vec!["validate"];
        all.extend(args);
        let out = kiln_with_env(&all, Some(r#"{"folderId": "b1g"}"#), env);
        stdout(&out).lines().next().unwrap().to_owned()
    };
    let (en, ru) = (
        "invalid CreateImageRequest: 1 violation",
        "запрос CreateImageRequest некорректен: 1 нарушение",
    );
    assert_eq!(first_line(&[], &[]), en);
    assert_eq!(first_line(&[("LANG", "ru_RU.UTF-8")], &[]), ru);
    assert_eq!(first_line(&[("LANG", "C.UTF-8")], &[]), en);
    assert_eq!(first_line(&[("LANG", "de_DE.UTF-8")], &[]), en);
    assert_eq!(
        first_line(&[("LC_MESSAGES", "ru_RU"), ("LANG", "en_US")], &[]),
        ru
    );
    assert_eq!(
        first_line(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ru_RU")], &[]),
        en
    );
    assert_eq!(first_line(&[("LC_ALL", "ru")], &[]), ru);
    // --lang wins over the environment.
    assert_eq!(
        first_line(&[("LC_ALL", "ru_RU.UTF-8")], &["--lang", "en"]),
        en
    );
    assert_eq!(first_line(&[("LANG", "en_US")], &["--lang", "ru", "-"]), ru);
}

#[test]
fn an_unknown_lang_is_a_usage_error() {
    let out = kiln(&["validate", "--lang", "de", "-"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8(out.stderr).unwrap();
    assert!(
        error.contains("unsupported language \"de\": use en or ru"),
        "{error}"
    );
}
