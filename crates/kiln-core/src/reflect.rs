//! proto3 JSON for the typed messages (prost-reflect): camelCase names out, both name styles in,
//! int64 as string or number, enums by name or number, `Any` with `@type`.
//!
//! Also validates an already decoded message by way of its JSON form, so a server and a
//! JSON caller get the same violations.

use std::sync::LazyLock;

use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, SerializeOptions};

use crate::validate::{self, Outcome};

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
pub fn to_json_value<M: ReflectMessage>(message: &M) -> serde_json::Value {
    let dynamic = message.transcode_to_dynamic();
    dynamic
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .expect("a decoded message always has a JSON form")
}

/// The proto3 JSON text of a message (fields in their declaration order), written straight
/// from the message without a [`serde_json::Value`] in between.
pub fn to_json<M: ReflectMessage>(message: &M) -> String {
    let mut text = Vec::new();
    message
        .transcode_to_dynamic()
        .serialize_with_options(
            &mut serde_json::Serializer::new(&mut text),
            &SerializeOptions::new(),
        )
        .expect("a decoded message always has a JSON form");
    String::from_utf8(text).expect("serde_json writes UTF-8")
}

/// Validates an already decoded message: the same contract as [`validate::validate_str`] on
/// its JSON text.
pub fn validate_message<M: ReflectMessage>(message: &M) -> Outcome {
    let descriptor = message.descriptor();
    validate::validate_str(descriptor.full_name(), &to_json(message))
}
