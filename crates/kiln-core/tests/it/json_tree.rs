//! The validator's borrowed JSON tree: strings borrow when they can, objects keep input order
//! and repeated keys, numbers keep their integer form.

use std::borrow::Cow;

use kiln_core::{
    json::{Json, Number},
    validate::{CREATE_IMAGE_REQUEST, Outcome, validate_str},
};

#[test]
fn parses_borrowing_strings_and_keeping_order() {
    let text =
        r#"{"b":"plain","a":"esc\"aped","n":-3,"u":18446744073709551615,"f":1.5,"l":[true,null]}"#;
    let Json::Object(entries) = Json::parse(text).unwrap() else {
        panic!("object expected")
    };
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["b", "a", "n", "u", "f", "l"]);
    assert!(matches!(
        &entries[0].1,
        Json::String(Cow::Borrowed("plain"))
    ));
    assert!(matches!(&entries[1].1, Json::String(Cow::Owned(s)) if s == "esc\"aped"));
    assert_eq!(entries[2].1, Json::Number(Number::Negative(-3)));
    assert_eq!(entries[3].1, Json::Number(Number::Positive(u64::MAX)));
    assert_eq!(entries[4].1, Json::Number(Number::Float(1.5)));
    assert_eq!(
        entries[5].1,
        Json::Array(vec![Json::Bool(true), Json::Null])
    );
}

#[test]
fn rejects_what_is_not_json_and_nesting_beyond_the_limit() {
    assert!(Json::parse("{").is_err());
    assert!(Json::parse("{} x").is_err());
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(Json::parse(&deep).is_err());
}

#[test]
fn a_repeated_key_is_reported_once_as_unknown() {
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
}
