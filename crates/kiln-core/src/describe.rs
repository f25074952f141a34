//! The rules of a message as plain data, for forms and hints: a console sets `maxlength` and
//! shows "at most 63 characters" from here instead of copying a rule. Nested messages are
//! flattened into dotted paths (`hardware_generation.legacy_features.pci_topology`); list
//! elements are written `[]` and map values `{}` (`access_bindings[].role_id`).
//!
//! The machine limits (pattern source, bounds) are the same in every locale; `hints` (one per
//! rule) and `text` (the field's rules in one line, a pattern in words through its verified
//! shape) are in the locale asked for.

use serde::Serialize;

use crate::{
    Locale,
    schema::{self, FieldSchema, Kind, Limit, MessageSchema, Pattern, Shape, WellKnown},
    text::{self, HintPart},
    validate::quote,
};

/// Every field and oneof of a message, with its limits.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MessageRules {
    /// Full name of the message.
    pub message: &'static str,
    /// Fields in declaration order, nested ones after their parent.
    pub fields: Vec<FieldRules>,
    /// Oneofs, nested ones included.
    pub oneofs: Vec<OneofRules>,
}

/// The limits of one field.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldRules {
    /// Path of proto names, as in violations (`labels`, `os.type`).
    pub path: String,
    /// The same path with proto3 JSON names (`os.type`, `hardwareGeneration.legacyFeatures`).
    pub json_path: String,
    /// Value type: `string`, `bytes`, `bool`, `int32`, `int64`, `uint32`, `uint64`, `float`,
    /// `double`, `enum`, `message`, or a well-known type (`google.protobuf.FieldMask`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `single`, `list` or `map`.
    pub shape: &'static str,
    /// `(required)`.
    pub required: bool,
    /// `(length)`: characters of the value (each element, each map value).
    pub length: Option<Bounds>,
    /// `(pattern)`, whole-value match.
    pub pattern: Option<&'static str>,
    /// `(size)`: number of elements or entries.
    pub size: Option<Bounds>,
    /// `(value)`: numeric range (zero means unset and is not checked).
    pub value: Option<Bounds>,
    /// `(map_key).length`.
    pub map_key_length: Option<Bounds>,
    /// `(map_key).pattern`.
    pub map_key_pattern: Option<&'static str>,
    /// Enum value names, for enum fields.
    pub enum_values: Option<Vec<&'static str>>,
    /// Name of the oneof the field belongs to.
    pub oneof: Option<&'static str>,
    /// The limits in words, one per rule (`at most 63 characters`; a pattern as its shape,
    /// `empty, or 1–63 characters: lowercase Latin letters, ...`).
    pub hints: Vec<String>,
    /// Every rule of the field in one line of plain language (a length and a pattern on the
    /// same value are said together: `labels`' values are `empty, or 1–63 characters: ...`);
    /// empty when the field has no rule.
    pub text: String,
}

/// An inclusive range; `None` is unbounded. Several ranges (`"0,5,20-50"`) are all listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Bounds {
    /// Lowest allowed value of the first range.
    pub min: Option<i64>,
    /// Highest allowed value of the last range.
    pub max: Option<i64>,
    /// The rule string as written in the `.proto` file.
    pub spec: &'static str,
}

/// A oneof and its members.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OneofRules {
    /// Path of the oneof (`source`, `hardware_generation.features`).
    pub path: String,
    /// Member field names.
    pub members: Vec<&'static str>,
    /// `(exactly_one)`: one member must be set; otherwise at most one may be.
    pub exactly_one: bool,
    /// The rule in words: `choose a source: an image, a disk, a snapshot or a URI`.
    pub text: String,
}

impl MessageRules {
    /// The rules as JSON text, the same as their `Serialize` form (`null` for what is absent),
    /// written by hand like the validator's results so the wasm package carries no serializer.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        out.push_str(r#"{"message":"#);
        quote(&mut out, self.message);
        out.push_str(r#","fields":"#);
        array(&mut out, &self.fields, |out, f| {
            out.push_str(r#"{"path":"#);
            quote(out, &f.path);
            out.push_str(r#","jsonPath":"#);
            quote(out, &f.json_path);
            out.push_str(r#","type":"#);
            quote(out, f.kind);
            out.push_str(r#","shape":"#);
            quote(out, f.shape);
            out.push_str(r#","required":"#);
            out.push_str(if f.required { "true" } else { "false" });
            out.push_str(r#","length":"#);
            bounds_or_null(out, f.length.as_ref());
            out.push_str(r#","pattern":"#);
            text_or_null(out, f.pattern);
            out.push_str(r#","size":"#);
            bounds_or_null(out, f.size.as_ref());
            out.push_str(r#","value":"#);
            bounds_or_null(out, f.value.as_ref());
            out.push_str(r#","mapKeyLength":"#);
            bounds_or_null(out, f.map_key_length.as_ref());
            out.push_str(r#","mapKeyPattern":"#);
            text_or_null(out, f.map_key_pattern);
            out.push_str(r#","enumValues":"#);
            match &f.enum_values {
                Some(values) => array(out, values, |out, v| quote(out, v)),
                None => out.push_str("null"),
            }
            out.push_str(r#","oneof":"#);
            text_or_null(out, f.oneof);
            out.push_str(r#","hints":"#);
            array(out, &f.hints, |out, h| quote(out, h));
            out.push_str(r#","text":"#);
            quote(out, &f.text);
            out.push('}');
        });
        out.push_str(r#","oneofs":"#);
        array(&mut out, &self.oneofs, |out, o| {
            out.push_str(r#"{"path":"#);
            quote(out, &o.path);
            out.push_str(r#","members":"#);
            array(out, &o.members, |out, m| quote(out, m));
            out.push_str(r#","exactlyOne":"#);
            out.push_str(if o.exactly_one { "true" } else { "false" });
            out.push_str(r#","text":"#);
            quote(out, &o.text);
            out.push('}');
        });
        out.push('}');
        out
    }
}

/// `[item,item,...]`, each item written by `write`.
fn array<T>(out: &mut String, items: &[T], write: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

fn text_or_null(out: &mut String, text: Option<&str>) {
    match text {
        Some(text) => quote(out, text),
        None => out.push_str("null"),
    }
}

fn bounds_or_null(out: &mut String, bounds: Option<&Bounds>) {
    let Some(b) = bounds else {
        out.push_str("null");
        return;
    };
    let number = |out: &mut String, n: Option<i64>| match n {
        Some(n) => schema::push_int(out, n.into()),
        None => out.push_str("null"),
    };
    out.push_str(r#"{"min":"#);
    number(out, b.min);
    out.push_str(r#","max":"#);
    number(out, b.max);
    out.push_str(r#","spec":"#);
    quote(out, b.spec);
    out.push('}');
}

/// The rules of the message with this full name, their words in English.
pub fn describe_rules(message_name: &str) -> Option<MessageRules> {
    describe_rules_in(message_name, Locale::En)
}

/// The rules of the message with this full name, with `hints` and `text` in `locale`.
pub fn describe_rules_in(message_name: &str, locale: Locale) -> Option<MessageRules> {
    let schema = schema::message(message_name)?;
    let mut rules = MessageRules {
        message: schema.full_name,
        fields: Vec::new(),
        oneofs: Vec::new(),
    };
    walk(schema, "", "", &mut rules, &mut Vec::new(), locale);
    Some(rules)
}

fn walk(
    m: &'static MessageSchema,
    path: &str,
    json: &str,
    out: &mut MessageRules,
    stack: &mut Vec<&'static str>,
    locale: Locale,
) {
    if stack.contains(&m.full_name) {
        return;
    }
    stack.push(m.full_name);
    for oneof in m.oneofs {
        let members: Vec<&'static str> = oneof.members.iter().map(|&i| m.fields[i].name).collect();
        let mut words = String::new();
        text::push_oneof_text(&mut words, locale, oneof.name, &members, oneof.exactly_one);
        out.oneofs.push(OneofRules {
            path: join(path, oneof.name),
            members,
            exactly_one: oneof.exactly_one,
            text: words,
        });
    }
    for f in m.fields {
        let (field_path, json_path) = (join(path, f.name), join(json, f.json_name));
        out.fields.push(field_rules(
            m,
            f,
            field_path.clone(),
            json_path.clone(),
            locale,
        ));
        if let Kind::Message(inner) = f.kind {
            let suffix = match f.shape {
                Shape::Single => "",
                Shape::List => "[]",
                Shape::Map { .. } => "{}",
            };
            walk(
                inner,
                &format!("{field_path}{suffix}"),
                &format!("{json_path}{suffix}"),
                out,
                stack,
                locale,
            );
        }
    }
    stack.pop();
}

fn field_rules(
    m: &MessageSchema,
    f: &FieldSchema,
    path: String,
    json_path: String,
    locale: Locale,
) -> FieldRules {
    let r = f.rules;
    let noun = if matches!(f.shape, Shape::Map { .. }) {
        &text::ENTRIES
    } else {
        &text::ELEMENTS
    };
    let limit = |l: &Limit, noun: Option<&text::Noun>| {
        let mut out = String::new();
        text::push_limit(&mut out, locale, l.ranges, noun);
        out
    };
    let keys = text::hint_part(locale, HintPart::Keys);
    let mut hints = Vec::new();
    if r.required {
        hints.push(text::hint_required(locale).to_owned());
    }
    if let Some(l) = &r.length {
        hints.push(limit(l, Some(&text::CHARACTERS)));
    }
    if let Some(p) = r.pattern {
        hints.push(p.shape.text(locale).to_owned());
    }
    if let Some(l) = &r.size {
        hints.push(limit(l, Some(noun)));
    }
    if let Some(l) = &r.value {
        let mut out = String::new();
        text::push_value_hint(&mut out, locale, l.ranges);
        hints.push(out);
    }
    if let Some(l) = &r.map_key_length {
        hints.push(format!("{keys}{}", limit(l, Some(&text::CHARACTERS))));
    }
    if let Some(p) = r.map_key_pattern {
        hints.push(format!("{keys}{}", p.shape.text(locale)));
    }

    // The text: the rules of the field, then of its keys, then of its values or elements.
    let mut parts = Vec::new();
    if r.required {
        parts.push(text::hint_required(locale).to_owned());
    }
    if let Some(l) = &r.size {
        parts.push(limit(l, Some(noun)));
    }
    if let Some(words) = string_words(locale, r.map_key_length.as_ref(), r.map_key_pattern) {
        parts.push(format!("{keys}{words}"));
    }
    if let Some(words) = string_words(locale, r.length.as_ref(), r.pattern) {
        let part = match f.shape {
            Shape::Single => "",
            Shape::List => text::hint_part(locale, HintPart::Elements),
            Shape::Map { .. } => text::hint_part(locale, HintPart::Values),
        };
        parts.push(format!("{part}{words}"));
    }
    if let Some(l) = &r.value {
        let mut out = String::new();
        text::push_value_hint(&mut out, locale, l.ranges);
        parts.push(out);
    }
    FieldRules {
        path,
        json_path,
        kind: kind_name(&f.kind),
        shape: match f.shape {
            Shape::Single => "single",
            Shape::List => "list",
            Shape::Map { .. } => "map",
        },
        required: r.required,
        length: r.length.as_ref().map(bounds),
        pattern: r.pattern.map(|p| p.source),
        size: r.size.as_ref().map(bounds),
        value: r.value.as_ref().map(bounds),
        map_key_length: r.map_key_length.as_ref().map(bounds),
        map_key_pattern: r.map_key_pattern.map(|p| p.source),
        enum_values: match f.kind {
            Kind::Enum(e) => Some(e.values.iter().map(|(n, _)| *n).collect()),
            _ => None,
        },
        oneof: f.oneof.map(|i| m.oneofs[i].name),
        hints,
        text: parts.join("; "),
    }
}

/// A string's `(length)` and `(pattern)` said together: the pattern's shape with its lengths
/// narrowed by the length limit (when that is one range and leaves a value), else each alone.
fn string_words(
    locale: Locale,
    length: Option<&Limit>,
    pattern: Option<&Pattern>,
) -> Option<String> {
    let mut out = String::new();
    match (length, pattern) {
        (None, None) => return None,
        (Some(l), None) => text::push_limit(&mut out, locale, l.ranges, Some(&text::CHARACTERS)),
        (None, Some(p)) => out.push_str(p.shape.text(locale)),
        (Some(l), Some(p)) => {
            let shape = &p.shape;
            let i = locale.index();
            let (empty, min, max) = shape.lengths();
            let narrowed = match l.ranges {
                [range] if max != Some(0) => {
                    let low = range.min.unwrap_or(0);
                    let empty = empty && low <= 0;
                    let min = min.max(low).max(1);
                    let max = match (max, range.max) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    (max.is_none_or(|m| min <= m)).then_some((empty, min, max))
                }
                _ => None,
            };
            match narrowed {
                Some(lengths) => text::push_shape(
                    &mut out,
                    locale,
                    lengths,
                    [shape.allowed[i], shape.starts[i], shape.ends[i]],
                ),
                None => {
                    text::push_limit(&mut out, locale, l.ranges, Some(&text::CHARACTERS));
                    out.push_str("; ");
                    out.push_str(shape.text(locale));
                }
            }
        }
    }
    Some(out)
}

fn bounds(limit: &Limit) -> Bounds {
    let clamp = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    Bounds {
        min: limit.ranges.first().and_then(|r| r.min).map(clamp),
        max: limit.ranges.last().and_then(|r| r.max).map(clamp),
        spec: limit.spec,
    }
}

/// The name of a value type as [`FieldRules::kind`] shows it.
pub fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Enum(_) => "enum",
        Kind::Message(_) => "message",
        Kind::WellKnown(WellKnown::Any) => "google.protobuf.Any",
        Kind::WellKnown(WellKnown::Timestamp) => "google.protobuf.Timestamp",
        Kind::WellKnown(WellKnown::Duration) => "google.protobuf.Duration",
        Kind::WellKnown(WellKnown::FieldMask) => "google.protobuf.FieldMask",
        Kind::WellKnown(WellKnown::Object) => "google.protobuf.Struct",
        Kind::WellKnown(WellKnown::Value) => "google.protobuf.Value",
        Kind::WellKnown(WellKnown::List) => "google.protobuf.ListValue",
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}
