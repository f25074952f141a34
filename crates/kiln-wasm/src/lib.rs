//! The Rust side of the npm package `kiln-validator`: kiln-core's validator behind
//! wasm-bindgen. The package's JavaScript (`npm/api.js`) turns objects into JSON text, calls
//! [`validate_json`] and builds the contract's result; this crate stays a thin shell so the
//! browser, Node and the Rust services run the same validator.
//!
//! Why JSON text at the boundary: one `JSON.stringify` (native, fast) and one UTF-8 copy beat
//! walking the object property by property across the JS/wasm boundary, and `valid`, the common
//! answer, comes back as `undefined` with no result object built in wasm (see the package's
//! BENCHMARKS.md for the measurements behind this choice).

use wasm_bindgen::prelude::*;

/// Validates proto3 JSON text as the message at `message` in [`message_names`] (an index, so
/// the name is not copied into wasm on every call). Returns `undefined` when the request is
/// valid, else the contract's outcome (`invalid` or `error`) as JSON text.
#[wasm_bindgen(js_name = validateJson)]
pub fn validate_json(message: usize, json: &str) -> Option<String> {
    use kiln_core::validate::{Outcome, validate_message_str};
    let Some(schema) = kiln_core::schema::messages().get(message) else {
        return Some(
            Outcome::Error {
                error: format!("unknown message index {message}"),
            }
            .to_json(),
        );
    };
    match validate_message_str(schema, json) {
        Outcome::Valid => None,
        outcome => Some(outcome.to_json()),
    }
}

/// The rules of a message as plain data (`describeRules`), or `undefined` for an unknown name.
#[wasm_bindgen(js_name = describeRules)]
pub fn describe_rules(message_name: &str) -> JsValue {
    match kiln_core::describe::describe_rules(message_name) {
        Some(rules) => {
            // Plain objects with `null` for absent limits, as the TypeScript declarations say.
            let serializer = serde_wasm_bindgen::Serializer::json_compatible();
            serde::Serialize::serialize(&rules, &serializer).unwrap_or(JsValue::UNDEFINED)
        }
        None => JsValue::UNDEFINED,
    }
}

/// Full names of every message `validate` accepts.
#[wasm_bindgen(js_name = messageNames)]
pub fn message_names() -> Vec<String> {
    kiln_core::schema::messages()
        .iter()
        .map(|m| m.full_name.to_owned())
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
pub mod typescript;
