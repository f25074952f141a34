//! The Rust side of the npm package `kiln-validator`: kiln-core's validator behind
//! wasm-bindgen. The package's JavaScript (`npm/api.js`) turns an object into JSON text, writes
//! it into [`input_buffer`] and calls [`validate_input`]; what comes back is the core's
//! [`Outcome`](kiln_core::validate::Outcome) turned into the contract's plain object by serde-wasm-bindgen, and
//! [`describe_rules`] returns the core's `MessageRules` the same way. This crate stays a thin
//! shell so the browser, Node and the Rust services run the same validator.
//!
//! Why JSON text goes in: one `JSON.stringify` (native) and one `encodeInto` straight into wasm
//! memory were measured faster, on Node 26 and in Chromium, than letting wasm walk the object
//! through serde-wasm-bindgen's deserializer (a boundary call and a string copy per key and
//! value); the package's BENCHMARKS.md has the numbers.

use std::cell::RefCell;

use kiln_core::{
    Locale,
    text::{self, NotObject},
    validate::Violations,
};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use wasm_bindgen::prelude::*;

// Talc instead of the default dlmalloc: talc's allocation is cheaper in wasm (see
// BENCHMARKS.md). The violations' texts go into one reused buffer, but the text cache still
// allocates when it meets a new text, and the buffers grow.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A buffer that held a larger input than this is given back when a smaller one comes.
const KEPT_INPUT: usize = 64 * 1024;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The violations of the last call: one text buffer and one list, reused from call to call
    /// (kiln-core's `check_message_str_in`), so an invalid request allocates no `String` per
    /// field and message once they have grown.
    static FOUND: RefCell<Violations> = const { RefCell::new(Violations::new()) };
}

/// The address of the input buffer, holding at least `capacity` bytes: JavaScript writes the
/// UTF-8 text there (`TextEncoder.encodeInto`) and calls [`validate_input`] with its length.
/// Asked before every call, so the buffer's size is decided here alone: it grows to the largest
/// input and shrinks back once an input of at most 64 KiB follows one above that.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(capacity: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|input| {
        if input.len() < capacity || (input.len() > KEPT_INPUT && capacity <= KEPT_INPUT) {
            *input = vec![0; capacity];
        }
        input.as_mut_ptr()
    })
}

/// The locale at `index` in `Locale::ALL` (what [`locale_index`] gave); English otherwise.
fn locale(index: usize) -> Locale {
    Locale::ALL.get(index).copied().unwrap_or_default()
}

/// The index of a locale tag (`en`, `ru`, `ru-RU`, `ru_RU.UTF-8`, ...) for the calls below, or
/// -1 when the package does not speak it.
#[wasm_bindgen(js_name = localeIndex)]
pub fn locale_index(tag: &str) -> i32 {
    Locale::from_tag(tag).map_or(-1, |l| l.index() as i32)
}

/// The `error` outcome for a `locale` option the package does not speak.
#[wasm_bindgen(js_name = unsupportedLocale)]
pub fn unsupported_locale(tag: &str) -> JsValue {
    let mut sentence = String::from("unsupported locale ");
    quoted(&mut sentence, tag);
    sentence.push_str(": kiln-validator speaks \"en\" and \"ru\"");
    to_js(&Contract::Error(&sentence))
}

/// Validates the first `len` bytes of the input buffer, proto3 JSON text, as the message at
/// `message` in [`message_names`] (an index, so the name is not copied into wasm on every
/// call), with messages in the locale at `locale` ([`locale_index`]): `{kind: "valid"}`,
/// `{kind: "invalid", violations: [{field, rule, message}]}` or `{kind: "error", error}`.
#[wasm_bindgen(js_name = validateInput)]
pub fn validate_input(message: usize, len: usize, locale_at: usize) -> JsValue {
    let locale = locale(locale_at);
    INPUT.with_borrow(|input| {
        FOUND.with_borrow_mut(|found| {
            let checked = match input.get(..len).map(std::str::from_utf8) {
                Some(Ok(json)) => match kiln_core::schema::messages().get(message) {
                    Some(schema) => {
                        kiln_core::validate::check_message_str_in(schema, json, locale, found)
                    }
                    None => Err("unknown message index".into()),
                },
                Some(Err(_)) => Err("input is not UTF-8".into()),
                None => Err("input longer than its buffer".into()),
            };
            match checked {
                Ok(()) if found.is_empty() => to_js(&Contract::Valid),
                Ok(()) => to_js(&Contract::Invalid(found)),
                Err(sentence) => to_js(&Contract::Error(&sentence)),
            }
        })
    })
}

/// The `error` outcome for an input that is not an object, in the locale at `locale_at`:
/// `kind` 0 a string, 1 an array, 2 a boolean, 3 null, 4 a number or BigInt, 5 undefined, 6 a
/// function, 7 a symbol.
#[wasm_bindgen(js_name = notObject)]
pub fn not_object(kind: u32, locale_at: usize) -> JsValue {
    let got = match kind {
        0 => NotObject::String,
        1 => NotObject::Array,
        2 => NotObject::Boolean,
        3 => NotObject::Null,
        4 => NotObject::Number,
        5 => NotObject::Undefined,
        6 => NotObject::Function,
        _ => NotObject::Symbol,
    };
    let mut sentence = String::new();
    text::push_not_object(&mut sentence, locale(locale_at), got);
    to_js(&Contract::Error(&sentence))
}

/// The contract's `error` outcome for a sentence from JavaScript, for inputs that have no JSON
/// text (a cycle, `undefined`, a throwing getter), so every result is made here.
#[wasm_bindgen(js_name = inputError)]
pub fn input_error(sentence: String) -> JsValue {
    to_js(&Contract::Error(&sentence))
}

/// The `error` outcome for an object that has no JSON text, in the locale at `locale_at`:
/// `kind` 0 a cycle (`detail` is the path that refers back), 1 nesting deeper than 128 levels,
/// 2 another reason (`detail` is the engine's message), 3 a `toJSON` that gave no JSON text.
/// The package's own words, in both languages side by side.
#[wasm_bindgen(js_name = noJson)]
pub fn no_json(kind: u32, detail: &str, locale_at: usize) -> JsValue {
    let ru = locale(locale_at) == Locale::Ru;
    let mut sentence = String::from(match (kind, ru) {
        (3, false) => "input must be a JSON object",
        (3, true) => "входные данные должны быть объектом JSON",
        (_, false) => "input cannot be read as JSON: ",
        (_, true) => "входные данные нельзя прочитать как JSON: ",
    });
    match (kind, ru) {
        (0, false) => {
            sentence.push_str("it is cyclic, ");
            sentence.push_str(detail);
            sentence.push_str(" refers back to an object that contains it");
        }
        (0, true) => {
            sentence.push_str("в нём цикл: ");
            sentence.push_str(detail);
            sentence.push_str(" ссылается на объект, который его содержит");
        }
        (1, false) => sentence.push_str("nesting deeper than 128 levels"),
        (1, true) => sentence.push_str("вложенность глубже 128 уровней"),
        (3, _) => {}
        _ => sentence.push_str(detail),
    }
    to_js(&Contract::Error(&sentence))
}

/// The `error` outcome for a name that is not in [`message_names`], with the name it most
/// likely meant: the one whose last part (`CreateImageRequest`) is the given name, or its last
/// part, ignoring case.
#[wasm_bindgen(js_name = unknownMessage)]
pub fn unknown_message(name: &str, locale_at: usize) -> JsValue {
    let ru = locale(locale_at) == Locale::Ru;
    // By hand, not with `rsplit`, `to_lowercase` and `{:?}`: each would add code to the wasm.
    let last = |full: &'static str| &full[full.rfind('.').map_or(0, |dot| dot + 1)..];
    let wanted = &name[name.rfind('.').map_or(0, |dot| dot + 1)..];
    let guess = kiln_core::schema::messages()
        .iter()
        .find(|m| last(m.full_name).eq_ignore_ascii_case(wanted));
    // The package's own words, in both languages side by side.
    let mut sentence = String::from(if ru {
        "неизвестное имя сообщения "
    } else {
        "unknown message name "
    });
    quoted(&mut sentence, name);
    if let Some(m) = guess {
        sentence.push_str(if ru {
            ": возможно, имелось в виду \""
        } else {
            ": did you mean \""
        });
        sentence.push_str(m.full_name);
        sentence.push_str("\"?");
    }
    sentence.push_str(if ru {
        " (все имена перечислены в messageNames)"
    } else {
        " (messageNames lists every name)"
    });
    to_js(&Contract::Error(&sentence))
}

/// Appends `text` in double quotes, `"` and `\\` escaped.
fn quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// The rules of a message as a plain object (`null` for absent limits, as the TypeScript
/// declarations say), their `hints` and `text` in the locale at `locale_at`, or `undefined` for
/// an unknown name.
#[wasm_bindgen(js_name = describeRules)]
pub fn describe_rules(message_name: &str, locale_at: usize) -> JsValue {
    match kiln_core::describe::describe_rules_in(message_name, locale(locale_at)) {
        Some(rules) => rules
            .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
            .unwrap_or_else(|e| e.into()),
        None => JsValue::UNDEFINED,
    }
}

/// Full names of every message `validate` accepts.
#[wasm_bindgen(js_name = messageNames)]
pub fn message_names() -> JsValue {
    let names: Vec<&str> = kiln_core::schema::messages()
        .iter()
        .map(|m| m.full_name)
        .collect();
    to_js(&names)
}

/// A value serde-wasm-bindgen can always represent (strings, objects, arrays), so the error
/// arm never runs; it would hand JavaScript the error object rather than panic.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .unwrap_or_else(|e| e.into())
}

/// The contract's form of an [`Outcome`](kiln_core::validate::Outcome), the same fields in the same order as its derived
/// `Serialize`, with the fixed texts (`kind`'s values, rule ids) as unit variants: serde-wasm-
/// bindgen makes the JavaScript string of a `&'static str` key or unit variant once and reuses
/// it, where a `&str` value would be decoded from wasm memory on every call. The violations are
/// read from kiln-core's reused buffer ([`Violations`]), borrowed, never copied into `String`s;
/// a violation's field and message go through [`Text`]'s cache.
enum Contract<'a> {
    Valid,
    Invalid(&'a Violations),
    Error(&'a str),
}

impl Serialize for Contract<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = |k: u32, name: &'static str| Fixed(k, name);
        match *self {
            Contract::Valid => {
                let mut s = serializer.serialize_struct("Outcome", 1)?;
                s.serialize_field("kind", &kind(0, "valid"))?;
                s.end()
            }
            Contract::Invalid(violations) => {
                let mut s = serializer.serialize_struct("Outcome", 2)?;
                s.serialize_field("kind", &kind(1, "invalid"))?;
                s.serialize_field("violations", &List(violations))?;
                s.end()
            }
            Contract::Error(error) => {
                let mut s = serializer.serialize_struct("Outcome", 2)?;
                s.serialize_field("kind", &kind(2, "error"))?;
                s.serialize_field("error", error)?;
                s.end()
            }
        }
    }
}

struct List<'a>(&'a Violations);

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .iter()
                .map(|(field, rule, message)| ContractViolation {
                    field,
                    rule,
                    message,
                }),
        )
    }
}

/// One violation, its texts borrowed from the [`Violations`] buffer.
struct ContractViolation<'a> {
    field: &'a str,
    rule: kiln_core::Rule,
    message: &'a str,
}

impl Serialize for ContractViolation<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Violation", 3)?;
        s.serialize_field("field", &Text(self.field))?;
        // A unit variant: the discriminant picks the id (no search), and serde-wasm-bindgen
        // makes the JavaScript string of each id once.
        s.serialize_field("rule", &Fixed(self.rule as u32, self.rule.as_str()))?;
        s.serialize_field("message", &Text(self.message))?;
        s.end()
    }
}

/// A violation's field or message, serialized as the JavaScript string an earlier call made for
/// the same text when one is at hand (`serde_wasm_bindgen::preserve`): decoding UTF-8 from wasm
/// memory (`TextDecoder`, once per text) was the largest cost of an invalid call, and a form or
/// a service checking requests meets the same texts again and again. JavaScript strings are
/// immutable, so a shared one is indistinguishable from a new one.
struct Text<'a>(&'a str);

/// Slots of the text cache, each holding the last text whose hash falls there.
const TEXT_SLOTS: usize = 64;

/// A text and the JavaScript string made for it.
type Slot = Option<(Box<str>, JsValue)>;

thread_local! {
    static TEXTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TEXTS.with_borrow_mut(|slots| {
            if slots.is_empty() {
                slots.resize(TEXT_SLOTS, None);
            }
            let slot = &mut slots[fnv(self.0.as_bytes()) % TEXT_SLOTS];
            match slot {
                Some((text, js)) if **text == *self.0 => {}
                _ => *slot = Some((self.0.into(), JsValue::from_str(self.0))),
            }
            let (_, js) = slot.as_ref().expect("filled above");
            serde_wasm_bindgen::preserve::serialize(js, serializer)
        })
    }
}

/// FNV-1a over 8 bytes at a time.
fn fnv(bytes: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x0100_0000_01b3);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> 32)) as usize
}

/// A fixed text, serialized as a unit variant.
struct Fixed(u32, &'static str);

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("Fixed", self.0, self.1)
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod typescript;

/// Exports for `bench/boundary.mjs` only, never in the package (`cargo xtask npm` builds
/// without this feature): the other ways across the boundary, so they are measured, not guessed.
#[cfg(feature = "experiments")]
pub mod experiments {
    use wasm_bindgen::prelude::*;

    /// [`super::validate_input`] with the outcome's derived `Serialize` (every text decoded
    /// from wasm memory on every call) instead of [`super::Contract`].
    #[wasm_bindgen(js_name = validateInputDerived)]
    pub fn validate_input_derived(message: usize, len: usize) -> JsValue {
        let outcome = super::INPUT.with_borrow(|input| {
            let json = std::str::from_utf8(&input[..len]).unwrap_or("");
            kiln_core::validate::validate_message_str(kiln_core::schema::messages()[message], json)
        });
        super::to_js(&outcome)
    }

    /// Walks a JavaScript object through serde-wasm-bindgen's deserializer, every key and value
    /// read into wasm and dropped: the least any validator reading the object itself would do,
    /// before a single rule.
    #[wasm_bindgen(js_name = walkObject)]
    pub fn walk_object(input: JsValue) -> bool {
        serde_wasm_bindgen::from_value::<Walk>(input).is_ok()
    }

    /// Any value, read whole: `deserialize_any`, every map key and value, every element, every
    /// string copied (serde's `IgnoredAny` would let the deserializer skip the object unread).
    struct Walk;

    impl<'de> serde::Deserialize<'de> for Walk {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Walk)
        }
    }

    impl<'de> serde::de::Visitor<'de> for Walk {
        type Value = Walk;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_str<E>(self, s: &str) -> Result<Walk, E> {
            std::hint::black_box(s);
            Ok(Walk)
        }
        fn visit_string<E>(self, s: String) -> Result<Walk, E> {
            std::hint::black_box(s);
            Ok(Walk)
        }
        fn visit_unit<E>(self) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_none<E>(self) -> Result<Walk, E> {
            Ok(Walk)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Walk, D::Error> {
            d.deserialize_any(Walk)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
            while seq.next_element::<Walk>()?.is_some() {}
            Ok(Walk)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
            while map.next_key::<Walk>()?.is_some() {
                map.next_value::<Walk>()?;
            }
            Ok(Walk)
        }
    }
}
