//! The JSON cursor the validator reads with, and the contract's JSON writer.

use kiln_core::{
    Rule,
    scan::{Cursor, NumberToken, is_number_text},
    validate::{CREATE_IMAGE_REQUEST, Outcome, Violation, validate_str},
};

fn number(text: &str) -> NumberToken {
    let mut cursor = Cursor::new(text);
    let token = cursor.number().unwrap();
    cursor.finish().unwrap();
    token
}

#[test]
fn numbers_are_exact_integers_when_integral() {
    let int = |t: &str| number(t).integer;
    assert_eq!(int("0"), Some(0));
    assert_eq!(int("-0.0"), Some(0));
    assert_eq!(int("4194304"), Some(4194304));
    assert_eq!(int("4.194304e6"), Some(4194304));
    assert_eq!(int("10737418240.000"), Some(10737418240));
    assert_eq!(int("1E3"), Some(1000));
    assert_eq!(int("-9223372036854775809"), Some(-9223372036854775809));
    assert_eq!(int("1.5"), None);
    assert_eq!(int("15e-1"), None);
    assert_eq!(int("1e400"), None);
    assert!(number("0.000").zero && !number("0.001").zero);
    for bad in ["01", "-", "1.", ".5", "1e", "+1", "--1"] {
        assert!(!is_number_text(bad), "{bad}");
    }
    assert!(is_number_text("-1.25e-3"));
}

#[test]
fn strings_unescape_and_borrow_when_they_can() {
    let read = |t: &str| Cursor::new(t).string().unwrap().into_owned();
    assert!(matches!(
        Cursor::new(r#""plain""#).string().unwrap(),
        std::borrow::Cow::Borrowed("plain")
    ));
    assert_eq!(read(r#""a\"b\\c\/d\n\t""#), "a\"b\\c/d\n\t");
    assert_eq!(read(r#""\u0434\ud83d\ude00""#), "д😀");
    assert_eq!(
        read(r#""lone \ud800 surrogate""#),
        "lone \u{fffd} surrogate"
    );
    assert!(Cursor::new("\"tab\tinside\"").string().is_err());
    assert!(Cursor::new(r#""bad \x escape""#).string().is_err());
    assert!(Cursor::new(r#""unterminated"#).string().is_err());
}

#[test]
fn long_strings_stop_at_every_quote_escape_and_control_character() {
    // Strings are scanned 8 bytes at a time: put each kind of stop at every offset of a text
    // longer than a few chunks, among ASCII and multi-byte characters.
    for filler in ["a", "é", "€", "~"] {
        let base: String = filler.repeat(40);
        for at in 0..base.len() {
            if !base.is_char_boundary(at) {
                continue;
            }
            let (head, tail) = base.split_at(at);
            let quoted = format!("\"{head}\"{tail}\"");
            let mut cursor = Cursor::new(&quoted);
            assert_eq!(
                cursor.string().unwrap(),
                head,
                "quote at {at} of {filler:?}"
            );
            let escaped = format!("\"{head}\\n{tail}\"");
            let expected = format!("{head}\n{tail}");
            assert_eq!(
                Cursor::new(&escaped).string().unwrap(),
                expected,
                "escape at {at}"
            );
            let control = format!("\"{head}\u{1f}{tail}\"");
            let error = Cursor::new(&control).string().unwrap_err();
            assert_eq!(
                error.message, "control character in a string",
                "control at {at}"
            );
            assert_eq!(error.column, head.chars().count() + 2, "control at {at}");
        }
    }
}

#[test]
fn syntax_errors_name_the_place() {
    let error = |text: &str| match validate_str(CREATE_IMAGE_REQUEST, text) {
        Outcome::Error { error } => error,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(
        error("{\n  \"folderId\" \"f\"\n}"),
        "input is not valid JSON: expected ':' at line 2 column 14"
    );
    assert_eq!(
        error(r#"{"folderId": "f",}"#),
        "input is not valid JSON: expected a string key at line 1 column 18"
    );
    assert_eq!(
        error(r#"{"folderId": "f"} {}"#),
        "input is not valid JSON: trailing characters after the value at line 1 column 19"
    );
    assert_eq!(
        error(""),
        "input is not valid JSON: unexpected end of input at line 1 column 1"
    );
    assert_eq!(error("[1, 2]"), "input must be a JSON object, got an array");
    assert_eq!(error("\"x\""), "input must be a JSON object, got a string");
    assert_eq!(
        error("[1, 2"),
        "input is not valid JSON: expected ',' or ']' at line 1 column 6"
    );
    let deep = format!("{{\"os\": {}{}}}", "[".repeat(200), "]".repeat(200));
    assert!(error(&deep).contains("nesting deeper than 128 levels"));
    // An unknown field's value is skipped but must still be JSON.
    assert!(error(r#"{"folderId": "f", "x": [tru]}"#).contains("expected a value"));
}

#[test]
fn repeated_keys_and_nulls() {
    let outcome = validate_str(
        CREATE_IMAGE_REQUEST,
        r#"{"folderId":"f","imageId":"i","name":"a","name":"b"}"#,
    );
    let Outcome::Invalid { violations } = outcome else {
        panic!("invalid expected")
    };
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (violations[0].field.as_str(), violations[0].rule.as_str()),
        ("name", "unknown_field")
    );
    assert_eq!(violations[0].message, "repeats the field name");
    let null_then_value = validate_str(
        CREATE_IMAGE_REQUEST,
        r#"{"folderId":null,"folder_id":"f","imageId":"i"}"#,
    );
    assert!(
        matches!(null_then_value, Outcome::Invalid { .. }),
        "{null_then_value:?}"
    );
}

#[test]
fn contract_json_is_what_serde_json_writes() {
    let tricky = "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}д😀";
    let outcomes = [
        Outcome::Valid,
        Outcome::Error {
            error: tricky.to_owned(),
        },
        Outcome::Invalid {
            violations: vec![
                Violation {
                    field: tricky.to_owned(),
                    rule: Rule::Type,
                    message: "m".to_owned(),
                },
                Violation {
                    field: "f".to_owned(),
                    rule: Rule::MapKeyPattern,
                    message: tricky.to_owned(),
                },
            ],
        },
    ];
    for outcome in outcomes {
        assert_eq!(outcome.to_json(), serde_json::to_string(&outcome).unwrap());
    }
}
