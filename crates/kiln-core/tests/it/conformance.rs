//! Runs the conformance table of `tests/conformance/*.json` against the native validator.
//!
//! Each case names a message, an input and the expected `(field, rule)` pairs (compared as a
//! multiset, so order does not matter), or `"error"`. Cases listed in
//! `tests/conformance/expected-failures.json` must fail: a known gap stays visible, and a case
//! that starts passing must be taken off the list.

use std::{collections::BTreeMap, fs, path::PathBuf};

use kiln_core::{
    Locale, Rule,
    validate::{Outcome, validate_json, validate_json_in},
};
use serde_json::Value;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

struct Case {
    name: String,
    message: String,
    input: Value,
    expect: Value,
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(conformance_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| !p.ends_with("expected-failures.json"))
        .collect();
    files.sort();
    for file in files {
        let doc: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let default_message = doc.get("message").and_then(Value::as_str);
        for case in doc["cases"].as_array().expect("cases") {
            let name = case["name"].as_str().expect("case name").to_owned();
            let message = case
                .get("message")
                .and_then(Value::as_str)
                .or(default_message)
                .unwrap_or_else(|| panic!("{name}: no message"))
                .to_owned();
            cases.push(Case {
                name,
                message,
                input: case["input"].clone(),
                expect: case["expect"].clone(),
            });
        }
    }
    cases
}

/// The rule of an expected `(field, rule)` pair: a rule id of the contract, or the test fails
/// (a table naming an id the validator cannot give would otherwise only ever mismatch).
fn table_rule(case: &Case, id: &Value) -> Rule {
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("{}: rule {id} is not a string", case.name));
    id.parse().unwrap_or_else(|_| {
        panic!(
            "{}: {id:?} in the table is not a contract rule id",
            case.name
        )
    })
}

/// `None` when the outcome matches the expectation, else what differs.
fn mismatch(case: &Case, outcome: &Outcome) -> Option<String> {
    match (&case.expect, outcome) {
        (Value::String(s), Outcome::Error { .. }) if s == "error" => None,
        (Value::Array(pairs), _) => {
            let mut want: BTreeMap<(String, Rule), i32> = BTreeMap::new();
            for pair in pairs {
                let field = pair[0].as_str().expect("field").to_owned();
                *want.entry((field, table_rule(case, &pair[1]))).or_default() += 1;
            }
            let got_list: Vec<(String, Rule)> = match outcome {
                Outcome::Valid => Vec::new(),
                Outcome::Invalid { violations } => violations
                    .iter()
                    .map(|v| (v.field.clone(), v.rule))
                    .collect(),
                Outcome::Error { error } => return Some(format!("error: {error}")),
            };
            let mut got: BTreeMap<(String, Rule), i32> = BTreeMap::new();
            for pair in &got_list {
                *got.entry(pair.clone()).or_default() += 1;
            }
            (want != got).then(|| format!("expected {want:?}\n      got {got_list:?}"))
        }
        (expect, outcome) => Some(format!("expected {expect}, got {outcome:?}")),
    }
}

#[test]
fn conformance_table() {
    let cases = load_cases();
    assert!(
        cases.len() >= 100,
        "the table must keep at least 100 cases, has {}",
        cases.len()
    );
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "case names must be unique");

    let expected_failures: Vec<String> = serde_json::from_str(
        &fs::read_to_string(conformance_dir().join("expected-failures.json")).unwrap(),
    )
    .unwrap();
    let mut failures = Vec::new();
    let mut fixed = Vec::new();
    for case in &cases {
        let outcome = validate_json(&case.message, &case.input);
        let known = expected_failures.contains(&case.name);
        match (mismatch(case, &outcome), known) {
            (Some(why), false) => failures.push(format!("{}: {why}", case.name)),
            (None, true) => fixed.push(case.name.clone()),
            _ => {}
        }
    }
    assert!(
        fixed.is_empty(),
        "now passing, remove from expected-failures.json: {fixed:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_outcome_has_a_message_per_violation() {
    for case in load_cases() {
        if let Outcome::Invalid { violations } = validate_json(&case.message, &case.input) {
            for v in violations {
                assert!(
                    !v.message.is_empty() && !v.message.ends_with('.'),
                    "{}: {v:?}",
                    case.name
                );
            }
        }
    }
}

/// Every case in every locale: the same outcome kind, the same `(field, rule)` pairs in the
/// same order (the contract does not depend on the language), and each message or error
/// present in both languages and different between them. Every rule id and the error outcome
/// must be met by some case, so no rule kind goes untranslated.
#[test]
fn every_rule_kind_has_a_message_in_every_locale() {
    let mut met: Vec<Rule> = Vec::new();
    let mut errors = 0;
    for case in load_cases() {
        let en = validate_json_in(&case.message, &case.input, Locale::En);
        let ru = validate_json_in(&case.message, &case.input, Locale::Ru);
        assert_eq!(
            en,
            validate_json(&case.message, &case.input),
            "{}",
            case.name
        );
        match (&en, &ru) {
            (Outcome::Valid, Outcome::Valid) => {}
            (Outcome::Invalid { violations: a }, Outcome::Invalid { violations: b }) => {
                assert_eq!(a.len(), b.len(), "{}", case.name);
                for (a, b) in a.iter().zip(b) {
                    assert_eq!((&a.field, &a.rule), (&b.field, &b.rule), "{}", case.name);
                    assert!(
                        !a.message.is_empty() && !b.message.is_empty(),
                        "{}: {a:?} {b:?}",
                        case.name
                    );
                    assert_ne!(a.message, b.message, "{}: not translated", case.name);
                    assert!(
                        b.message.chars().any(|c| ('а'..='я').contains(&c)),
                        "{}: no Russian word in {:?}",
                        case.name,
                        b.message
                    );
                    if !met.contains(&a.rule) {
                        met.push(a.rule);
                    }
                }
            }
            (Outcome::Error { error: a }, Outcome::Error { error: b }) => {
                assert!(!a.is_empty() && !b.is_empty(), "{}", case.name);
                assert_ne!(a, b, "{}: error not translated", case.name);
                errors += 1;
            }
            (en, ru) => panic!("{}: {en:?} in English but {ru:?} in Russian", case.name),
        }
    }
    let missing: Vec<Rule> = Rule::ALL.into_iter().filter(|r| !met.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "no conformance case has a violation of {missing:?}"
    );
    assert!(errors > 0, "no conformance case is an error outcome");
}

/// Every expected pair of every table names a contract rule id ([`table_rule`] panics on any
/// other), checked apart from the comparison so a table's typo is reported as such.
#[test]
fn every_table_rule_is_a_contract_rule_id() {
    let mut pairs = 0;
    for case in load_cases() {
        if let Value::Array(expected) = &case.expect {
            for pair in expected {
                table_rule(&case, &pair[1]);
                pairs += 1;
            }
        }
    }
    assert!(pairs > 100, "only {pairs} expected pairs in the tables");
}

/// The ids are the contract's, one per variant, in `Rule::ALL`'s order, and every form of a
/// rule (its id, `FromStr`, serde's string) says the same.
#[test]
fn rule_ids_are_the_contract() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        ids,
        [
            "required",
            "length",
            "pattern",
            "size",
            "value",
            "map_key.length",
            "map_key.pattern",
            "exactly_one",
            "oneof",
            "type",
            "unknown_field",
            "enum",
        ]
    );
    for (i, rule) in Rule::ALL.into_iter().enumerate() {
        assert_eq!(rule as usize, i, "{rule:?}");
        assert_eq!(rule.as_str().parse::<Rule>(), Ok(rule));
        assert_eq!(rule.to_string(), rule.as_str());
        let json = serde_json::to_string(&rule).unwrap();
        assert_eq!(json, format!("\"{}\"", rule.as_str()));
        assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), rule);
    }
    for not_an_id in ["", "Required", "map_key", "map_key.", "required ", "rule"] {
        assert!(not_an_id.parse::<Rule>().is_err(), "{not_an_id:?}");
        assert!(serde_json::from_str::<Rule>(&format!("{not_an_id:?}")).is_err());
    }
}

/// `check_message_str_in` with one `Violations` reused across every case in both locales (as the
/// npm package calls it) gives what `validate_message_str_in` gives with a fresh one: the same
/// violations, fields and messages in the same order, nothing left over from the case before.
#[test]
fn a_reused_buffer_gives_the_same_outcome() {
    use kiln_core::validate::{Violations, check_message_str_in, validate_message_str_in};
    let mut found = Violations::new();
    let mut checked = 0;
    for case in load_cases() {
        let Some(schema) = kiln_core::schema::messages()
            .iter()
            .find(|m| m.full_name == case.message)
        else {
            continue;
        };
        let json = serde_json::to_string(&case.input).unwrap();
        for locale in Locale::ALL {
            let fresh = validate_message_str_in(schema, &json, locale);
            let reused = match check_message_str_in(schema, &json, locale, &mut found) {
                Err(error) => Outcome::Error { error },
                Ok(()) if found.is_empty() => Outcome::Valid,
                Ok(()) => Outcome::Invalid {
                    violations: found.to_vec(),
                },
            };
            assert_eq!(reused, fresh, "{} ({locale:?})", case.name);
            assert_eq!(found.len(), found.iter().len());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} cases checked");
}
