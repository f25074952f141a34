//! Field hints (max lengths, allowed characters, ranges) read from the rules in `proto/`
//! through `kiln_core::describe`, so the UI code never copies a rule.

use kiln_core::describe::{FieldRules, MessageRules, describe_rules_in};
use kiln_core::validate::CREATE_IMAGE_REQUEST;

use crate::GB;
use crate::text::Lang;

/// What a form control shows and enforces for one request field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hint {
    /// The `maxlength` of the input, when the rule bounds the length.
    pub max_length: Option<i64>,
    /// One line for people: "at most 256 characters", "matches ...".
    pub text: String,
}

/// CreateImageRequest's rules in `lang`, described once per language (components ask for
/// hints on every render).
fn rules(path: &str, lang: Lang) -> Option<&'static FieldRules> {
    static RULES: [std::sync::OnceLock<Option<MessageRules>>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    RULES[lang as usize]
        .get_or_init(|| describe_in(lang))
        .as_ref()?
        .fields
        .iter()
        .find(|f| f.path == path)
}

fn describe_in(lang: Lang) -> Option<MessageRules> {
    describe_rules_in(CREATE_IMAGE_REQUEST, lang.core())
}

/// The hint of the CreateImageRequest field at `path` (`name`, `labels`, `image_id`, ...).
pub fn hint(path: &str, lang: Lang) -> Hint {
    let Some(rules) = rules(path, lang) else {
        return Hint::default();
    };
    Hint {
        max_length: rules.length.as_ref().and_then(|b| b.max),
        text: if rules.text.is_empty() {
            rules.hints.join("; ")
        } else {
            rules.text.clone()
        },
    }
}

/// `min_disk_size`'s range in whole GB: the smallest GB count at or above the minimum and the
/// largest at or below the maximum.
pub fn min_disk_size_gb() -> Option<(i64, i64)> {
    let value = rules("min_disk_size", Lang::En)?.value.as_ref()?;
    let (min, max) = (value.min?, value.max?);
    Some(((min + GB - 1) / GB, max / GB))
}

/// The minimum disk size's hint, in GB.
pub fn min_disk_size_hint(lang: Lang) -> Hint {
    match min_disk_size_gb() {
        Some((min, max)) => Hint {
            max_length: None,
            text: lang.min_disk_size_hint(min, max),
        },
        None => Hint::default(),
    }
}
