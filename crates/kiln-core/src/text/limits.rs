//! Numeric limits in words (`at most 50`, `от 1 до 63 символов`), for violations and hints.

use super::numbers::{Noun, push_int};
use crate::locale::Locale;

/// An inclusive range; `None` is unbounded.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// Lowest allowed value.
    pub min: Option<i128>,
    /// Highest allowed value.
    pub max: Option<i128>,
}

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
