//! The violation messages, by rule id: what a person reads of each broken rule.

use super::{
    limits::{Range, push_limit, push_limit_en},
    numbers::{CHARACTERS, Noun, push_int, words},
    pattern_words::push_quoted_char,
};
use crate::locale::Locale;

/// What a message is about: a field's value, or a map entry's key (Russian agrees with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The value of a field, list element or map entry.
    Value = 0,
    /// The key of a map entry.
    Key = 1,
}

/// `required`.
pub fn required(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "is required",
        Locale::Ru => "обязательное поле",
    }
}

/// `length` and `map_key.length`: `must be at most 63 characters long (it has 70)`.
#[inline(never)]
pub fn push_length(out: &mut String, locale: Locale, subject: Subject, ranges: &[Range], n: i128) {
    match locale {
        Locale::En => {
            out.push_str(lead(locale, subject, Lead::Be));
            push_limit(out, locale, ranges, Some(&CHARACTERS));
            out.push_str(" long (it has ");
        }
        Locale::Ru => {
            out.push_str(lead(locale, subject, Lead::Contain));
            push_limit(out, locale, ranges, Some(&CHARACTERS));
            out.push_str(" (сейчас ");
        }
    }
    push_int(out, n);
    out.push(')');
}

/// `size`: `must have at most 64 entries (it has 65)`.
#[inline(never)]
pub fn push_size(out: &mut String, locale: Locale, noun: &Noun, ranges: &[Range], count: i128) {
    match locale {
        Locale::En => {
            out.push_str("must have ");
            push_limit_en(out, ranges);
            out.push(' ');
            out.push_str(noun.en_many);
            out.push_str(" (it has ");
        }
        Locale::Ru => {
            out.push_str("должно содержать ");
            push_limit(out, locale, ranges, Some(noun));
            out.push_str(" (сейчас ");
        }
    }
    push_int(out, count);
    out.push(')');
}

/// `value`: `must be between 4194304 and 4398046511104 (it is 5)`.
#[inline(never)]
pub fn push_value(out: &mut String, locale: Locale, ranges: &[Range], n: i128) {
    match locale {
        Locale::En => {
            out.push_str("must be ");
            push_limit_en(out, ranges);
            out.push_str(" (it is ");
        }
        Locale::Ru => {
            out.push_str("должно быть ");
            push_limit(out, locale, ranges, None);
            out.push_str(" (сейчас ");
        }
    }
    push_int(out, n);
    out.push(')');
}

/// The head of a sentence about a value or a key.
#[derive(Clone, Copy)]
enum Lead {
    /// `must be` / `должно быть`.
    Be,
    /// `must be` / `должно содержать` (a length).
    Contain,
    /// `may only contain` / `может содержать только`.
    MayOnlyContain,
    /// `must start with` / `должно начинаться`.
    Start,
    /// `must end with` / `должно заканчиваться`.
    End,
    /// `must match the regular expression` / `должно соответствовать регулярному выражению`.
    Match,
}

/// `LEADS[lead][locale][subject]`: Russian agrees with its subject (`должно` for a value,
/// `ключ должен` for a key).
const LEADS: [[[&str; 2]; 2]; 6] = [
    [
        ["must be ", "key must be "],
        ["должно быть ", "ключ должен быть "],
    ],
    [
        ["must be ", "key must be "],
        ["должно содержать ", "ключ должен содержать "],
    ],
    [
        ["may only contain ", "key may only contain "],
        ["может содержать только ", "ключ может содержать только "],
    ],
    [
        ["must start with ", "key must start with "],
        ["должно начинаться ", "ключ должен начинаться "],
    ],
    [
        ["must end with ", "key must end with "],
        ["должно заканчиваться ", "ключ должен заканчиваться "],
    ],
    [
        [
            "must match the regular expression ",
            "key must match the regular expression ",
        ],
        [
            "должно соответствовать регулярному выражению ",
            "ключ должен соответствовать регулярному выражению ",
        ],
    ],
];

fn lead(locale: Locale, subject: Subject, lead: Lead) -> &'static str {
    LEADS[lead as usize][locale.index()][subject as usize]
}

/// `pattern` / `map_key.pattern`, the value has a character outside the pattern's set:
/// `may only contain lowercase Latin letters, digits, hyphens and underscores (it has “A”)`.
#[inline(never)]
pub fn push_pattern_char(
    out: &mut String,
    locale: Locale,
    subject: Subject,
    allowed: &str,
    c: char,
) {
    match locale {
        Locale::En => {
            words(
                out,
                &[
                    lead(locale, subject, Lead::MayOnlyContain),
                    allowed,
                    " (it has ",
                ],
            );
        }
        Locale::Ru => {
            words(
                out,
                &[
                    lead(locale, subject, Lead::MayOnlyContain),
                    allowed,
                    " (встречается ",
                ],
            );
        }
    }
    push_quoted_char(out, locale, c);
    out.push(')');
}

/// `pattern` / `map_key.pattern`, the value's length is outside the pattern's:
/// `must be at most 63 characters long (it has 70)`, `must be empty or at least 3 characters
/// long (it has 1)`.
#[inline(never)]
pub fn push_pattern_length(
    out: &mut String,
    locale: Locale,
    subject: Subject,
    (empty, min, max): (bool, i128, Option<i128>),
    n: i128,
) {
    let too_long = max.filter(|&m| n > m);
    match locale {
        Locale::En => {
            out.push_str(lead(locale, subject, Lead::Be));
            let bound = match too_long {
                Some(m) => {
                    out.push_str("at most ");
                    m
                }
                None => {
                    if empty {
                        out.push_str("empty or ");
                    }
                    out.push_str(if max == Some(min) {
                        "exactly "
                    } else {
                        "at least "
                    });
                    min
                }
            };
            push_int(out, bound);
            out.push(' ');
            out.push_str(CHARACTERS.en(bound));
            out.push_str(" long (it has ");
        }
        Locale::Ru => {
            match too_long {
                Some(m) => {
                    out.push_str(lead(locale, subject, Lead::Contain));
                    out.push_str("не более ");
                    push_int(out, m);
                    out.push(' ');
                    out.push_str(CHARACTERS.ru_gen(m));
                }
                None => {
                    if empty {
                        out.push_str(lead(locale, subject, Lead::Be));
                        out.push_str("пустым или содержать ");
                    } else {
                        out.push_str(lead(locale, subject, Lead::Contain));
                    }
                    if max == Some(min) {
                        out.push_str("ровно ");
                        push_int(out, min);
                        out.push(' ');
                        out.push_str(CHARACTERS.ru_count(min));
                    } else {
                        out.push_str("не менее ");
                        push_int(out, min);
                        out.push(' ');
                        out.push_str(CHARACTERS.ru_gen(min));
                    }
                }
            }
            out.push_str(" (сейчас ");
        }
    }
    push_int(out, n);
    out.push(')');
}

/// `pattern`, a bad first character: `must start with a lowercase Latin letter`. `first` is the
/// pattern's generated words (Russian with its preposition: `со строчной латинской буквы`).
#[inline(never)]
pub fn push_pattern_first(out: &mut String, locale: Locale, subject: Subject, first: &str) {
    match locale {
        Locale::En => words(out, &[lead(locale, subject, Lead::Start), first]),
        Locale::Ru => words(out, &[lead(locale, subject, Lead::Start), first]),
    }
}

/// `pattern`, a bad last character: `must end with a lowercase Latin letter or a digit`.
#[inline(never)]
pub fn push_pattern_last(out: &mut String, locale: Locale, subject: Subject, last: &str) {
    match locale {
        Locale::En => words(out, &[lead(locale, subject, Lead::End), last]),
        Locale::Ru => words(out, &[lead(locale, subject, Lead::End), last]),
    }
}

/// `pattern` when no diagnosis applies (never, while each pattern's shape is verified equal to
/// it at build time): the regular expression itself.
pub fn push_pattern_source(out: &mut String, locale: Locale, subject: Subject, source: &str) {
    match locale {
        Locale::En => words(out, &[lead(locale, subject, Lead::Match), source]),
        Locale::Ru => words(out, &[lead(locale, subject, Lead::Match), source]),
    }
}

/// A value type as a `type` violation names it: `[English, Russian]` (the Russian in the
/// instrumental, after «должно быть»).
pub type KindWords = [&'static str; 2];

/// `string`.
pub const KIND_STRING: KindWords = ["a string", "строкой"];
/// `bytes`.
pub const KIND_BYTES: KindWords = ["a base64 string", "строкой base64"];
/// `bool`.
pub const KIND_BOOL: KindWords = ["true or false", "true или false"];
/// `int32`.
pub const KIND_INT32: KindWords = ["a 32-bit integer", "32-битным целым числом"];
/// `int64`.
pub const KIND_INT64: KindWords = [
    "a 64-bit integer (a JSON number or a string of digits)",
    "64-битным целым числом (число JSON или строка из цифр)",
];
/// `uint32`.
pub const KIND_UINT32: KindWords = [
    "a non-negative 32-bit integer",
    "неотрицательным 32-битным целым числом",
];
/// `uint64`.
pub const KIND_UINT64: KindWords = [
    "a non-negative 64-bit integer (a JSON number or a string of digits)",
    "неотрицательным 64-битным целым числом (число JSON или строка из цифр)",
];
/// `float`, `double`.
pub const KIND_NUMBER: KindWords = ["a number", "числом"];
/// An enum.
pub const KIND_ENUM: KindWords = [
    "an enum value name (a string) or number",
    "именем значения перечисления (строкой) или его номером",
];
/// A message, `Struct`, `Empty`.
pub const KIND_OBJECT: KindWords = ["an object", "объектом"];
/// `Any`.
pub const KIND_ANY: KindWords = [
    "an object with an \"@type\" string",
    "объектом со строкой \"@type\"",
];
/// `Timestamp`.
pub const KIND_TIMESTAMP: KindWords = [
    "an RFC 3339 timestamp string",
    "строкой с моментом времени в формате RFC 3339",
];
/// `Duration`.
pub const KIND_DURATION: KindWords = [
    "a duration string such as \"1.5s\"",
    "строкой с длительностью, например \"1.5s\"",
];
/// `FieldMask`.
pub const KIND_FIELD_MASK: KindWords = [
    "a string of comma-separated field paths",
    "строкой из путей к полям через запятую",
];
/// `ListValue` and a `repeated` field.
pub const KIND_LIST: KindWords = ["a list", "списком"];
/// `Value`.
pub const KIND_VALUE: KindWords = ["a JSON value", "значением JSON"];
/// A `map` field.
pub const KIND_MAP: KindWords = [
    "an object of key-value pairs",
    "объектом из пар «ключ — значение»",
];

/// `type`: `must be a string`, `key must be a string`.
#[inline(never)]
pub fn push_type(out: &mut String, locale: Locale, subject: Subject, kind: &KindWords) {
    match locale {
        Locale::En => words(out, &[lead(locale, subject, Lead::Be), kind[0]]),
        Locale::Ru => words(out, &[lead(locale, subject, Lead::Be), kind[1]]),
    }
}

/// `unknown_field`: `is not a field of CreateImageRequest`.
pub fn push_unknown_field(out: &mut String, locale: Locale, message: &str) {
    match locale {
        Locale::En => words(out, &["is not a field of ", message]),
        Locale::Ru => words(out, &["не является полем ", message]),
    }
}

/// `unknown_field` for a key given twice: `repeats the field name`.
pub fn push_repeated_field(out: &mut String, locale: Locale, field: &str) {
    match locale {
        Locale::En => words(out, &["repeats the field ", field]),
        Locale::Ru => words(out, &["повторяет поле ", field]),
    }
}

/// `enum`: `must be one of TYPE_UNSPECIFIED, LINUX, WINDOWS`.
#[inline(never)]
pub fn push_enum<'a>(out: &mut String, locale: Locale, names: impl Iterator<Item = &'a str>) {
    out.push_str(match locale {
        Locale::En => "must be one of ",
        Locale::Ru => "должно быть одним из значений: ",
    });
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
    }
}
