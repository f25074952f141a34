//! Every word a person reads from the core, in English and Russian side by side: the violation
//! messages of each rule id, the error outcomes, the rules' texts for forms, the nouns of
//! oneofs and their members, and the names of character classes that pattern texts are made
//! of. Nothing else in the crate holds a sentence.
//!
//! Messages are the hot path of an invalid request (the npm package's speed is measured), so
//! they are appended to a `String` with `push_str` and [`push_int`], never through
//! `core::fmt`. This file is also compiled into the build script (with `#[path]`), which
//! renders each pattern's words with [`shape_words`] and [`push_shape`]: the run time and the
//! build time share one vocabulary.
//!
//! Russian terms follow Yandex Cloud's Russian console and documentation (образ, диск, снимок,
//! семейство, каталог, операция, метка); numbers take the noun form Russian asks for
//! ([`ru_plural`]: 1 символ, 2 символа, 5 символов; «не более 21 символа»).

use crate::locale::Locale;

/// An inclusive range; `None` is unbounded.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// Lowest allowed value.
    pub min: Option<i128>,
    /// Highest allowed value.
    pub max: Option<i128>,
}

/// Appends `n` in decimal, as `{n}` would, without `core::fmt` (whose `i128` path is a
/// software division per digit in wasm): a 64-bit loop when the value fits, which is always.
pub fn push_int(out: &mut String, n: i128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    while rest > u128::from(u64::MAX) {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut rest = rest as u64;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// Appends `parts` to `out`, reserving for all of them at once.
pub(crate) fn words(out: &mut String, parts: &[&str]) {
    out.reserve(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
}

/// Russian plural categories (CLDR): `one` (1, 21, 101), `few` (2–4, 22–24), `many` (0, 5–20,
/// 25–30, 11–14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// 1, 21, 31, ... but not 11.
    One,
    /// 2–4, 22–24, ... but not 12–14.
    Few,
    /// Everything else.
    Many,
}

/// The Russian plural category of `n`.
pub fn ru_plural(n: i128) -> Plural {
    let n = n.unsigned_abs();
    let (last, two) = (n % 10, n % 100);
    if last == 1 && two != 11 {
        Plural::One
    } else if (2..=4).contains(&last) && !(12..=14).contains(&two) {
        Plural::Few
    } else {
        Plural::Many
    }
}

/// A counted noun in both languages.
pub struct Noun {
    en_one: &'static str,
    en_many: &'static str,
    /// Russian after a numeral: one, few, many (1 символ, 2 символа, 5 символов).
    ru: [&'static str; 3],
    /// Russian genitive singular and plural, after «до», «от», «не более» (до 21 символа).
    ru_gen: [&'static str; 2],
}

/// Characters of a string.
pub const CHARACTERS: Noun = Noun {
    en_one: "character",
    en_many: "characters",
    ru: ["символ", "символа", "символов"],
    ru_gen: ["символа", "символов"],
};

/// Elements of a list.
pub const ELEMENTS: Noun = Noun {
    en_one: "element",
    en_many: "elements",
    ru: ["элемент", "элемента", "элементов"],
    ru_gen: ["элемента", "элементов"],
};

/// Entries of a map.
pub const ENTRIES: Noun = Noun {
    en_one: "entry",
    en_many: "entries",
    ru: ["элемент", "элемента", "элементов"],
    ru_gen: ["элемента", "элементов"],
};

impl Noun {
    /// English: singular for exactly 1.
    fn en(&self, n: i128) -> &'static str {
        if n == 1 { self.en_one } else { self.en_many }
    }

    /// Russian after a numeral in the nominative (`ровно 3 символа`).
    fn ru_count(&self, n: i128) -> &'static str {
        match ru_plural(n) {
            Plural::One => self.ru[0],
            Plural::Few => self.ru[1],
            Plural::Many => self.ru[2],
        }
    }

    /// Russian after a numeral in the genitive (`не более 21 символа`, `до 63 символов`).
    fn ru_gen(&self, n: i128) -> &'static str {
        if ru_plural(n) == Plural::One {
            self.ru_gen[0]
        } else {
            self.ru_gen[1]
        }
    }
}

/// What a message is about: a field's value, or a map entry's key (Russian agrees with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The value of a field, list element or map entry.
    Value = 0,
    /// The key of a map entry.
    Key = 1,
}

// ---------------------------------------------------------------------------------------------
// Limits in words.

/// Appends a numeric limit in words. English: `at most 50`, `between 1 and 63`, `exactly 1`,
/// `one of 0, 5, 20 to 50`; the noun, if any, follows. Russian: `не более 50 символов`,
/// `от 1 до 63 символов`, `ровно 1 символ`; for a value with no noun `не больше 1000`,
/// `от 1 до 1000`, `равно 5`.
#[inline(never)]
pub fn push_limit(out: &mut String, locale: Locale, ranges: &[Range], noun: Option<&Noun>) {
    match locale {
        Locale::En => {
            push_limit_en(out, ranges);
            if let Some(noun) = noun {
                // As before: "character" only when the limit's maximum is 1.
                let one = ranges
                    .iter()
                    .map(|r| r.max)
                    .try_fold(i128::MIN, |a, m| Some(a.max(m?)))
                    == Some(1);
                out.push(' ');
                out.push_str(if one { noun.en_one } else { noun.en_many });
            }
        }
        Locale::Ru => push_limit_ru(out, ranges, noun),
    }
}

/// The English limit, as `Limit::describe` has always written it.
pub fn push_limit_en(out: &mut String, ranges: &[Range]) {
    let one = |out: &mut String, r: &Range, sep: &str| match (r.min, r.max) {
        (Some(a), Some(b)) if a == b => push_int(out, a),
        (Some(a), Some(b)) => {
            push_int(out, a);
            out.push_str(sep);
            push_int(out, b);
        }
        (Some(a), None) => {
            out.push_str("at least ");
            push_int(out, a);
        }
        (None, Some(b)) => {
            out.push_str("at most ");
            push_int(out, b);
        }
        (None, None) => out.push_str("any value"),
    };
    match ranges {
        [r] => match (r.min, r.max) {
            (Some(a), Some(b)) if a == b => {
                out.push_str("exactly ");
                push_int(out, a);
            }
            (Some(a), Some(b)) => {
                out.push_str("between ");
                push_int(out, a);
                out.push_str(" and ");
                push_int(out, b);
            }
            _ => one(out, r, ""),
        },
        many => {
            out.push_str("one of ");
            for (i, r) in many.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                one(out, r, " to ");
            }
        }
    }
}

fn push_limit_ru(out: &mut String, ranges: &[Range], noun: Option<&Noun>) {
    let genitive = |out: &mut String, n: i128| {
        if let Some(noun) = noun {
            out.push(' ');
            out.push_str(noun.ru_gen(n));
        }
    };
    let more = if noun.is_some() {
        "не более "
    } else {
        "не больше "
    };
    let less = if noun.is_some() {
        "не менее "
    } else {
        "не меньше "
    };
    match ranges {
        [r] => match (r.min, r.max) {
            (Some(a), Some(b)) if a == b => match noun {
                Some(noun) => {
                    out.push_str("ровно ");
                    push_int(out, a);
                    out.push(' ');
                    out.push_str(noun.ru_count(a));
                }
                None => {
                    out.push_str("равно ");
                    push_int(out, a);
                }
            },
            (Some(a), Some(b)) => {
                out.push_str("от ");
                push_int(out, a);
                out.push_str(" до ");
                push_int(out, b);
                genitive(out, b);
            }
            (Some(a), None) => {
                out.push_str(less);
                push_int(out, a);
                genitive(out, a);
            }
            (None, Some(b)) => {
                out.push_str(more);
                push_int(out, b);
                genitive(out, b);
            }
            (None, None) => out.push_str("любое значение"),
        },
        many => {
            out.push_str("одно из: ");
            let mut last = 0;
            for (i, r) in many.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match (r.min, r.max) {
                    (Some(a), Some(b)) if a == b => push_int(out, a),
                    (Some(a), Some(b)) => {
                        push_int(out, a);
                        out.push('–');
                        push_int(out, b);
                    }
                    (Some(a), None) => {
                        out.push_str(less);
                        push_int(out, a);
                    }
                    (None, Some(b)) => {
                        out.push_str(more);
                        push_int(out, b);
                    }
                    (None, None) => out.push_str("любое значение"),
                }
                last = r.max.or(r.min).unwrap_or(0);
            }
            genitive(out, last);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Violation messages, by rule id.

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

/// A character in quotes (“A” / «A»), or its code point when it shows nothing (`U+000A`).
pub fn push_quoted_char(out: &mut String, locale: Locale, c: char) {
    // The one invisible character people type by mistake is named; others get their code.
    if c == ' ' {
        out.push_str(match locale {
            Locale::En => "a space",
            Locale::Ru => "пробел",
        });
        return;
    }
    if c.is_control() || c.is_whitespace() {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        out.push_str("U+");
        let n = c as u32;
        let digits = if n > 0xFFFF { 6 } else { 4 };
        for i in (0..digits).rev() {
            out.push(char::from(HEX[((n >> (i * 4)) & 0xF) as usize]));
        }
        return;
    }
    let (open, close) = match locale {
        Locale::En => ('“', '”'),
        Locale::Ru => ('«', '»'),
    };
    out.push(open);
    out.push(c);
    out.push(close);
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

// ---------------------------------------------------------------------------------------------
// Oneofs: words derived from the oneof's and its members' names through a glossary.

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

// ---------------------------------------------------------------------------------------------
// Error outcomes.

/// The input is not JSON: `input is not valid JSON: expected ':' at line 1 column 9`.
#[inline(never)]
pub fn push_not_json(out: &mut String, locale: Locale, what: &str, line: usize, column: usize) {
    match locale {
        Locale::En => {
            words(out, &["input is not valid JSON: ", what, " at line "]);
            push_int(out, line as i128);
            out.push_str(" column ");
            push_int(out, column as i128);
        }
        Locale::Ru => {
            words(
                out,
                &[
                    "входные данные не являются корректным JSON: ",
                    syntax_ru(what),
                    " (строка ",
                ],
            );
            push_int(out, line as i128);
            out.push_str(", столбец ");
            push_int(out, column as i128);
            out.push(')');
        }
    }
}

/// The Russian of a JSON syntax error of `scan` (its English text when there is none).
fn syntax_ru(what: &str) -> &str {
    const RU: &[(&str, &str)] = &[
        (
            "trailing characters after the value",
            "лишние символы после значения",
        ),
        (
            "nesting deeper than 128 levels",
            "вложенность глубже 128 уровней",
        ),
        ("expected '{'", "ожидалась «{»"),
        ("expected ',' or '}'", "ожидалась «,» или «}»"),
        ("expected a string key", "ожидался ключ-строка"),
        ("expected ':'", "ожидалось «:»"),
        ("expected '['", "ожидалась «[»"),
        ("expected ',' or ']'", "ожидалась «,» или «]»"),
        ("expected a string", "ожидалась строка"),
        (
            "control character in a string",
            "управляющий символ в строке",
        ),
        ("unterminated string", "незакрытая строка"),
        (
            "invalid escape in a string",
            "неверная escape-последовательность в строке",
        ),
        ("short \\u escape", "неполная последовательность \\u"),
        ("invalid \\u escape", "неверная последовательность \\u"),
        ("invalid number", "неверное число"),
        ("leading zero in a number", "ведущий ноль в числе"),
        ("expected a value", "ожидалось значение"),
        (
            "unexpected end of input",
            "неожиданный конец входных данных",
        ),
    ];
    RU.iter()
        .find(|(en, _)| *en == what)
        .map_or(what, |(_, ru)| ru)
}

/// What the input was instead of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotObject {
    /// A JSON string.
    String,
    /// A JSON array.
    Array,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// A JSON number (or a JavaScript `BigInt`).
    Number,
    /// JavaScript's `undefined` (the npm package).
    Undefined,
    /// A JavaScript function.
    Function,
    /// A JavaScript symbol.
    Symbol,
}

/// The input is JSON but not an object: `input must be a JSON object, got an array`.
#[inline(never)]
pub fn push_not_object(out: &mut String, locale: Locale, got: NotObject) {
    let [en, ru] = match got {
        NotObject::String => ["a string", "строкой"],
        NotObject::Array => ["an array", "массивом"],
        NotObject::Boolean => ["a boolean", "логическим значением"],
        NotObject::Null => ["null", "null"],
        NotObject::Number => ["a number", "числом"],
        NotObject::Undefined => ["undefined", "undefined"],
        NotObject::Function => ["a function", "функцией"],
        NotObject::Symbol => ["a symbol", "символом Symbol"],
    };
    match locale {
        Locale::En => words(out, &["input must be a JSON object, got ", en]),
        Locale::Ru => words(
            out,
            &["входные данные должны быть объектом JSON, а не ", ru],
        ),
    }
}

/// No message has this name: `unknown message "yandex.cloud.X"` (the name quoted as Rust's
/// `{:?}` does).
pub fn unknown_message(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => format!("unknown message {name:?}"),
        Locale::Ru => format!("неизвестное сообщение {name:?}"),
    }
}

/// A decoded message with a field mask path proto3 JSON cannot write.
pub fn unwritable_mask_path(locale: Locale, field: &str, path: &str) -> String {
    match locale {
        Locale::En => format!(
            "{field} {path:?} cannot be written as proto3 JSON: a field mask path must be field \
             names in snake_case, e.g. min_disk_size"
        ),
        Locale::Ru => format!(
            "{field} {path:?} нельзя записать в proto3 JSON: путь в маске полей должен состоять \
             из имён полей в snake_case, например min_disk_size"
        ),
    }
}

/// A decoded message that has no proto3 JSON form for another reason.
pub fn no_json_form(locale: Locale, detail: &str) -> String {
    match locale {
        Locale::En => format!("the request cannot be written as proto3 JSON: {detail}"),
        Locale::Ru => format!("запрос нельзя записать в proto3 JSON: {detail}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Rules for forms (`describe`).

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

/// A pattern's shape in words: `empty, or 1–63 characters: lowercase Latin letters, digits,
/// hyphens and underscores; starts with a letter; ends with a letter or a digit`. `allowed`,
/// `starts` and `ends` are the pattern's generated words ([`shape_words`]); `min` and `max` are
/// the lengths of its non-empty values (`max` 0: only the empty value).
pub fn push_shape(
    out: &mut String,
    locale: Locale,
    (empty, min, max): (bool, i128, Option<i128>),
    [allowed, starts, ends]: [&str; 3],
) {
    if max == Some(0) || min > max.unwrap_or(i128::MAX) {
        out.push_str(match locale {
            Locale::En => "empty",
            Locale::Ru => "пусто",
        });
        return;
    }
    match locale {
        Locale::En => {
            if empty && min <= 1 && max.is_none() {
                out.push_str("any number of characters");
            } else {
                if empty {
                    out.push_str("empty, or ");
                }
                push_int(out, min);
                match max {
                    Some(m) if m == min => {}
                    Some(m) => {
                        out.push('–');
                        push_int(out, m);
                    }
                    None => out.push_str(" or more"),
                }
                out.push(' ');
                out.push_str(CHARACTERS.en(max.unwrap_or(2)));
            }
        }
        Locale::Ru => {
            if empty && min <= 1 && max.is_none() {
                out.push_str("любое число символов");
            } else {
                if empty {
                    out.push_str("пусто или ");
                }
                match max {
                    Some(m) if m == min => {
                        out.push_str("ровно ");
                        push_int(out, m);
                        out.push(' ');
                        out.push_str(CHARACTERS.ru_count(m));
                    }
                    Some(m) => {
                        out.push_str("от ");
                        push_int(out, min);
                        out.push_str(" до ");
                        push_int(out, m);
                        out.push(' ');
                        out.push_str(CHARACTERS.ru_gen(m));
                    }
                    None => {
                        out.push_str("не менее ");
                        push_int(out, min);
                        out.push(' ');
                        out.push_str(CHARACTERS.ru_gen(min));
                    }
                }
            }
        }
    }
    words(out, &[": ", allowed]);
    for part in [starts, ends] {
        if !part.is_empty() {
            words(out, &["; ", part]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Character classes, for the pattern texts rendered at build time (`build/pattern_words.rs`).

/// A character class with a name.
pub struct ClassWord {
    /// The characters it names (inclusive).
    pub range: (char, char),
    /// English plural, in a list of what is allowed (`lowercase Latin letters`).
    pub en_many: &'static str,
    /// English singular with article, in a violation (`a lowercase Latin letter`).
    pub en_one: &'static str,
    /// English singular, short, in a text where the list already said which (`a letter`).
    pub en_short: &'static str,
    /// Russian nominative plural (`строчные латинские буквы`).
    pub ru_many: &'static str,
    /// Russian genitive singular, after «начинаться с» (`строчной латинской буквы`), and short.
    pub ru_gen: [&'static str; 2],
    /// Russian instrumental singular, after «заканчиваться» (`строчной латинской буквой`), and
    /// short.
    pub ru_ins: [&'static str; 2],
}

const fn class(
    range: (char, char),
    en: [&'static str; 3],
    ru_many: &'static str,
    ru_gen: [&'static str; 2],
    ru_ins: [&'static str; 2],
) -> ClassWord {
    ClassWord {
        range,
        en_many: en[0],
        en_one: en[1],
        en_short: en[2],
        ru_many,
        ru_gen,
        ru_ins,
    }
}

/// The character classes the describer has words for, in the order lists name them. A set
/// with a character none of them names shows that character quoted.
pub const CLASS_WORDS: &[ClassWord] = &[
    class(
        ('a', 'z'),
        [
            "lowercase Latin letters",
            "a lowercase Latin letter",
            "a letter",
        ],
        "строчные латинские буквы",
        ["строчной латинской буквы", "буквы"],
        ["строчной латинской буквой", "буквой"],
    ),
    class(
        ('A', 'Z'),
        [
            "uppercase Latin letters",
            "an uppercase Latin letter",
            "an uppercase letter",
        ],
        "заглавные латинские буквы",
        ["заглавной латинской буквы", "заглавной буквы"],
        ["заглавной латинской буквой", "заглавной буквой"],
    ),
    class(
        ('0', '9'),
        ["digits", "a digit", "a digit"],
        "цифры",
        ["цифры", "цифры"],
        ["цифрой", "цифрой"],
    ),
    class(
        ('-', '-'),
        ["hyphens", "a hyphen", "a hyphen"],
        "дефисы",
        ["дефиса", "дефиса"],
        ["дефисом", "дефисом"],
    ),
    class(
        ('_', '_'),
        ["underscores", "an underscore", "an underscore"],
        "знаки подчёркивания",
        ["знака подчёркивания", "знака подчёркивания"],
        ["знаком подчёркивания", "знаком подчёркивания"],
    ),
    class(
        ('.', '.'),
        ["dots", "a dot", "a dot"],
        "точки",
        ["точки", "точки"],
        ["точкой", "точкой"],
    ),
    class(
        ('/', '/'),
        ["slashes", "a slash", "a slash"],
        "косые черты",
        ["косой черты", "косой черты"],
        ["косой чертой", "косой чертой"],
    ),
    class(
        ('\\', '\\'),
        ["backslashes", "a backslash", "a backslash"],
        "обратные косые черты",
        ["обратной косой черты", "обратной косой черты"],
        ["обратной косой чертой", "обратной косой чертой"],
    ),
    class(
        ('@', '@'),
        ["@ signs", "an @ sign", "an @ sign"],
        "знаки @",
        ["знака @", "знака @"],
        ["знаком @", "знаком @"],
    ),
    class(
        (':', ':'),
        ["colons", "a colon", "a colon"],
        "двоеточия",
        ["двоеточия", "двоеточия"],
        ["двоеточием", "двоеточием"],
    ),
    class(
        (' ', ' '),
        ["spaces", "a space", "a space"],
        "пробелы",
        ["пробела", "пробела"],
        ["пробелом", "пробелом"],
    ),
];

/// One item of a set in words: a named class, or characters shown quoted (a range `lo..=hi`).
enum Item {
    Named(&'static ClassWord),
    Quoted(char, char),
}

/// The set (sorted, disjoint inclusive ranges) as named classes and quoted rest.
fn cover(set: &[(char, char)]) -> Vec<Item> {
    let mut rest: Vec<(u32, u32)> = set.iter().map(|&(a, b)| (a as u32, b as u32)).collect();
    let mut items = Vec::new();
    for word in CLASS_WORDS {
        let (lo, hi) = (word.range.0 as u32, word.range.1 as u32);
        if rest.iter().any(|&(a, b)| a <= lo && hi <= b) {
            items.push(Item::Named(word));
            rest = rest
                .into_iter()
                .flat_map(|(a, b)| {
                    if b < lo || a > hi {
                        vec![(a, b)]
                    } else {
                        let mut left = Vec::new();
                        if a < lo {
                            left.push((a, lo - 1));
                        }
                        if b > hi {
                            left.push((hi + 1, b));
                        }
                        left
                    }
                })
                .collect();
        }
    }
    for (a, b) in rest {
        let c = |n: u32| char::from_u32(n).unwrap_or('\u{FFFD}');
        items.push(Item::Quoted(c(a), c(b)));
    }
    items
}

fn quoted(locale: Locale, lo: char, hi: char) -> String {
    let mut out = String::new();
    push_quoted_char(&mut out, locale, lo);
    if hi != lo {
        out.push('–');
        push_quoted_char(&mut out, locale, hi);
    }
    out
}

fn join(items: &[String], last: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { last } else { ", " });
        }
        out.push_str(item);
    }
    out
}

/// The words of one set, per locale `[en, ru]`.
fn set_words(
    set: &[(char, char)],
    pick: impl Fn(Locale, &ClassWord) -> &'static str,
    last: [&str; 2],
) -> [String; 2] {
    let items = cover(set);
    Locale::ALL.map(|locale| {
        let parts: Vec<String> = items
            .iter()
            .map(|item| match item {
                Item::Named(w) => pick(locale, w).to_owned(),
                Item::Quoted(lo, hi) => quoted(locale, *lo, *hi),
            })
            .collect();
        join(&parts, last[locale.index()])
    })
}

/// «со» before a word starting with с, з, ш or ж and a consonant (со строчной), else «с».
fn ru_with(next: &str) -> &'static str {
    let mut chars = next.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    if "сзшж".contains(first) && !"аеёиоуыэюя".contains(second) {
        "со "
    } else {
        "с "
    }
}

/// A pattern's words per locale (`[en, ru]`), for its generated `PatternShape`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeWords {
    /// What may appear: `lowercase Latin letters, digits, hyphens and underscores`.
    pub allowed: [String; 2],
    /// What the first character must be, for a violation: `a lowercase Latin letter` / `со
    /// строчной латинской буквы` (with its preposition).
    pub first: [String; 2],
    /// What the last character must be: `a lowercase Latin letter or a digit` / `строчной
    /// латинской буквой или цифрой`.
    pub last: [String; 2],
    /// The text's part about the first character (`starts with a letter`), or empty.
    pub starts: [String; 2],
    /// The text's part about the last character (`ends with a letter or a digit`), or empty.
    pub ends: [String; 2],
    /// The whole text: [`push_shape`] of the above.
    pub text: [String; 2],
}

/// The words of a pattern's shape: `empty` whether the empty value matches, `min`/`max` the
/// lengths of non-empty values, `all` the characters that may appear, `first`/`last` those
/// the value may start and end with (sorted, disjoint inclusive ranges).
pub fn shape_words(
    (empty, min, max): (bool, i128, Option<i128>),
    all: &[(char, char)],
    first: &[(char, char)],
    last: &[(char, char)],
) -> ShapeWords {
    let allowed = set_words(
        all,
        |l, w| match l {
            Locale::En => w.en_many,
            Locale::Ru => w.ru_many,
        },
        [" and ", " и "],
    );
    // Short names ("a letter") in texts, unless two classes of the set would share one.
    let items = cover(all);
    let shorts: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Named(w) => Some(w.en_short),
            Item::Quoted(..) => None,
        })
        .collect();
    let short = !shorts
        .iter()
        .enumerate()
        .any(|(i, s)| shorts[..i].contains(s));
    let genitive = |set: &[(char, char)], short: bool| {
        let words = set_words(
            set,
            |l, w| match l {
                Locale::En if short => w.en_short,
                Locale::En => w.en_one,
                Locale::Ru => w.ru_gen[usize::from(short)],
            },
            [" or ", " или "],
        );
        let [en, ru] = words;
        let ru = format!("{}{ru}", ru_with(&ru));
        [en, ru]
    };
    let ins = |set: &[(char, char)], short: bool| {
        set_words(
            set,
            |l, w| match l {
                Locale::En if short => w.en_short,
                Locale::En => w.en_one,
                Locale::Ru => w.ru_ins[usize::from(short)],
            },
            [" or ", " или "],
        )
    };
    let (first_full, last_full) = (genitive(first, false), ins(last, false));
    let mut starts = [String::new(), String::new()];
    let mut ends = [String::new(), String::new()];
    if first != all {
        let [en, ru] = genitive(first, short);
        starts = [format!("starts with {en}"), format!("начинается {ru}")];
    }
    if last != all {
        let [en, ru] = ins(last, short);
        ends = [format!("ends with {en}"), format!("заканчивается {ru}")];
    }
    let text = Locale::ALL.map(|l| {
        let i = l.index();
        let mut out = String::new();
        push_shape(
            &mut out,
            l,
            (empty, min, max),
            [&allowed[i], &starts[i], &ends[i]],
        );
        out
    });
    ShapeWords {
        allowed,
        first: first_full,
        last: last_full,
        starts,
        ends,
        text,
    }
}
