//! proto3 JSON for the typed messages (prost-reflect): camelCase names out, both name styles in,
//! int64 as string or number, enums by name or number, `Any` with `@type`.
//!
//! Also validates an already decoded message by way of its JSON form, so a server and a
//! JSON caller get the same violations, and reads a `FieldMask`'s paths against a message
//! ([`field_mask_paths`]). Nothing here panics on a message's content.

use std::sync::LazyLock;

use prost_reflect::{
    DescriptorPool, DynamicMessage, MapKey, MessageDescriptor, ReflectMessage, SerializeOptions,
    Value,
};

use crate::{
    Locale, text,
    validate::{self, Outcome},
};

/// The descriptor pool of every file in `proto/`.
pub static DESCRIPTOR_POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(crate::FILE_DESCRIPTOR_SET).expect("descriptor set built by build.rs")
});

/// Error of [`from_json`] and [`to_json`].
#[derive(Debug)]
pub struct JsonError(String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// Parses proto3 JSON into a typed message.
pub fn from_json<M: ReflectMessage + Default>(json: &str) -> Result<M, JsonError> {
    let descriptor = M::default().descriptor();
    let mut de = serde_json::Deserializer::from_str(json);
    let dynamic =
        DynamicMessage::deserialize(descriptor, &mut de).map_err(|e| JsonError(e.to_string()))?;
    de.end().map_err(|e| JsonError(e.to_string()))?;
    dynamic.transcode_to().map_err(|e| JsonError(e.to_string()))
}

/// The proto3 JSON value of a message (camelCase names, default values left out).
///
/// Not every decoded message has a JSON form: a `FieldMask` path that does not survive the
/// trip to camelCase and back (`minDiskSize`, `MinDiskSize`, `a__b`) or a `Timestamp` out of
/// range is an error, never a panic (a request's content decides it).
pub fn to_json_value<M: ReflectMessage>(message: &M) -> Result<serde_json::Value, JsonError> {
    message
        .transcode_to_dynamic()
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .map_err(|e| JsonError(e.to_string()))
}

/// The proto3 JSON text of a message (fields in their declaration order), written straight
/// from the message without a [`serde_json::Value`] in between. Errors as [`to_json_value`].
pub fn to_json<M: ReflectMessage>(message: &M) -> Result<String, JsonError> {
    let mut text = Vec::new();
    message
        .transcode_to_dynamic()
        .serialize_with_options(
            &mut serde_json::Serializer::new(&mut text),
            &SerializeOptions::new(),
        )
        .map_err(|e| JsonError(e.to_string()))?;
    String::from_utf8(text).map_err(|e| JsonError(e.to_string()))
}

/// Validates an already decoded message: the same contract as [`validate::validate_str`] on
/// its JSON text. A message without a JSON form (see [`to_json_value`]) is
/// [`Outcome::Error`], with a sentence naming the field mask path at fault when it is one.
pub fn validate_message<M: ReflectMessage>(message: &M) -> Outcome {
    validate_message_in(message, Locale::En)
}

/// [`validate_message`] with the messages in `locale`.
pub fn validate_message_in<M: ReflectMessage>(message: &M, locale: Locale) -> Outcome {
    let descriptor = message.descriptor();
    match to_json(message) {
        Ok(json) => validate::validate_str_in(descriptor.full_name(), &json, locale),
        Err(e) => {
            let dynamic = message.transcode_to_dynamic();
            let error = match unwritable_mask_path(&dynamic, "", 0) {
                Some((field, path)) => text::unwritable_mask_path(locale, &field, &path),
                None => text::no_json_form(locale, &e.to_string()),
            };
            Outcome::Error { error }
        }
    }
}

/// The first `FieldMask` path in `message` (at any depth) that proto3 JSON cannot write, with
/// its field path (`update_mask.paths[0]`).
fn unwritable_mask_path(
    message: &DynamicMessage,
    prefix: &str,
    depth: usize,
) -> Option<(String, String)> {
    if depth > 32 {
        return None;
    }
    for (field, value) in message.fields() {
        let name = format!("{prefix}{}", field.name());
        let nested = |value: &Value, name: String| -> Option<(String, String)> {
            let inner = value.as_message()?;
            if inner.descriptor().full_name() == "google.protobuf.FieldMask" {
                let paths = inner.get_field_by_name("paths")?;
                let paths = paths.as_list()?;
                paths.iter().enumerate().find_map(|(i, path)| {
                    let path = path.as_str()?;
                    (!camel_case_round_trips(path))
                        .then(|| (format!("{name}.paths[{i}]"), path.to_owned()))
                })
            } else {
                unwritable_mask_path(inner, &format!("{name}."), depth + 1)
            }
        };
        let found = match value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| nested(item, format!("{name}[{i}]"))),
            Value::Map(entries) => entries.iter().find_map(|(key, item)| {
                let key = match key {
                    MapKey::String(s) => format!("{s:?}"),
                    other => format!("{other:?}"),
                };
                nested(item, format!("{name}[{key}]"))
            }),
            value => nested(value, name),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether proto3 JSON can write a field mask path: each dotted part lower-case snake_case,
/// every `_` followed by a lower-case letter (as prost-reflect requires).
fn camel_case_round_trips(path: &str) -> bool {
    path.split('.').all(|part| {
        let mut after_underscore = false;
        for c in part.chars() {
            if c.is_ascii_uppercase() || (after_underscore && !c.is_ascii_lowercase()) {
                return false;
            }
            after_underscore = c == '_';
        }
        true
    })
}

/// A field mask path that [`field_mask_paths`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMaskError {
    /// Position of the path in the mask's `paths`.
    pub index: usize,
    /// The path as it was sent.
    pub path: String,
    /// What is wrong with it, to follow the quoted path: `names no field of UpdateImageRequest`.
    pub reason: String,
}

impl FieldMaskError {
    /// The `BadRequest` field of the path in the mask field `mask`: `update_mask.paths[0]`.
    pub fn field(&self, mask: &str) -> String {
        format!("{mask}.paths[{}]", self.index)
    }
}

impl std::fmt::Display for FieldMaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {}", self.path, self.reason)
    }
}

impl std::error::Error for FieldMaskError {}

/// The paths of a field mask over `descriptor`, in canonical proto form (`min_disk_size`).
///
/// Each path must name a top-level field of the message by its proto name (`min_disk_size`)
/// or its JSON name (`minDiskSize`), exactly; a repeated path is kept once, in its first
/// place. Anything else (empty, unknown, another case such as `MinDiskSize`, `__x`, a nested
/// `labels.env`) is an error naming the first bad path and its index, for an
/// INVALID_ARGUMENT whose BadRequest field is [`FieldMaskError::field`].
///
/// The canonical paths always have a proto3 JSON form, so a request whose mask is replaced by
/// them passes [`to_json`] (and [`validate_message`] reaches the validator).
pub fn field_mask_paths(
    descriptor: &MessageDescriptor,
    paths: &[String],
) -> Result<Vec<String>, FieldMaskError> {
    let mut canonical: Vec<String> = Vec::with_capacity(paths.len());
    for (index, path) in paths.iter().enumerate() {
        let refuse = |reason: String| FieldMaskError {
            index,
            path: path.clone(),
            reason,
        };
        if path.is_empty() {
            return Err(refuse("is empty: it must name a field".to_owned()));
        }
        let field = descriptor
            .get_field_by_name(path)
            .or_else(|| descriptor.get_field_by_json_name(path));
        let Some(field) = field else {
            let nested = path.contains('.')
                && descriptor
                    .get_field_by_name(path.split('.').next().unwrap_or_default())
                    .is_some();
            let near = descriptor.fields().find(|f| {
                f.name().eq_ignore_ascii_case(path) || f.json_name().eq_ignore_ascii_case(path)
            });
            let reason = match (nested, near) {
                (true, _) => "names a nested field: only top-level fields can be masked".to_owned(),
                (false, Some(near)) => format!(
                    "names no field of {} (field names are case-sensitive: {} or {})",
                    descriptor.name(),
                    near.name(),
                    near.json_name()
                ),
                (false, None) => format!("names no field of {}", descriptor.name()),
            };
            return Err(refuse(reason));
        };
        if !canonical.iter().any(|p| p == field.name()) {
            canonical.push(field.name().to_owned());
        }
    }
    Ok(canonical)
}
