//! The console's components in a real browser (wasm-bindgen-test in headless Chromium, run by
//! `cargo xtask test`): the whole app is mounted with no service behind it, and the form is
//! driven through DOM events as a user would.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn find(selector: &str) -> Option<Element> {
    document().query_selector(selector).unwrap()
}

fn texts(selector: &str) -> Vec<String> {
    let list = document().query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn type_into(selector: &str, value: &str) {
    let input: HtmlInputElement = find(selector).unwrap().dyn_into().unwrap();
    input.set_value(value);
    input.dispatch_event(&Event::new("input").unwrap()).unwrap();
}

fn leave(selector: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict("focusout", &init).unwrap();
    find(selector).unwrap().dispatch_event(&event).unwrap();
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

/// Create says it is unavailable (`aria-disabled`: it stays focusable to explain itself).
fn submit_disabled() -> bool {
    find("form button[type=submit]")
        .unwrap()
        .get_attribute("aria-disabled")
        .as_deref()
        == Some("true")
}

#[wasm_bindgen_test]
async fn the_form_validates_live_and_previews_the_request() {
    kiln_web::start();
    tick().await;
    // Nothing typed yet: no messages, but Create is disabled (folder and source are missing).
    assert!(find("#name").is_some(), "the form is mounted");
    assert_eq!(texts(".messages li"), Vec::<String>::new());
    assert!(submit_disabled());

    // A bad name: no message while typing, the core's message once the field is left.
    type_into("#name", "Web_1!");
    tick().await;
    assert_eq!(
        texts("[data-field=name] .messages li"),
        Vec::<String>::new()
    );
    leave("#name");
    tick().await;
    assert_eq!(
        texts("[data-field=name] .messages li"),
        ["may only contain lowercase Latin letters, digits, hyphens and underscores (it has “W”)"]
    );
    assert_eq!(
        find("#name")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );

    // Fixed: the message goes; with a folder and a source the form is valid.
    type_into("#name", "web-1");
    type_into("#folder-id", "b1g");
    type_into("#source-value", "fhm0disk");
    tick().await;
    assert_eq!(texts(".messages li"), Vec::<String>::new());
    assert!(!submit_disabled(), "Create is enabled for a valid form");

    // GB in, bytes out, in the preview as in the hint.
    type_into("#min-disk-size", "20");
    tick().await;
    let preview = texts(".preview pre").join("");
    assert!(
        preview.contains("\"minDiskSize\": \"21474836480\""),
        "{preview}"
    );
    assert!(preview.contains("\"diskId\": \"fhm0disk\""), "{preview}");

    // A size that is not a number is said, and kept as typed.
    type_into("#min-disk-size", "20GB");
    leave("#min-disk-size");
    tick().await;
    assert_eq!(
        texts("[data-field=min_disk_size] .messages li"),
        ["must be a whole number of GB (it is \"20GB\")"]
    );
    let input: HtmlInputElement = find("#min-disk-size").unwrap().dyn_into().unwrap();
    assert_eq!(input.value(), "20GB");
    assert!(submit_disabled());
}

#[wasm_bindgen_test]
fn storage_round_trips_through_the_browsers_json_and_serde_wasm_bindgen() {
    use kiln_console::form::{Form, SourceKind};
    use kiln_web::storage::{from_json, to_json};
    let form = Form {
        name: "web-1".into(),
        labels: vec![("env".into(), "prod".into())],
        source: SourceKind::Uri,
        source_value: "https://storage.yandexcloud.net/b/o".into(),
        ..Default::default()
    };
    let text = to_json(&form).expect("the form is written");
    assert!(text.contains("\"name\":\"web-1\""), "{text}");
    assert_eq!(from_json::<Form>(&text), Some(form));
    // Maps become plain objects (JSON-compatible), not JS Maps that stringify to {}.
    let map: std::collections::BTreeMap<String, u32> = [("a".to_owned(), 1)].into();
    assert_eq!(to_json(&map).as_deref(), Some("{\"a\":1}"));
    // What is not JSON, or not the type, is nothing (the page starts from defaults).
    assert_eq!(from_json::<Form>("{not json"), None);
    assert_eq!(from_json::<Form>("[1, 2]"), None);
}
