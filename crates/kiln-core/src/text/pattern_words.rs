//! The words of patterns: the names of character classes, quoted characters, and a pattern's
//! shape as a text. Compiled into the build script too (through `#[path]`, with `numbers.rs`),
//! which renders each pattern's words with [`shape_words`] at build time: the run time and the
//! build time share one vocabulary. Only this file and `numbers.rs` are part of the build
//! script, so rewording any other text does not rerun code generation.

use super::numbers::{CHARACTERS, push_int, words};
use crate::locale::Locale;

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
