//! The validation contract: a request in proto3 JSON in, `valid` / `invalid` (violations) /
//! `error` out. Every front end (CLI, npm package, server, console) calls [`validate_json`] or
//! [`validate_str`] and shows the [`Outcome`] unchanged.
//!
//! The walker knows no field: it interprets the tables of [`crate::schema`], generated from the
//! `.proto` annotations. Shape problems (wrong JSON type, unknown field, unknown enum value) are
//! violations at their own path, so one bad field never hides the others.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use serde_json::Value;

use crate::json::{Json, Number};

use crate::schema::{self, FieldSchema, Kind, Limit, MessageSchema, Pattern, Shape, WellKnown};

/// The result of validating one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Outcome {
    /// The request passes every rule.
    Valid,
    /// The request breaks at least one rule.
    Invalid {
        /// Every violation found, in field order.
        violations: Vec<Violation>,
    },
    /// The input is not a JSON object at all, or names no known message.
    Error {
        /// What is wrong with the input.
        error: String,
    },
}

impl Outcome {
    /// The contract's JSON text: `{"kind":"valid"}`, `{"kind":"invalid","violations":[...]}` or
    /// `{"kind":"error","error":"..."}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an outcome always serializes")
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Path of proto field names: `labels["Team"]`, `product_ids[2]`,
    /// `hardware_generation.legacy_features.pci_topology`, or a oneof's name (`source`).
    pub field: String,
    /// Stable rule id: `required`, `length`, `pattern`, `size`, `value`, `map_key.length`,
    /// `map_key.pattern`, `exactly_one`, `oneof`, `type`, `unknown_field` or `enum`.
    pub rule: String,
    /// One English sentence naming the limit, e.g. `must be at most 63 characters`.
    pub message: String,
}

/// Full name of `CreateImageRequest`, the request most callers validate.
pub const CREATE_IMAGE_REQUEST: &str = "yandex.cloud.compute.v1.CreateImageRequest";

/// Validates proto3 JSON text as the message `message_name` (a full name).
pub fn validate_str(message_name: &str, json: &str) -> Outcome {
    match Json::parse(json) {
        Ok(value) => validate_tree(message_name, &value),
        Err(e) => Outcome::Error {
            error: format!("input is not valid JSON: {e}"),
        },
    }
}

/// Validates a parsed proto3 JSON value as the message `message_name` (a full name).
pub fn validate_json(message_name: &str, input: &Value) -> Outcome {
    validate_tree(message_name, &Json::from_value(input))
}

/// Validates a borrowed JSON tree as the message `message_name` (a full name).
pub fn validate_tree(message_name: &str, input: &Json<'_>) -> Outcome {
    let Some(schema) = schema::message(message_name) else {
        return Outcome::Error {
            error: format!("unknown message {message_name:?}"),
        };
    };
    let Json::Object(object) = input else {
        return Outcome::Error {
            error: format!("input must be a JSON object, got {}", json_type(input)),
        };
    };
    let mut walker = Walker {
        violations: Vec::new(),
    };
    walker.message(schema, object, &Path::Root);
    if walker.violations.is_empty() {
        Outcome::Valid
    } else {
        Outcome::Invalid {
            violations: walker.violations,
        }
    }
}

struct Walker {
    violations: Vec<Violation>,
}

impl Walker {
    fn push(&mut self, path: &Path<'_>, rule: &str, message: String) {
        self.violations.push(Violation {
            field: path.render(),
            rule: rule.to_owned(),
            message,
        });
    }

    fn message(
        &mut self,
        schema: &MessageSchema,
        object: &[(Cow<'_, str>, Json<'_>)],
        path: &Path<'_>,
    ) {
        // Most messages have few fields: keep the look-up table on the stack.
        let mut inline = [None; 24];
        let mut heap = Vec::new();
        let present: &mut [Option<&Json<'_>>] = if schema.fields.len() <= inline.len() {
            &mut inline[..schema.fields.len()]
        } else {
            heap.resize(schema.fields.len(), None);
            &mut heap
        };
        for (key, value) in object {
            match schema
                .fields
                .iter()
                .position(|f| f.json_name == key || f.name == key)
            {
                Some(i) if present[i].is_some() => {
                    let f = &schema.fields[i];
                    self.push(
                        &Path::Field(path, key),
                        "unknown_field",
                        format!("repeats the field {}", f.name),
                    );
                }
                Some(i) => present[i] = Some(value),
                None => self.push(
                    &Path::Field(path, key),
                    "unknown_field",
                    format!("is not a field of {}", schema.name()),
                ),
            }
        }
        for (field, value) in schema.fields.iter().zip(present.iter()) {
            let value = value.filter(|v| !matches!(v, Json::Null));
            self.field(field, value, &Path::Field(path, field.name));
        }
        for oneof in schema.oneofs {
            let is_member_set = |&&i: &&usize| present[i].is_some_and(is_set);
            let count = oneof.members.iter().filter(is_member_set).count();
            if count == 1 || (count == 0 && !oneof.exactly_one) {
                continue;
            }
            let names = |members: &mut dyn Iterator<Item = &usize>, sep: &str| {
                members
                    .map(|&i| schema.fields[i].name)
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            let all = names(&mut oneof.members.iter(), ", ");
            let set = names(&mut oneof.members.iter().filter(is_member_set), " and ");
            let at = Path::Field(path, oneof.name);
            if oneof.exactly_one {
                let message = if count == 0 {
                    format!("exactly one of {all} must be set, none is")
                } else {
                    format!("exactly one of {all} must be set, but {set} are")
                };
                self.push(&at, "exactly_one", message);
            } else {
                self.push(
                    &at,
                    "oneof",
                    format!("at most one of {all} may be set, but {set} are"),
                );
            }
        }
    }

    fn field(&mut self, field: &FieldSchema, value: Option<&Json<'_>>, path: &Path<'_>) {
        let rules = &field.rules;
        let Some(value) = value else {
            // Absent is the default value: an empty list or map still has a size to check.
            match field.shape {
                Shape::Single if rules.required => {
                    self.push(path, "required", "is required".to_owned());
                }
                Shape::Single => {}
                Shape::List | Shape::Map { .. } => self.count_rules(field, 0, "elements", path),
            }
            return;
        };
        match &field.shape {
            Shape::Single => {
                if let Some(scalar) = self.value(&field.kind, value, path) {
                    if rules.required && scalar.is_default() {
                        self.push(path, "required", "is required".to_owned());
                    }
                    self.scalar_rules(field, &scalar, path);
                }
            }
            Shape::List => {
                let Json::Array(items) = value else {
                    return self.type_error(path, "must be a list");
                };
                self.count_rules(field, items.len(), "elements", path);
                for (i, item) in items.iter().enumerate() {
                    let at = Path::Index(path, i);
                    if let Some(scalar) = self.value(&field.kind, item, &at) {
                        self.scalar_rules(field, &scalar, &at);
                    }
                }
            }
            Shape::Map { key } => {
                let Json::Object(entries) = value else {
                    return self.type_error(path, "must be an object of key-value pairs");
                };
                self.count_rules(field, entries.len(), "entries", path);
                for (k, item) in entries {
                    let at = Path::Key(path, k);
                    if !key_fits(key, k) {
                        self.type_error(&at, &format!("key {}", kind_expectation(key)));
                        continue;
                    }
                    if let Some(limit) = &rules.map_key_length {
                        self.length(limit, k, &at, "map_key.length", "key must be");
                    }
                    if let Some(pattern) = rules.map_key_pattern {
                        self.pattern(pattern, k, &at, "map_key.pattern", "key must");
                    }
                    if let Some(scalar) = self.value(&field.kind, item, &at) {
                        self.scalar_rules(field, &scalar, &at);
                    }
                }
            }
        }
    }

    fn count_rules(&mut self, field: &FieldSchema, count: usize, noun: &str, path: &Path<'_>) {
        if field.rules.required && count == 0 {
            self.push(path, "required", "is required".to_owned());
        }
        if let Some(limit) = field
            .rules
            .size
            .as_ref()
            .filter(|l| !l.allows(count as i128))
        {
            let message = format!("must have {} {noun} (it has {count})", limit.describe());
            self.push(path, "size", message);
        }
    }

    /// The rules that apply to one value: the field's own, or each list element or map value.
    fn scalar_rules(&mut self, field: &FieldSchema, scalar: &Scalar<'_>, path: &Path<'_>) {
        let rules = &field.rules;
        match *scalar {
            Scalar::Text(text) => {
                if let Some(limit) = &rules.length {
                    self.length(limit, text, path, "length", "must be");
                }
                if let Some(pattern) = rules.pattern {
                    self.pattern(pattern, text, path, "pattern", "must");
                }
            }
            Scalar::Integer(n) => {
                if let Some(limit) = rules.value.as_ref().filter(|l| n != 0 && !l.allows(n)) {
                    self.push(
                        path,
                        "value",
                        format!("must be {} (it is {n})", limit.describe()),
                    );
                }
            }
            Scalar::Float(x) => {
                let outside = |l: &&Limit| {
                    x != 0.0
                        && !l.ranges.iter().any(|r| {
                            r.min.is_none_or(|m| x >= m as f64)
                                && r.max.is_none_or(|m| x <= m as f64)
                        })
                };
                if let Some(limit) = rules.value.as_ref().filter(outside) {
                    self.push(path, "value", format!("must be {}", limit.describe()));
                }
            }
            Scalar::Other { .. } => {}
        }
    }

    fn length(&mut self, limit: &Limit, text: &str, path: &Path<'_>, rule: &str, lead: &str) {
        let chars = text.chars().count();
        if !limit.allows(chars as i128) {
            let unit = if limit.max() == Some(1) {
                "character"
            } else {
                "characters"
            };
            let message = format!("{lead} {} {unit} long (it has {chars})", limit.describe());
            self.push(path, rule, message);
        }
    }

    fn pattern(&mut self, pattern: &Pattern, text: &str, path: &Path<'_>, rule: &str, lead: &str) {
        if !pattern.is_match(text) {
            let message = format!("{lead} match the regular expression {}", pattern.source);
            self.push(path, rule, message);
        }
    }

    fn type_error(&mut self, path: &Path<'_>, message: &str) {
        self.push(path, "type", message.to_owned());
    }

    /// Checks one JSON value against its kind; `None` after reporting a `type` or `enum`
    /// violation (no other rule is checked on a value of the wrong type).
    fn value<'a>(
        &mut self,
        kind: &Kind,
        value: &'a Json<'_>,
        path: &Path<'_>,
    ) -> Option<Scalar<'a>> {
        let scalar = match (kind, value) {
            (Kind::String | Kind::Bytes, Json::String(s)) => Some(Scalar::Text(s)),
            (Kind::Bool, Json::Bool(b)) => Some(Scalar::Other { default: !b }),
            (Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64, v) => {
                integer(v).filter(|&n| fits(kind, n)).map(Scalar::Integer)
            }
            (Kind::Float | Kind::Double, v) => float(v).map(|x| Scalar::Float(x.unwrap_or(0.0))),
            (Kind::Enum(e), Json::String(name)) => {
                return match e.values.iter().find(|(n, _)| *n == name.as_ref()) {
                    Some(&(_, number)) => Some(Scalar::Other {
                        default: number == 0,
                    }),
                    None => self.enum_error(e, path),
                };
            }
            (Kind::Enum(e), v @ Json::Number(_)) => {
                return match integer(v) {
                    Some(n) if e.values.iter().any(|&(_, number)| i128::from(number) == n) => {
                        Some(Scalar::Other { default: n == 0 })
                    }
                    Some(_) => self.enum_error(e, path),
                    None => {
                        self.type_error(path, kind_expectation(kind));
                        None
                    }
                };
            }
            (Kind::Message(inner), Json::Object(object)) => {
                self.message(inner, object, path);
                Some(Scalar::Other { default: false })
            }
            (Kind::WellKnown(wk), v) => well_known(*wk, v),
            _ => None,
        };
        if scalar.is_none() {
            self.type_error(path, kind_expectation(kind));
        }
        scalar
    }

    fn enum_error<T>(&mut self, e: &schema::EnumSchema, path: &Path<'_>) -> Option<T> {
        let names: Vec<&str> = e.values.iter().map(|(n, _)| *n).collect();
        self.push(path, "enum", format!("must be one of {}", names.join(", ")));
        None
    }
}

/// A value that passed its type check, as the rules see it.
enum Scalar<'a> {
    Text(&'a str),
    Integer(i128),
    Float(f64),
    /// Bools, enums, messages and well-known types: only "is it the default" matters.
    Other {
        default: bool,
    },
}

impl Scalar<'_> {
    fn is_default(&self) -> bool {
        match *self {
            Scalar::Text(s) => s.is_empty(),
            Scalar::Integer(n) => n == 0,
            Scalar::Float(x) => x == 0.0,
            Scalar::Other { default } => default,
        }
    }
}

/// Whether a oneof member counts as set: present, not null, and not an empty string or other
/// scalar default (a message, even `{}`, is set).
fn is_set(value: &Json<'_>) -> bool {
    match value {
        Json::Null => false,
        Json::String(s) => !s.is_empty(),
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != 0.0,
        Json::Array(_) | Json::Object(_) => true,
    }
}

/// A JSON number or decimal string holding an integer (proto3 JSON accepts both).
fn integer(value: &Json<'_>) -> Option<i128> {
    match value {
        Json::Number(Number::Negative(i)) => Some((*i).into()),
        Json::Number(Number::Positive(u)) => Some((*u).into()),
        Json::Number(Number::Float(x)) => {
            (x.fract() == 0.0 && x.abs() < 1.9e19).then_some(*x as i128)
        }
        Json::String(s) => integer_text(s),
        _ => None,
    }
}

/// A decimal integer written as a string (`"-12"`), as proto3 JSON allows for 64-bit integers.
fn integer_text(s: &str) -> Option<i128> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn fits(kind: &Kind, n: i128) -> bool {
    match kind {
        Kind::Int32 => i32::try_from(n).is_ok(),
        Kind::Int64 => i64::try_from(n).is_ok(),
        Kind::Uint32 => u32::try_from(n).is_ok(),
        _ => u64::try_from(n).is_ok(),
    }
}

/// A float's value for range checks: `Some(Some(x))` for a JSON number, `Some(None)` for a
/// string holding a number, `NaN` or `Infinity` (accepted by proto3 JSON; its range is not
/// checked, which keeps float parsing out of the wasm build), `None` for anything else.
fn float(value: &Json<'_>) -> Option<Option<f64>> {
    match value {
        Json::Number(n) => Some(Some(n.as_f64())),
        Json::String(s) => {
            let numeric = matches!(s.as_ref(), "NaN" | "Infinity" | "-Infinity")
                || serde_json::from_str::<serde_json::Number>(s).is_ok();
            numeric.then_some(None)
        }
        _ => None,
    }
}

fn well_known(wk: WellKnown, value: &Json<'_>) -> Option<Scalar<'static>> {
    let ok = match (wk, value) {
        (WellKnown::Any, any @ Json::Object(_)) => {
            matches!(any.get("@type"), Some(Json::String(_)))
        }
        (WellKnown::Timestamp | WellKnown::Duration | WellKnown::FieldMask, Json::String(_)) => {
            true
        }
        (WellKnown::Object, Json::Object(_)) | (WellKnown::List, Json::Array(_)) => true,
        (WellKnown::Value, _) => true,
        _ => false,
    };
    ok.then_some(Scalar::Other { default: false })
}

fn key_fits(kind: &Kind, key: &str) -> bool {
    match kind {
        Kind::Bool => key == "true" || key == "false",
        Kind::String => true,
        _ => integer_text(key).is_some_and(|n| fits(kind, n)),
    }
}

fn kind_expectation(kind: &Kind) -> &'static str {
    match kind {
        Kind::String => "must be a string",
        Kind::Bytes => "must be a base64 string",
        Kind::Bool => "must be true or false",
        Kind::Int32 => "must be a 32-bit integer",
        Kind::Int64 => "must be a 64-bit integer (a JSON number or a string of digits)",
        Kind::Uint32 => "must be a non-negative 32-bit integer",
        Kind::Uint64 => {
            "must be a non-negative 64-bit integer (a JSON number or a string of digits)"
        }
        Kind::Float | Kind::Double => "must be a number",
        Kind::Enum(_) => "must be an enum value name (a string) or number",
        Kind::Message(_) => "must be an object",
        Kind::WellKnown(WellKnown::Any) => "must be an object with an \"@type\" string",
        Kind::WellKnown(WellKnown::Timestamp) => "must be an RFC 3339 timestamp string",
        Kind::WellKnown(WellKnown::Duration) => "must be a duration string such as \"1.5s\"",
        Kind::WellKnown(WellKnown::FieldMask) => "must be a string of comma-separated field paths",
        Kind::WellKnown(WellKnown::Object) => "must be an object",
        Kind::WellKnown(WellKnown::List) => "must be a list",
        Kind::WellKnown(WellKnown::Value) => "must be a JSON value",
    }
}

fn json_type(value: &Json<'_>) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Where a value sits in the request, rendered only when a violation is reported.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    /// A field or oneof by proto name, or an unknown key as written.
    Field(&'a Path<'a>, &'a str),
    /// A list element.
    Index(&'a Path<'a>, usize),
    /// A map entry, its key written as a JSON string.
    Key(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Field(parent, name) => {
                parent.write(out);
                if !matches!(parent, Path::Root) {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                out.push_str(&format!("[{i}]"));
            }
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('[');
                out.push_str(&serde_json::to_string(key).expect("a string serializes"));
                out.push(']');
            }
        }
    }
}
