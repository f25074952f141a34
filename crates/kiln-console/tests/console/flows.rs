//! The console's flows without a browser: paging and finding images, what a refresh asks
//! for, which images may be deleted, the submit policy, the poller's tolerance, the panel
//! shared between tabs, the disk-size floor as a problem, messages said once, and the Edit.

use kiln_console::GB;
use kiln_console::edit::ImageEdit;
use kiln_console::form::{FieldError, Form, SourceKind, messages};
use kiln_console::listing::{self, Cursor, Refreshed};
use kiln_console::panel::{self, Kind, Panel, Tracked};
use kiln_console::submit::{self, Flight, Poll, PollStep, Submit};
use kiln_console::text::Lang;
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::proto::yandex::cloud::compute::v1::image::Status as ImageStatus;
use kiln_core::proto::yandex::cloud::operation::Operation;
use prost::Message;
use tonic::Code;

fn image(id: &str, status: ImageStatus) -> compute::Image {
    let mut image = compute::Image {
        id: id.into(),
        name: format!("n-{id}"),
        ..Default::default()
    };
    image.set_status(status);
    image
}

#[test]
fn a_cursor_walks_pages_forward_and_back_by_the_service_tokens() {
    let first = Cursor::default();
    assert_eq!(
        (first.token(), first.page(), first.first_item()),
        ("", 1, 1)
    );
    assert_eq!(first.previous(), None);
    assert_eq!(first.next(""), None, "the last page has no next");
    let second = first.next("t1").unwrap();
    assert_eq!((second.token(), second.page()), ("t1", 2));
    assert_eq!(second.first_item(), listing::PAGE_SIZE as usize + 1);
    let third = second.next("t2").unwrap();
    assert_eq!(third.token(), "t2");
    assert_eq!(third.previous().unwrap(), second);
    assert_eq!(second.previous().unwrap(), first);
}

#[test]
fn a_find_asks_by_exact_name_and_by_id_only_what_the_text_can_be() {
    assert_eq!(listing::find("  "), None);
    let both = listing::find(" web-2026 ").unwrap();
    assert_eq!(both.filter.as_deref(), Some("name=\"web-2026\""));
    assert_eq!(both.id, None, "a hyphen cannot be in an ID");
    let id = listing::find("fd8abc123").unwrap();
    assert_eq!(id.filter.as_deref(), Some("name=\"fd8abc123\""));
    assert_eq!(id.id.as_deref(), Some("fd8abc123"));
    // No quote can reach the filter: a text with one is neither a name nor an ID.
    assert_eq!(listing::find("a\" OR name=\"b"), None);
    assert_eq!(
        listing::find("Web"),
        Some(listing::Find {
            filter: None,
            id: Some("Web".into())
        })
    );
    let long = "a".repeat(64);
    assert_eq!(listing::find(&long), None, "too long for a name or an ID");
    let found = listing::found(
        vec![image("a", ImageStatus::Ready)],
        Some(image("a", ImageStatus::Ready)),
    );
    assert_eq!(found.len(), 1, "the same image found both ways shows once");
}

#[test]
fn a_refresh_asks_only_for_rows_that_can_change_and_keeps_row_order() {
    let mut rows = vec![
        image("a", ImageStatus::Ready),
        image("b", ImageStatus::Creating),
        image("c", ImageStatus::Deleting),
        image("d", ImageStatus::Error),
    ];
    assert_eq!(listing::to_refresh(&rows), ["b", "c"]);
    assert!(!listing::deletable(ImageStatus::Creating));
    assert!(!listing::deletable(ImageStatus::Deleting));
    assert!(listing::deletable(ImageStatus::Ready));
    assert!(listing::deletable(ImageStatus::Error));
    let same = listing::apply(
        &mut rows,
        Refreshed::Now(Box::new(image("b", ImageStatus::Creating))),
    );
    assert!(!same, "an unchanged answer changes nothing");
    assert!(listing::apply(
        &mut rows,
        Refreshed::Now(Box::new(image("b", ImageStatus::Ready)))
    ));
    assert!(listing::apply(&mut rows, Refreshed::Gone("c".into())));
    let ids: Vec<_> = rows.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "d"]);
    assert_eq!(
        listing::to_refresh(&rows),
        Vec::<String>::new(),
        "idle: nothing to ask"
    );
}

#[test]
fn create_sends_once_per_form_and_reuses_the_key_until_it_started() {
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        format!("k{n}")
    };
    let json = "{\"name\": \"a\"}";
    assert_eq!(
        submit::decide(2, json, None, |_| true, &mut fresh),
        Submit::ShowProblems
    );
    let Submit::Send { key } = submit::decide(0, json, None, |_| true, &mut fresh) else {
        panic!("a valid form is sent")
    };
    assert_eq!(key, "k1");
    let mut flight = submit::sending(json, &key);
    // Pressed again while in flight (a language switch or a screen change in between).
    assert_eq!(
        submit::decide(0, json, Some(&flight), |_| true, &mut fresh),
        Submit::Wait
    );
    // The call failed without starting anything: the same form goes with the same key.
    flight.ended(None);
    assert_eq!(
        submit::decide(0, json, Some(&flight), |_| true, &mut fresh),
        Submit::Send { key: "k1".into() }
    );
    // It started: the same form again is answered, not sent.
    flight.ended(Some("op1".into()));
    assert_eq!(
        submit::decide(0, json, Some(&flight), |op| op == "op1", &mut fresh),
        Submit::AlreadyCreated("op1".into())
    );
    // Its operation failed or was cancelled: a new image is wanted, with a new key.
    assert_eq!(
        submit::decide(0, json, Some(&flight), |_| false, &mut fresh),
        Submit::Send { key: "k2".into() }
    );
    // Another form: a new key.
    assert_eq!(
        submit::decide(0, "{}", Some(&flight), |_| true, &mut fresh),
        Submit::Send { key: "k3".into() }
    );
}

#[test]
fn the_poller_tolerates_a_few_not_found_and_stops_on_errors_waiting_cannot_fix() {
    let mut poll = Poll::default();
    for _ in 0..submit::NOT_FOUND_TOLERANCE {
        assert!(matches!(poll.failed(Code::NotFound), PollStep::Again(_)));
    }
    assert_eq!(poll.failed(Code::NotFound), PollStep::GiveUp);
    let mut poll = Poll::default();
    poll.failed(Code::NotFound);
    poll.failed(Code::NotFound);
    assert_eq!(poll.answered(false, 1000), PollStep::Again(1000));
    for _ in 0..submit::NOT_FOUND_TOLERANCE {
        assert!(
            matches!(poll.failed(Code::NotFound), PollStep::Again(_)),
            "an answer resets the count"
        );
    }
    assert!(matches!(
        Poll::default().failed(Code::Unavailable),
        PollStep::Again(2000)
    ));
    assert!(matches!(
        Poll::default().failed(Code::DeadlineExceeded),
        PollStep::Again(_)
    ));
    assert_eq!(
        Poll::default().failed(Code::PermissionDenied),
        PollStep::GiveUp
    );
    assert_eq!(Poll::default().answered(true, 1000), PollStep::Done);
}

fn op(id: &str, created: i64, modified: i64, done: bool, metadata: &str) -> Operation {
    let meta = compute::DeleteImageMetadata {
        image_id: "img".into(),
    };
    Operation {
        id: id.into(),
        created_at: Some(prost_types::Timestamp {
            seconds: created,
            nanos: 0,
        }),
        modified_at: Some(prost_types::Timestamp {
            seconds: modified,
            nanos: 0,
        }),
        done,
        metadata: Some(prost_types::Any {
            type_url: format!("type.googleapis.com/yandex.cloud.compute.v1.{metadata}"),
            value: meta.encode_to_vec(),
        }),
        ..Default::default()
    }
}

#[test]
fn two_tabs_panels_merge_to_the_same_panel_in_either_order() {
    let mut a = Panel::default();
    a.upsert(Tracked::new(
        &op("o1", 10, 11, false, "CreateImageMetadata"),
        "x",
    ));
    a.upsert(Tracked::new(
        &op("o2", 20, 21, false, "CreateImageMetadata"),
        "y",
    ));
    let mut b = Panel::default();
    b.upsert(Tracked::new(
        &op("o1", 10, 15, true, "CreateImageMetadata"),
        "x",
    ));
    b.upsert(Tracked::new(
        &op("o3", 30, 31, false, "CreateImageMetadata"),
        "z",
    ));
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(b.clone());
    ba.merge(a.clone());
    assert_eq!(ab, ba, "the same panel whatever the order");
    let ids: Vec<_> = ab.operations.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["o3", "o2", "o1"], "newest first");
    assert!(!ab.operations[2].running(), "the finished state wins");
    // A tab clears the finished: the other tab's copy does not bring them back.
    let mut cleared = ab.clone();
    cleared.clear_finished();
    let mut other = ba.clone();
    other.merge(cleared.clone());
    cleared.merge(other.clone());
    assert_eq!(other, cleared);
    assert!(other.operations.iter().all(|t| t.id != "o1"));
    // Merging what one already has changes nothing (no storage ping-pong between tabs).
    let before = other.clone();
    other.merge(cleared);
    assert_eq!(other, before);
}

#[test]
fn an_operation_listed_by_the_service_says_what_it_does_and_on_which_image() {
    let delete = op("o1", 10, 11, false, "DeleteImageMetadata");
    assert_eq!(panel::kind_of(&delete), Kind::Delete);
    let tracked = Tracked::listed(&delete, "img", "web");
    assert!(tracked.deletes);
    assert_eq!(tracked.image_id, "img");
    assert_eq!(
        panel::kind_of(&op("o", 1, 1, false, "UpdateImageMetadata")),
        Kind::Update
    );
    let ops = [
        op("old", 1, 2, true, "CreateImageMetadata"),
        op("run", 5, 6, false, "DeleteImageMetadata"),
    ];
    assert_eq!(panel::running_of(&ops).map(|o| o.id.as_str()), Some("run"));
    let mut panel = Panel::default();
    panel.upsert(tracked);
    assert_eq!(panel.running_on("img").map(|t| t.id.as_str()), Some("o1"));
    assert!(panel.running_on("other").is_none());
}

#[test]
fn a_size_below_the_source_is_a_problem_said_once_like_the_service_says_it() {
    let form = Form {
        folder_id: "dev-folder".into(),
        name: "web".into(),
        source: SourceKind::Image,
        source_value: "fd8src".into(),
        min_disk_size_gb: "10".into(),
        ..Form::default()
    };
    assert_eq!(form.problems(Lang::En, None), []);
    assert_eq!(form.problems(Lang::En, Some(5 * GB)), [], "above the floor");
    let problems = form.problems(Lang::En, Some(20 * GB));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "min_disk_size");
    assert_eq!(
        problems[0].message,
        "must be at least 20\u{a0}GB: the source needs that much"
    );
    // The service refuses the same: one message, not two.
    let server = kiln_console::form::server_errors(
        &kiln_console::call::CallError::new(
            Code::InvalidArgument,
            format!(
                "Minimal disk size should be greater or equal than {}",
                20 * GB
            ),
        ),
        Lang::En,
    );
    assert_eq!(messages("min_disk_size", &problems, true, &server).len(), 1);
    assert_eq!(
        messages("min_disk_size", &problems, false, &[]),
        Vec::<String>::new()
    );
    let two = [
        FieldError {
            field: "name",
            path: "name".into(),
            message: "a".into(),
        },
        FieldError {
            field: "name",
            path: "name".into(),
            message: "a".into(),
        },
    ];
    assert_eq!(messages("name", &two, true, &[]), ["a"]);
}

#[test]
fn an_edit_is_checked_by_the_update_rules_and_sends_only_what_changed() {
    let mut original = compute::Image {
        id: "fd8img".into(),
        name: "web".into(),
        description: "d".into(),
        ..Default::default()
    };
    original.labels.insert("env".into(), "prod".into());
    let before = ImageEdit::of(&original);
    assert_eq!(before.check("fd8img", Lang::En), []);
    let mut edit = before.clone();
    assert!(edit.changed(&before).is_empty());
    edit.name = "Web".into();
    let problems = edit.check("fd8img", Lang::Ru);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "name");
    assert!(
        problems[0].message.contains("строчные"),
        "{}",
        problems[0].message
    );
    edit.name = "web-2".into();
    edit.labels.push(("env".into(), "dev".into()));
    let problems = edit.check("fd8img", Lang::En);
    assert_eq!(problems.len(), 1, "a key given twice: {problems:?}");
    edit.labels.pop();
    edit.labels[0].1 = "dev".into();
    let request = edit.to_request("fd8img", &before);
    assert_eq!(request.update_mask.unwrap().paths, ["name", "labels"]);
    assert_eq!(request.labels.get("env").map(String::as_str), Some("dev"));
    edit.description = "x".repeat(257);
    assert_eq!(edit.check("fd8img", Lang::En)[0].field, "description");
}

#[test]
fn a_flight_survives_storage_as_json() {
    let mut flight = submit::sending("{}", "k");
    flight.ended(Some("op".into()));
    let text = serde_json::to_string(&flight).unwrap();
    let back: Flight = serde_json::from_str(&text).unwrap();
    assert_eq!(back, flight);
}

#[test]
fn a_form_whose_operation_was_cleared_still_counts_as_created() {
    let mut panel = Panel::default();
    assert!(
        panel.standing("gone"),
        "an operation the panel does not know may have made the image"
    );
    panel.upsert(Tracked::new(
        &op("o1", 10, 11, true, "CreateImageMetadata"),
        "x",
    ));
    assert!(panel.standing("o1"), "succeeded");
    panel.clear_finished();
    assert!(panel.standing("o1"), "cleared: still counts");
    panel.upsert(Tracked::new(
        &op("o2", 10, 11, false, "CreateImageMetadata"),
        "y",
    ));
    assert!(panel.standing("o2"), "running");
    panel.lost("o2", Code::NotFound as i32, "operation o2 not found");
    assert!(!panel.standing("o2"), "lost: may be sent again");
    assert!(
        panel.running().is_empty(),
        "a lost operation is not polled again"
    );
    assert!(panel.running_on("img").is_none());
}

#[test]
fn a_listed_operation_is_adopted_once() {
    let mut panel = Panel::default();
    let running = op("o1", 10, 11, false, "DeleteImageMetadata");
    assert!(panel.adopt(&running, "img", "web"));
    assert!(!panel.adopt(&running, "img", "web"), "already in the panel");
    assert_eq!(panel.operations.len(), 1);
}

#[test]
fn a_size_with_too_many_digits_is_no_size() {
    assert_eq!(
        kiln_console::service_text::size_bytes(&format!("{} GiB", "9".repeat(38))),
        None
    );
    assert_eq!(
        kiln_console::service_text::size_bytes("8.4 GiB"),
        Some(9019431321)
    );
}

#[test]
fn the_create_banner_is_worded_in_the_language_it_is_shown_in() {
    use kiln_console::submit::Banner;
    let failed = Banner::Failed(kiln_console::call::CallError::new(
        Code::Unauthenticated,
        "unknown token",
    ));
    let (kind, en, detail) = Lang::En.banner(&failed);
    let (_, ru, _) = Lang::Ru.banner(&failed);
    assert_eq!(kind, "error");
    assert!(en.starts_with("Create failed."), "{en}");
    assert!(ru.starts_with("Не удалось создать образ."), "{ru}");
    assert!(
        detail.unwrap().contains("unknown token"),
        "the raw answer for support"
    );
    let (kind, en, detail) = Lang::En.banner(&Banner::Started("op1".into()));
    assert_eq!((kind, detail), ("ok", None));
    assert!(en.contains("op1"));
    assert_ne!(
        Lang::Ru.banner(&Banner::Sending).1,
        Lang::En.banner(&Banner::Sending).1
    );
}

#[test]
fn a_failed_call_keeps_bounded_texts_whatever_the_answer_holds() {
    use kiln_console::call::{CallError, MOST_TEXT, MOST_VIOLATIONS};
    use tonic_types::{ErrorDetails, StatusExt};
    let long = "я".repeat(MOST_TEXT + 10);
    let mut details = ErrorDetails::new();
    for i in 0..MOST_VIOLATIONS + 50 {
        details.add_bad_request_violation(format!("f{i}{long}"), long.clone());
    }
    let status = tonic::Status::with_error_details(Code::InvalidArgument, long.clone(), details);
    let error = CallError::from_status(&status);
    assert_eq!(error.violations.len(), MOST_VIOLATIONS);
    assert_eq!(error.message.chars().count(), MOST_TEXT);
    assert!(
        error
            .violations
            .iter()
            .all(|(f, d)| f.chars().count() <= MOST_TEXT && d.chars().count() <= MOST_TEXT)
    );
}

#[test]
fn a_polled_operation_keeps_bounded_texts() {
    use kiln_console::call::MOST_TEXT;
    let mut long = op("o1", 1, 2, true, "CreateImageMetadata");
    long.description = "d".repeat(MOST_TEXT * 3);
    long.result = Some(
        kiln_core::proto::yandex::cloud::operation::operation::Result::Error(
            kiln_core::proto::google::rpc::Status {
                code: Code::Internal as i32,
                message: "m".repeat(MOST_TEXT * 3),
                details: Vec::new(),
            },
        ),
    );
    let tracked = Tracked::new(&long, "x");
    assert_eq!(tracked.description.len(), MOST_TEXT);
    match tracked.state {
        kiln_console::panel::State::Failed { message, .. } => {
            assert_eq!(message.len(), MOST_TEXT)
        }
        other => panic!("{other:?}"),
    }
}
