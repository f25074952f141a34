//! The build script's pattern describer (`build/pattern_words.rs`, compiled in here as it is
//! into `build.rs`): it describes every pattern in `proto/` exactly, in both languages, and
//! refuses patterns whose values are not a shape.

use std::{fs, path::Path};

use crate::{locale::Locale, pattern_words::describe_source};

/// Every `(pattern)` and `(map_key).pattern` string in `proto/`, unescaped as protobuf does
/// (`\\` is one backslash).
fn proto_patterns() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                files.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for marker in ["(pattern) = \"", ".pattern = \""] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let mut value = String::new();
                let mut chars = rest.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => value.push(chars.next().unwrap()),
                        c => value.push(c),
                    }
                }
                if !found.contains(&value) {
                    found.push(value);
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_pattern_in_proto_is_described_in_both_languages() {
    let patterns = proto_patterns();
    assert_eq!(
        patterns,
        [
            "[-_./\\@0-9a-z]*",
            "[a-z][-_./\\@0-9a-z]*",
            "[a-z][-_0-9a-z]*",
            "|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?",
            "|[a-z][-a-z0-9]{1,61}[a-z0-9]",
        ],
        "the patterns of proto/ changed: check their texts below"
    );
    for source in &patterns {
        let shape = describe_source(source).unwrap_or_else(|e| panic!("{e}"));
        let [en, ru] = &shape.words.text;
        assert!(!en.is_empty() && !ru.is_empty(), "{source}");
        assert_ne!(en, ru, "{source}");
        assert!(en.is_ascii() || en.contains('–'), "{source}: {en}");
        assert!(ru.contains("символ"), "{source}: {ru}");
        for words in [&shape.words.allowed, &shape.words.first, &shape.words.last] {
            assert!(
                !words[0].is_empty() && words[0] != words[1],
                "{source}: {words:?}"
            );
        }
    }
}

fn texts(source: &str) -> [String; 2] {
    describe_source(source)
        .unwrap_or_else(|e| panic!("{e}"))
        .words
        .text
}

#[test]
fn the_patterns_of_proto_read_as_their_rules() {
    let check = |source: &str, en: &str, ru: &str| {
        assert_eq!(texts(source), [en.to_owned(), ru.to_owned()], "{source}");
    };
    check(
        "|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?",
        "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; \
         starts with a letter; ends with a letter or a digit",
        "пусто или от 1 до 63 символов: строчные латинские буквы, цифры, дефисы и \
         знаки подчёркивания; начинается с буквы; заканчивается буквой или цифрой",
    );
    check(
        "|[a-z][-a-z0-9]{1,61}[a-z0-9]",
        "empty, or 3–63 characters: lowercase Latin letters, digits and hyphens; starts with \
         a letter; ends with a letter or a digit",
        "пусто или от 3 до 63 символов: строчные латинские буквы, цифры и дефисы; начинается \
         с буквы; заканчивается буквой или цифрой",
    );
    check(
        "[-_./\\@0-9a-z]*",
        "any number of characters: lowercase Latin letters, digits, hyphens, underscores, \
         dots, slashes and @ signs",
        "любое число символов: строчные латинские буквы, цифры, дефисы, знаки подчёркивания, точки, \
         косые черты и знаки @",
    );
    check(
        "[a-z][-_./\\@0-9a-z]*",
        "1 or more characters: lowercase Latin letters, digits, hyphens, underscores, dots, \
         slashes and @ signs; starts with a letter",
        "не менее 1 символа: строчные латинские буквы, цифры, дефисы, знаки подчёркивания, точки, \
         косые черты и знаки @; начинается с буквы",
    );
}

#[test]
fn other_shapes_are_described_exactly() {
    let check = |source: &str, en: &str| {
        assert_eq!(texts(source)[0], en, "{source}");
    };
    check("[a-f0-9]{8}", "8 characters: digits and “a”–“f”");
    check("x?", "empty, or 1 character: “x”");
    check(
        "[A-Za-z]+",
        "1 or more characters: lowercase Latin letters and uppercase Latin letters",
    );
    check("", "empty");
    check("[a-z]{2,21}", "2–21 characters: lowercase Latin letters");
    assert_eq!(
        texts("[a-z]{2,21}")[1],
        "от 2 до 21 символа: строчные латинские буквы"
    );
    assert_eq!(
        texts("[a-z]{3}")[1],
        "ровно 3 символа: строчные латинские буквы"
    );
    assert_eq!(
        texts("[a-z]{5}")[1],
        "ровно 5 символов: строчные латинские буквы"
    );
    assert_eq!(
        texts("[a-z]")[1],
        "ровно 1 символ: строчные латинские буквы"
    );
    // A space has a name; a control character is shown by its code point.
    check("[ a]*", "any number of characters: spaces and “a”");
    check("[\\t]", "1 character: U+0009");
    // The first and last character sets together with a length of 1.
    check(
        "[ab]|[ab][ab0-9]*[ab]",
        "1 or more characters: digits and “a”–“b”; starts with “a”–“b”; ends with “a”–“b”",
    );
}

#[test]
fn patterns_that_are_not_a_shape_fail_with_their_name() {
    for source in [
        "ab|cd",
        "(ab)+",
        "a|bc",
        "[a-z]{2}|[0-9]{3}",
        "a[0-9]*a|b",
        "(?:ab)*",
        "a{2}|a{4}",
    ] {
        let error = describe_source(source).expect_err(source);
        assert!(error.contains(&format!("{source:?}")), "{source}: {error}");
        assert!(
            error.contains("cannot be put into words exactly"),
            "{source}: {error}"
        );
    }
    // The build script's entry point (what `schema_gen` turns into a failed build, naming the
    // field) refuses them the same way, and takes the ones that are shapes.
    let error = crate::pattern_gen::pattern_expr("ab|cd").expect_err("ab|cd");
    assert!(
        error.contains("\"ab|cd\" cannot be put into words exactly"),
        "{error}"
    );
    let expr = crate::pattern_gen::pattern_expr("[a-z]+").unwrap();
    assert!(
        expr.contains("PatternShape { empty: false, min: 1, max: None"),
        "{expr}"
    );
    // What the compiler does not support is refused too, naming why.
    assert!(describe_source("\\bword").is_err());
    // A pattern that matches nothing (its empty class is refused by the compiler already).
    assert!(describe_source("[a&&b]").is_err());
}

#[test]
fn the_describer_shares_the_librarys_locales() {
    assert_eq!(Locale::ALL.len(), 2);
    let shape = describe_source("|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?").unwrap();
    assert_eq!((shape.empty, shape.min, shape.max), (true, 1, Some(63)));
    assert_eq!(shape.first, [('a', 'z')]);
    assert_eq!(shape.last, [('0', '9'), ('a', 'z')]);
    assert_eq!(shape.all, [('-', '-'), ('0', '9'), ('_', '_'), ('a', 'z')]);
}
