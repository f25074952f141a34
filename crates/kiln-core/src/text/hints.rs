//! Rules for forms (`describe`): the hints of a field's rules.

use super::limits::{Range, push_limit};
use crate::locale::Locale;

/// The hint of a `(required)` field.
pub fn hint_required(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "required",
        Locale::Ru => "обязательное поле",
    }
}

/// A hint's prefix for what a list's or map's rule is about: `keys: `, `values: `, `each
/// element: `.
pub fn hint_part(locale: Locale, part: HintPart) -> &'static str {
    match (locale, part) {
        (Locale::En, HintPart::Keys) => "keys: ",
        (Locale::Ru, HintPart::Keys) => "ключи: ",
        (Locale::En, HintPart::Values) => "values: ",
        (Locale::Ru, HintPart::Values) => "значения: ",
        (Locale::En, HintPart::Elements) => "each element: ",
        (Locale::Ru, HintPart::Elements) => "каждый элемент: ",
    }
}

/// What part of a list or map a hint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintPart {
    /// A map's keys.
    Keys,
    /// A map's values.
    Values,
    /// A list's elements.
    Elements,
}

/// The hint of a `(value)` limit: `between 1 and 1000 (0 means unset)`.
pub fn push_value_hint(out: &mut String, locale: Locale, ranges: &[Range]) {
    push_limit(out, locale, ranges, None);
    out.push_str(match locale {
        Locale::En => " (0 means unset)",
        Locale::Ru => " (0 — не задано)",
    });
}
