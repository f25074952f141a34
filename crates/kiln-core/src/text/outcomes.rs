//! The error outcomes: input that is not JSON, not an object, names no message, or (a decoded
//! message) has no proto3 JSON form.

use super::numbers::{push_int, words};
use crate::locale::Locale;

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
