//! The validation contract: a request in proto3 JSON in, `valid` / `invalid` (violations) /
//! `error` out. Every front end (CLI, npm package, server, console) calls [`validate_str`] or
//! [`validate_json`] and shows the [`Outcome`] unchanged.
//!
//! The walker knows no field: it interprets the tables of [`crate::schema`], generated from the
//! `.proto` annotations, while it reads the JSON text once with [`crate::scan::Cursor`]. Shape
//! problems (wrong JSON type, unknown field, unknown enum value) are violations at their own
//! path, so one bad field never hides the others.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::{
    Locale,
    pattern::Diagnosis,
    rule::Rule,
    scan::{self, Cursor, NumberToken},
    schema::{self, FieldSchema, Kind, Limit, MessageSchema, Pattern, Shape, WellKnown, push_int},
    text::{self, KindWords, Subject},
};

/// The result of validating one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Outcome {
    /// The request passes every rule.
    Valid,
    /// The request breaks at least one rule.
    Invalid {
        /// Every violation found, in reading order: fields as they appear in the input (a
        /// list's or map's own violations before its items'), then absent fields and oneofs.
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
    /// `{"kind":"error","error":"..."}` (the same text serde_json writes for this type).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        match self {
            Outcome::Valid => out.push_str(r#"{"kind":"valid"}"#),
            Outcome::Invalid { violations } => {
                out.push_str(r#"{"kind":"invalid","violations":["#);
                for (i, v) in violations.iter().enumerate() {
                    out.push_str(if i == 0 {
                        r#"{"field":"#
                    } else {
                        r#",{"field":"#
                    });
                    quote(&mut out, &v.field);
                    out.push_str(r#","rule":"#);
                    quote(&mut out, v.rule.as_str());
                    out.push_str(r#","message":"#);
                    quote(&mut out, &v.message);
                    out.push('}');
                }
                out.push_str("]}");
            }
            Outcome::Error { error } => {
                out.push_str(r#"{"kind":"error","error":"#);
                quote(&mut out, error);
                out.push('}');
            }
        }
        out
    }
}

/// `text` as a JSON string literal, escaped as serde_json does (for front ends that write JSON
/// without carrying serde_json).
pub fn json_string(text: &str) -> String {
    let mut out = String::new();
    quote(&mut out, text);
    out
}

/// Appends `text` as a JSON string, escaped as serde_json does (runs of plain characters are
/// copied whole: this is the hot loop of an invalid result).
pub(crate) fn quote(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        plain = i + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Path of proto field names: `labels["Team"]`, `product_ids[2]`,
    /// `hardware_generation.legacy_features.pci_topology`, or a oneof's name (`source`).
    pub field: String,
    /// The rule broken; serialized as its stable id (`required`, `length`, `pattern`, `size`,
    /// `value`, `map_key.length`, `map_key.pattern`, `exactly_one`, `oneof`, `type`,
    /// `unknown_field` or `enum`: [`Rule::as_str`]).
    pub rule: Rule,
    /// One sentence naming the limit, in the locale asked for (English by default), e.g.
    /// `must be at most 63 characters long (it has 70)`.
    pub message: String,
}

/// Full name of `CreateImageRequest`, the request most callers validate.
pub const CREATE_IMAGE_REQUEST: &str = "yandex.cloud.compute.v1.CreateImageRequest";

/// Validates proto3 JSON text as the message `message_name` (a full name); messages in
/// English.
pub fn validate_str(message_name: &str, json: &str) -> Outcome {
    validate_str_in(message_name, json, Locale::En)
}

/// [`validate_str`] with the messages (and the error outcome's words) in `locale`. The rule
/// ids and field paths are the same in every locale.
pub fn validate_str_in(message_name: &str, json: &str, locale: Locale) -> Outcome {
    match schema::message(message_name) {
        Some(schema) => validate_message_str_in(schema, json, locale),
        None => Outcome::Error {
            error: text::unknown_message(locale, message_name),
        },
    }
}

/// Validates proto3 JSON text as the message `schema` (from [`schema::messages`]); messages
/// in English.
pub fn validate_message_str(schema: &MessageSchema, json: &str) -> Outcome {
    validate_message_str_in(schema, json, Locale::En)
}

/// [`validate_message_str`] with the messages in `locale`.
pub fn validate_message_str_in(schema: &MessageSchema, json: &str, locale: Locale) -> Outcome {
    let mut found = Violations::default();
    match check_message_str_in(schema, json, locale, &mut found) {
        Err(error) => Outcome::Error { error },
        Ok(()) if found.is_empty() => Outcome::Valid,
        Ok(()) => Outcome::Invalid {
            violations: found.to_vec(),
        },
    }
}

/// [`validate_message_str_in`] for a caller that validates again and again (the npm package):
/// the violations go into `found`, cleared first, whose one text buffer and list are reused
/// from call to call, so an invalid request allocates nothing once they have grown. `Ok` with
/// `found` empty is the valid outcome, `Err` the error outcome's sentence.
pub fn check_message_str_in(
    schema: &MessageSchema,
    json: &str,
    locale: Locale,
    found: &mut Violations,
) -> std::result::Result<(), String> {
    found.clear();
    let mut cursor = Cursor::new(json);
    let not_json = |e: scan::SyntaxError| {
        let mut error = String::new();
        text::push_not_json(&mut error, locale, e.message, e.line, e.column);
        error
    };
    let first = cursor.peek();
    if first != Some(b'{') {
        if let Err(e) = cursor.skip_value().and_then(|()| cursor.finish()) {
            return Err(not_json(e));
        }
        let got = match first {
            Some(b'"') => text::NotObject::String,
            Some(b'[') => text::NotObject::Array,
            Some(b't' | b'f') => text::NotObject::Boolean,
            Some(b'n') => text::NotObject::Null,
            _ => text::NotObject::Number,
        };
        let mut error = String::new();
        text::push_not_object(&mut error, locale, got);
        return Err(error);
    }
    let mut walker = Walker { found, locale };
    if let Err(e) = walker
        .message(&mut cursor, schema, &Path::Root)
        .and_then(|()| cursor.finish())
    {
        walker.found.clear();
        return Err(not_json(e));
    }
    Ok(())
}

/// The violations of one validation, every field and message in one text buffer (see
/// [`check_message_str_in`]); the same content as [`Outcome::Invalid`]'s list.
#[derive(Debug, Clone, Default)]
pub struct Violations {
    /// Each violation's field, then its message, one after another.
    text: String,
    found: Vec<Found>,
}

/// Where one violation's texts are in [`Violations::text`]: the field is `start..split`, the
/// message `split..end`.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    split: usize,
    end: usize,
    rule: Rule,
}

impl Violations {
    /// An empty list (what `Default` gives, usable in a `const`).
    pub const fn new() -> Self {
        Violations {
            text: String::new(),
            found: Vec::new(),
        }
    }

    /// How many violations there are.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Whether there are none (the request is valid).
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Each violation's field, rule and message, in the order of [`Outcome::Invalid`].
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, Rule, &str)> + '_ {
        self.found.iter().map(|f| {
            (
                &self.text[f.start..f.split],
                f.rule,
                &self.text[f.split..f.end],
            )
        })
    }

    /// The violations as [`Violation`]s.
    pub fn to_vec(&self) -> Vec<Violation> {
        self.iter()
            .map(|(field, rule, message)| Violation {
                field: field.to_owned(),
                rule,
                message: message.to_owned(),
            })
            .collect()
    }

    /// Empties the list, keeping the buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.found.clear();
    }
}

/// Validates a parsed proto3 JSON value as the message `message_name` (a full name).
pub fn validate_json(message_name: &str, input: &serde_json::Value) -> Outcome {
    validate_str(message_name, &input.to_string())
}

/// [`validate_json`] with the messages in `locale`.
pub fn validate_json_in(message_name: &str, input: &serde_json::Value, locale: Locale) -> Outcome {
    validate_str_in(message_name, &input.to_string(), locale)
}

type Result<T> = scan::Result<T>;

/// What a message saw of one of its fields.
#[derive(Clone, Copy, Default)]
struct Seen {
    /// The key appeared (even with `null`).
    key: bool,
    /// A non-null value was given.
    present: bool,
    /// The value counts as set for a oneof (not null, not an empty string or other default).
    set: bool,
}

struct Walker<'v> {
    found: &'v mut Violations,
    locale: Locale,
}

impl Walker<'_> {
    /// Adds a violation at `path`: its message is what `message` appends to the buffer.
    fn push(&mut self, path: &Path<'_>, rule: Rule, message: impl FnOnce(&mut String, Locale)) {
        let text = &mut self.found.text;
        let start = text.len();
        path.write(text);
        let split = text.len();
        message(text, self.locale);
        let end = text.len();
        self.found.found.push(Found {
            start,
            split,
            end,
            rule,
        });
    }

    /// Reads an object at the cursor as the message `schema`.
    fn message(
        &mut self,
        cur: &mut Cursor<'_>,
        schema: &MessageSchema,
        path: &Path<'_>,
    ) -> Result<()> {
        // Most messages have few fields: keep what was seen on the stack.
        let mut inline = [Seen::default(); 24];
        let mut heap = Vec::new();
        let seen: &mut [Seen] = if schema.fields.len() <= inline.len() {
            &mut inline[..schema.fields.len()]
        } else {
            heap.resize(schema.fields.len(), Seen::default());
            &mut heap
        };
        cur.begin_object()?;
        let mut first = true;
        while let Some(key) = cur.next_key(&mut first)? {
            let found = schema.field_index(&key);
            match found {
                Some(i) if seen[i].key => {
                    let name = schema.fields[i].name;
                    self.push(
                        &Path::Field(path, &key),
                        Rule::UnknownField,
                        |out, locale| {
                            text::push_repeated_field(out, locale, name);
                        },
                    );
                    cur.skip_value()?;
                }
                Some(i) => {
                    seen[i].key = true;
                    if cur.peek() == Some(b'n') {
                        // null is the default value: the field stays unset.
                        cur.literal()?;
                        continue;
                    }
                    let field = &schema.fields[i];
                    seen[i].present = true;
                    seen[i].set = self.field(cur, field, &Path::Field(path, field.name))?;
                }
                None => {
                    self.push(
                        &Path::Field(path, &key),
                        Rule::UnknownField,
                        |out, locale| {
                            text::push_unknown_field(out, locale, schema.name());
                        },
                    );
                    cur.skip_value()?;
                }
            }
        }
        for (field, seen) in schema.fields.iter().zip(seen.iter()) {
            if !seen.present {
                self.absent(field, &Path::Field(path, field.name));
            }
        }
        for oneof in schema.oneofs {
            let is_member_set = |&&i: &&usize| seen[i].set;
            let count = oneof.members.iter().filter(is_member_set).count();
            if count == 1 || (count == 0 && !oneof.exactly_one) {
                continue;
            }
            let names = |members: &mut dyn Iterator<Item = &usize>| {
                members.map(|&i| schema.fields[i].name).collect::<Vec<_>>()
            };
            let at = Path::Field(path, oneof.name);
            let rule = if oneof.exactly_one {
                Rule::ExactlyOne
            } else {
                Rule::Oneof
            };
            if count == 0 {
                let all = names(&mut oneof.members.iter());
                self.push(&at, rule, |out, locale| {
                    text::push_oneof_none(out, locale, oneof.name, &all);
                });
            } else {
                let set = names(&mut oneof.members.iter().filter(is_member_set));
                self.push(&at, rule, |out, locale| {
                    text::push_oneof_many(out, locale, oneof.name, &set);
                });
            }
        }
        Ok(())
    }

    /// A field that is absent or null: its default value.
    fn absent(&mut self, field: &FieldSchema, path: &Path<'_>) {
        match field.shape {
            Shape::Single if field.rules.required => {
                self.push(path, Rule::Required, |out, locale| {
                    out.push_str(text::required(locale))
                });
            }
            Shape::Single => {}
            // An empty list or map still has a size to check.
            Shape::List | Shape::Map { .. } => {
                let at = self.found.len();
                self.count_rules(field, 0, &text::ELEMENTS, path, at);
            }
        }
    }

    /// Reads a field's (non-null) value; returns whether it counts as set for a oneof.
    fn field(
        &mut self,
        cur: &mut Cursor<'_>,
        field: &FieldSchema,
        path: &Path<'_>,
    ) -> Result<bool> {
        let rules = &field.rules;
        match &field.shape {
            Shape::Single => {
                let (scalar, set) = self.value(cur, &field.kind, path)?;
                if let Some(scalar) = scalar {
                    if rules.required && scalar.is_default() {
                        self.push(path, Rule::Required, |out, locale| {
                            out.push_str(text::required(locale))
                        });
                    }
                    self.scalar_rules(field, &scalar, path);
                }
                Ok(set)
            }
            Shape::List => {
                if cur.peek() != Some(b'[') {
                    self.type_error(path, Subject::Value, &text::KIND_LIST);
                    cur.skip_value()?;
                    return Ok(true);
                }
                // Field-level violations come before those of its elements.
                let at = self.found.len();
                cur.begin_array()?;
                let (mut first, mut count) = (true, 0);
                while cur.next_item(&mut first)? {
                    let item = Path::Index(path, count);
                    if let (Some(scalar), _) = self.value(cur, &field.kind, &item)? {
                        self.scalar_rules(field, &scalar, &item);
                    }
                    count += 1;
                }
                self.count_rules(field, count, &text::ELEMENTS, path, at);
                Ok(true)
            }
            Shape::Map { key: key_kind } => {
                if cur.peek() != Some(b'{') {
                    self.type_error(path, Subject::Value, &text::KIND_MAP);
                    cur.skip_value()?;
                    return Ok(true);
                }
                let at = self.found.len();
                cur.begin_object()?;
                let (mut first, mut count) = (true, 0);
                while let Some(key) = cur.next_key(&mut first)? {
                    count += 1;
                    let entry = Path::Key(path, &key);
                    if !key_fits(key_kind, &key) {
                        self.type_error(&entry, Subject::Key, kind_expectation(key_kind));
                        cur.skip_value()?;
                        continue;
                    }
                    if let Some(limit) = &rules.map_key_length {
                        self.length(limit, &key, &entry, Rule::MapKeyLength, Subject::Key);
                    }
                    if let Some(pattern) = rules.map_key_pattern {
                        self.pattern(pattern, &key, &entry, Rule::MapKeyPattern, Subject::Key);
                    }
                    if let (Some(scalar), _) = self.value(cur, &field.kind, &entry)? {
                        self.scalar_rules(field, &scalar, &entry);
                    }
                }
                self.count_rules(field, count, &text::ENTRIES, path, at);
                Ok(true)
            }
        }
    }

    /// `(required)` and `(size)` of a list or map with `count` items; the violations go in at
    /// index `at`, before those of the items.
    fn count_rules(
        &mut self,
        field: &FieldSchema,
        count: usize,
        noun: &text::Noun,
        path: &Path<'_>,
        at: usize,
    ) {
        // Each is added last, then moved to its place (the buffer's order does not matter).
        let mut place = at;
        let mut to_place = |found: &mut Vec<Found>| {
            if let Some(last) = found.pop() {
                found.insert(place, last);
                place += 1;
            }
        };
        if field.rules.required && count == 0 {
            self.push(path, Rule::Required, |out, locale| {
                out.push_str(text::required(locale))
            });
            to_place(&mut self.found.found);
        }
        if let Some(limit) = field
            .rules
            .size
            .as_ref()
            .filter(|l| !l.allows(count as i128))
        {
            self.push(path, Rule::Size, |out, locale| {
                text::push_size(out, locale, noun, limit.ranges, count as i128);
            });
            to_place(&mut self.found.found);
        }
    }

    /// The rules that apply to one value: the field's own, or each list element or map value.
    fn scalar_rules(&mut self, field: &FieldSchema, scalar: &Scalar<'_>, path: &Path<'_>) {
        let rules = &field.rules;
        match scalar {
            Scalar::Text(text) => {
                if let Some(limit) = &rules.length {
                    self.length(limit, text, path, Rule::Length, Subject::Value);
                }
                if let Some(pattern) = rules.pattern {
                    self.pattern(pattern, text, path, Rule::Pattern, Subject::Value);
                }
            }
            &Scalar::Integer(n) => {
                if let Some(limit) = rules.value.as_ref().filter(|l| n != 0 && !l.allows(n)) {
                    self.push(path, Rule::Value, |out, locale| {
                        text::push_value(out, locale, limit.ranges, n);
                    });
                }
            }
            Scalar::Float { .. } | Scalar::Other { .. } => {}
        }
    }

    fn length(&mut self, limit: &Limit, text: &str, path: &Path<'_>, rule: Rule, who: Subject) {
        let chars = text.chars().count();
        if !limit.allows(chars as i128) {
            self.push(path, rule, |out, locale| {
                text::push_length(out, locale, who, limit.ranges, chars as i128);
            });
        }
    }

    /// A `(pattern)` rule: when the value does not match, the message says what is wrong with
    /// it from the pattern's verified shape (a character, the length, the first or last
    /// character).
    fn pattern(
        &mut self,
        pattern: &Pattern,
        value: &str,
        path: &Path<'_>,
        rule: Rule,
        who: Subject,
    ) {
        if pattern.is_match(value) {
            return;
        }
        let shape = &pattern.shape;
        let diagnosis = pattern.diagnose(value);
        self.push(path, rule, |message, locale| {
            let i = locale.index();
            match diagnosis {
                Some(Diagnosis::Char(c)) => {
                    text::push_pattern_char(message, locale, who, shape.allowed[i], c);
                }
                Some(Diagnosis::Length(n)) => {
                    text::push_pattern_length(message, locale, who, shape.lengths(), n as i128);
                }
                Some(Diagnosis::First) => {
                    text::push_pattern_first(message, locale, who, shape.first_words[i]);
                }
                Some(Diagnosis::Last) => {
                    text::push_pattern_last(message, locale, who, shape.last_words[i]);
                }
                None => text::push_pattern_source(message, locale, who, pattern.source),
            }
        });
    }

    fn type_error(&mut self, path: &Path<'_>, who: Subject, kind: &KindWords) {
        self.push(path, Rule::Type, |out, locale| {
            text::push_type(out, locale, who, kind)
        });
    }

    /// Reads one non-absent value and checks it against its kind. Returns the value as the
    /// rules see it (`None` after a `type` or `enum` violation: no other rule is checked on a
    /// value of the wrong type) and whether it counts as set for a oneof.
    fn value<'a>(
        &mut self,
        cur: &mut Cursor<'a>,
        kind: &Kind,
        path: &Path<'_>,
    ) -> Result<(Option<Scalar<'a>>, bool)> {
        let (scalar, set) = match cur.peek() {
            Some(b'"') => {
                let text = cur.string()?;
                let set = !text.is_empty();
                let scalar = match kind {
                    Kind::String | Kind::Bytes => Some(Scalar::Text(text)),
                    Kind::Enum(e) => match e.values.iter().find(|(n, _)| *n == text) {
                        Some(&(_, number)) => Some(Scalar::Other {
                            default: number == 0,
                        }),
                        None => return Ok((self.enum_error(e, path), set)),
                    },
                    Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 => integer_text(&text)
                        .filter(|&n| fits(kind, n))
                        .map(Scalar::Integer),
                    Kind::Float | Kind::Double => {
                        let numeric = matches!(text.as_ref(), "NaN" | "Infinity" | "-Infinity")
                            || scan::is_number_text(&text);
                        numeric.then_some(Scalar::Float { zero: false })
                    }
                    Kind::WellKnown(
                        WellKnown::Timestamp
                        | WellKnown::Duration
                        | WellKnown::FieldMask
                        | WellKnown::Value,
                    ) => Some(Scalar::Other { default: false }),
                    _ => None,
                };
                (scalar, set)
            }
            Some(b'-' | b'0'..=b'9') => {
                let number = cur.number()?;
                let scalar = match kind {
                    Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 => number
                        .integer
                        .filter(|&n| fits(kind, n))
                        .map(Scalar::Integer),
                    Kind::Float | Kind::Double => Some(Scalar::Float { zero: number.zero }),
                    Kind::Enum(e) => match number {
                        NumberToken {
                            integer: Some(n), ..
                        } if e.values.iter().any(|&(_, v)| i128::from(v) == n) => {
                            Some(Scalar::Other { default: n == 0 })
                        }
                        NumberToken {
                            integer: Some(_), ..
                        } => {
                            return Ok((self.enum_error(e, path), !number.zero));
                        }
                        _ => None,
                    },
                    Kind::WellKnown(WellKnown::Value) => Some(Scalar::Other { default: false }),
                    _ => None,
                };
                (scalar, !number.zero)
            }
            Some(b'{') => match kind {
                Kind::Message(inner) => {
                    self.message(cur, inner, path)?;
                    (Some(Scalar::Other { default: false }), true)
                }
                Kind::WellKnown(WellKnown::Any) => (
                    any_with_type(cur)?.then_some(Scalar::Other { default: false }),
                    true,
                ),
                Kind::WellKnown(WellKnown::Object | WellKnown::Value) => {
                    cur.skip_value()?;
                    (Some(Scalar::Other { default: false }), true)
                }
                _ => {
                    cur.skip_value()?;
                    (None, true)
                }
            },
            Some(b'[') => {
                cur.skip_value()?;
                let ok = matches!(kind, Kind::WellKnown(WellKnown::List | WellKnown::Value));
                (ok.then_some(Scalar::Other { default: false }), true)
            }
            _ => match cur.literal()? {
                Some(b) => {
                    let ok = matches!(kind, Kind::Bool | Kind::WellKnown(WellKnown::Value));
                    (ok.then_some(Scalar::Other { default: !b }), b)
                }
                None => {
                    // null inside a list or map (a field's own null never gets here).
                    let ok = matches!(kind, Kind::WellKnown(WellKnown::Value));
                    (ok.then_some(Scalar::Other { default: true }), false)
                }
            },
        };
        if scalar.is_none() {
            self.type_error(path, Subject::Value, kind_expectation(kind));
        }
        Ok((scalar, set))
    }

    fn enum_error<T>(&mut self, e: &schema::EnumSchema, path: &Path<'_>) -> Option<T> {
        self.push(path, Rule::Enum, |out, locale| {
            text::push_enum(out, locale, e.values.iter().map(|(n, _)| *n));
        });
        None
    }
}

/// Reads an `Any` object: whether it has an `"@type"` string.
fn any_with_type(cur: &mut Cursor<'_>) -> Result<bool> {
    cur.begin_object()?;
    let (mut first, mut typed) = (true, false);
    while let Some(key) = cur.next_key(&mut first)? {
        if key == "@type" && cur.peek() == Some(b'"') {
            cur.string()?;
            typed = true;
        } else {
            cur.skip_value()?;
        }
    }
    Ok(typed)
}

/// A value that passed its type check, as the rules see it.
enum Scalar<'a> {
    Text(Cow<'a, str>),
    Integer(i128),
    /// Float values are not parsed (no `(value)` rule on a float field is supported).
    Float {
        zero: bool,
    },
    /// Bools, enums, messages and well-known types: only "is it the default" matters.
    Other {
        default: bool,
    },
}

impl Scalar<'_> {
    fn is_default(&self) -> bool {
        match self {
            Scalar::Text(s) => s.is_empty(),
            Scalar::Integer(n) => *n == 0,
            Scalar::Float { zero } => *zero,
            Scalar::Other { default } => *default,
        }
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
fn key_fits(kind: &Kind, key: &str) -> bool {
    match kind {
        Kind::Bool => key == "true" || key == "false",
        Kind::String => true,
        _ => integer_text(key).is_some_and(|n| fits(kind, n)),
    }
}

fn kind_expectation(kind: &Kind) -> &'static KindWords {
    match kind {
        Kind::String => &text::KIND_STRING,
        Kind::Bytes => &text::KIND_BYTES,
        Kind::Bool => &text::KIND_BOOL,
        Kind::Int32 => &text::KIND_INT32,
        Kind::Int64 => &text::KIND_INT64,
        Kind::Uint32 => &text::KIND_UINT32,
        Kind::Uint64 => &text::KIND_UINT64,
        Kind::Float | Kind::Double => &text::KIND_NUMBER,
        Kind::Enum(_) => &text::KIND_ENUM,
        Kind::Message(_) | Kind::WellKnown(WellKnown::Object) => &text::KIND_OBJECT,
        Kind::WellKnown(WellKnown::Any) => &text::KIND_ANY,
        Kind::WellKnown(WellKnown::Timestamp) => &text::KIND_TIMESTAMP,
        Kind::WellKnown(WellKnown::Duration) => &text::KIND_DURATION,
        Kind::WellKnown(WellKnown::FieldMask) => &text::KIND_FIELD_MASK,
        Kind::WellKnown(WellKnown::List) => &text::KIND_LIST,
        Kind::WellKnown(WellKnown::Value) => &text::KIND_VALUE,
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
                out.push('[');
                push_int(out, i as i128);
                out.push(']');
            }
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('[');
                quote(out, key);
                out.push(']');
            }
        }
    }
}
