//! The Rust side of the npm package `kiln-validator`: kiln-core's validator behind
//! wasm-bindgen. The package's JavaScript (`npm/api.js`) turns objects into JSON text, writes it
//! into [`input_buffer`], calls [`validate_input`] and builds the contract's result; this crate
//! stays a thin shell so the browser, Node and the Rust services run the same validator.
//!
//! Why JSON text at the boundary: one `JSON.stringify` (native, fast) and one `encodeInto`
//! straight into wasm memory (measured faster than wasm-bindgen's own string passing, a
//! JavaScript loop over the characters; walking the object property by property across the
//! boundary, a call and a copy per key and value, was not measured).
//! `valid`, the common answer, comes back as `undefined`; `invalid` as one string of NUL-ended
//! fields that JavaScript splits, several times cheaper than `JSON.parse` of the same result.
//! The package's BENCHMARKS.md has the measurements behind each choice.

use std::cell::RefCell;

use kiln_core::validate::Outcome;
use wasm_bindgen::prelude::*;

// Talc instead of the default dlmalloc: an invalid request allocates a few strings per
// violation, and talc's allocation is cheaper in wasm (see BENCHMARKS.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// An input buffer larger than this is freed after its call; `npm/api.js` has the same constant
/// and asks for a new buffer after such a call.
const KEPT_INPUT: usize = 64 * 1024;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The address of the input buffer, grown to hold at least `capacity` bytes. JavaScript writes
/// the UTF-8 text there (`TextEncoder.encodeInto`) and calls [`validate_input`] with its length.
/// The address stays valid until the next call asking for more than the buffer holds, or the
/// next [`validate_input`] of more than 64 KiB.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(capacity: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|input| {
        // A buffer over 64 KiB is only ever the one asked for by this input (see KEPT_INPUT).
        if input.len() < capacity || input.len() > KEPT_INPUT {
            *input = vec![0; capacity];
        }
        input.as_mut_ptr()
    })
}

/// Validates the first `len` bytes of the input buffer, proto3 JSON text, as the message at
/// `message` in [`message_names`] (an index, so the name is not copied into wasm on every call).
///
/// Returns `undefined` when the request is valid; else the field, rule and message of each
/// violation, each ended by NUL (`invalid`: a field never starts with a control character);
/// U+0001 followed by the error (`error`); or, should a text ever hold a NUL, U+0002 followed by
/// the outcome as JSON.
#[wasm_bindgen(js_name = validateInput)]
pub fn validate_input(message: usize, len: usize) -> Option<String> {
    INPUT.with_borrow_mut(|input| {
        let outcome = match input.get(..len).map(std::str::from_utf8) {
            Some(Ok(json)) => match kiln_core::schema::messages().get(message) {
                Some(schema) => kiln_core::validate::validate_message_str(schema, json),
                None => Outcome::Error {
                    error: format!("unknown message index {message}"),
                },
            },
            Some(Err(_)) => Outcome::Error {
                error: "input is not UTF-8".into(),
            },
            None => Outcome::Error {
                error: "input longer than its buffer".into(),
            },
        };
        if input.len() > KEPT_INPUT {
            *input = Vec::new();
        }
        compact(outcome)
    })
}

/// The outcome in the form [`validate_input`] returns.
fn compact(outcome: Outcome) -> Option<String> {
    match outcome {
        Outcome::Valid => None,
        Outcome::Error { error } => Some(format!("\u{1}{error}")),
        Outcome::Invalid { violations }
            if !violations
                .first()
                .is_some_and(|v| v.field.starts_with(['\u{1}', '\u{2}']))
                && violations.iter().all(|v| {
                    !(v.field.contains('\0') || v.rule.contains('\0') || v.message.contains('\0'))
                }) =>
        {
            let size = violations
                .iter()
                .map(|v| v.field.len() + v.rule.len() + v.message.len() + 3)
                .sum::<usize>();
            let mut out = String::with_capacity(size);
            for v in &violations {
                for text in [&v.field, &v.rule, &v.message] {
                    out.push_str(text);
                    out.push('\0');
                }
            }
            Some(out)
        }
        outcome => Some(format!("\u{2}{}", outcome.to_json())),
    }
}

/// The rules of a message as JSON text (`describeRules` parses it: plain objects with `null` for
/// absent limits, as the TypeScript declarations say), or `undefined` for an unknown name.
#[wasm_bindgen(js_name = describeRules)]
pub fn describe_rules(message_name: &str) -> Option<String> {
    kiln_core::describe::describe_rules(message_name).map(|rules| rules.to_json())
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
