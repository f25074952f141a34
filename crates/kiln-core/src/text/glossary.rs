//! Oneofs: words derived from the oneof's and its members' names through a glossary of nouns
//! (`image_id` is an image / образ), for the oneof violations and the oneof texts of forms.

use crate::locale::Locale;

/// A noun of the glossary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// The name it stands for (`image` for `image_id`).
    pub name: &'static str,
    /// English, bare (`source`).
    pub en: &'static str,
    /// English with its article (`an image`).
    pub en_a: &'static str,
    /// Russian, nominative (`образ`).
    pub ru: &'static str,
    /// Russian, accusative (`образ`; `операцию`).
    pub ru_acc: &'static str,
}

const fn term(
    name: &'static str,
    en: &'static str,
    en_a: &'static str,
    ru: &'static str,
    ru_acc: &'static str,
) -> Term {
    Term {
        name,
        en,
        en_a,
        ru,
        ru_acc,
    }
}

/// The glossary of the names oneofs and their members have (a member's `_id` or `_ids` is
/// dropped first: `image_id` is `image`).
pub const GLOSSARY: &[Term] = &[
    term("source", "source", "a source", "источник", "источник"),
    term("image", "image", "an image", "образ", "образ"),
    term("disk", "disk", "a disk", "диск", "диск"),
    term("snapshot", "snapshot", "a snapshot", "снимок", "снимок"),
    term("uri", "URI", "a URI", "URI", "URI"),
    term("family", "family", "a family", "семейство", "семейство"),
    term("folder", "folder", "a folder", "каталог", "каталог"),
    term(
        "operation",
        "operation",
        "an operation",
        "операция",
        "операцию",
    ),
    term("label", "label", "a label", "метка", "метку"),
    term("result", "result", "a result", "результат", "результат"),
    term("error", "error", "an error", "ошибка", "ошибку"),
    term("response", "response", "a response", "ответ", "ответ"),
];

/// The glossary's term for a oneof's or member's proto name, or `None` (the name is then shown
/// as it is in the proto).
pub fn term_for(name: &str) -> Option<&'static Term> {
    let stem = name
        .strip_suffix("_ids")
        .or_else(|| name.strip_suffix("_id"))
        .unwrap_or(name);
    GLOSSARY.iter().find(|t| t.name == stem)
}

/// One name in words: the term's form `pick` chooses, or the proto name.
fn push_term(out: &mut String, name: &str, pick: fn(&Term) -> &'static str) {
    match term_for(name) {
        Some(t) => out.push_str(pick(t)),
        None => out.push_str(name),
    }
}

/// `a, b and c` / `a, b или c` over `names`, each written by `pick`.
fn push_list(out: &mut String, names: &[&str], last_sep: &str, pick: fn(&Term) -> &'static str) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == names.len() { last_sep } else { ", " });
        }
        push_term(out, name, pick);
    }
}

/// `exactly_one` with no member set: `choose a source: an image, a disk, a snapshot or a URI`.
#[inline(never)]
pub fn push_oneof_none(out: &mut String, locale: Locale, oneof: &str, members: &[&str]) {
    match locale {
        Locale::En => {
            out.push_str("choose ");
            push_term(out, oneof, |t| t.en_a);
            out.push_str(": ");
            push_list(out, members, " or ", |t| t.en_a);
        }
        Locale::Ru => {
            out.push_str("выберите ");
            push_term(out, oneof, |t| t.ru_acc);
            out.push_str(": ");
            push_list(out, members, " или ", |t| t.ru);
        }
    }
}

/// `exactly_one` / `oneof` with several members set: `only one source may be set, but an image
/// and a URI are set`.
#[inline(never)]
pub fn push_oneof_many(out: &mut String, locale: Locale, oneof: &str, set: &[&str]) {
    match locale {
        Locale::En => {
            out.push_str("only one ");
            push_term(out, oneof, |t| t.en);
            out.push_str(" may be set, but ");
            push_list(out, set, " and ", |t| t.en_a);
            out.push_str(" are set");
        }
        Locale::Ru => {
            push_term(out, oneof, |t| t.ru);
            out.push_str(": можно задать только один вариант, а заданы ");
            push_list(out, set, " и ", |t| t.ru);
        }
    }
}

/// A oneof's text for forms: `choose a source: an image, a disk, a snapshot or a URI`, or for
/// a oneof that may stay empty `at most one features: legacy_features or generation2_features`.
pub fn push_oneof_text(
    out: &mut String,
    locale: Locale,
    oneof: &str,
    members: &[&str],
    exactly_one: bool,
) {
    if exactly_one {
        return push_oneof_none(out, locale, oneof, members);
    }
    match locale {
        Locale::En => {
            out.push_str("at most one ");
            push_term(out, oneof, |t| t.en);
            out.push_str(": ");
            push_list(out, members, " or ", |t| t.en_a);
        }
        Locale::Ru => {
            push_term(out, oneof, |t| t.ru);
            out.push_str(": не более одного варианта: ");
            push_list(out, members, " или ", |t| t.ru);
        }
    }
}
