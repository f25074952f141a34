//! The core's words: locales, the messages of each rule in English and Russian, the pattern
//! diagnoses (checked against the DFA at random), the oneof glossary, Russian plurals.

use kiln_core::{
    Locale,
    describe::describe_rules_in,
    schema::{self, Pattern},
    text::{self, Plural, ru_plural},
    validate::{CREATE_IMAGE_REQUEST, Outcome, validate_str_in},
};

/// `(field, message)` of each violation of `json` in `locale`.
fn messages(json: &str, locale: Locale) -> Vec<(String, String, String)> {
    match validate_str_in(CREATE_IMAGE_REQUEST, json, locale) {
        Outcome::Invalid { violations } => violations
            .into_iter()
            .map(|v| (v.field, v.rule.as_str().to_owned(), v.message))
            .collect(),
        other => panic!("{json}: {other:?}"),
    }
}

/// The message of the violation at `field` in English and in Russian.
fn check(json: &str, field: &str, rule: &str, en: &str, ru: &str) {
    for (locale, want) in [(Locale::En, en), (Locale::Ru, ru)] {
        let found = messages(json, locale);
        let got = found
            .iter()
            .find(|(f, r, _)| f == field && r == rule)
            .unwrap_or_else(|| panic!("{json}: no {rule} at {field} in {found:?}"));
        assert_eq!(got.2, want, "{json} ({locale:?})");
    }
}

const SOURCE: &str = r#""imageId": "fd8image""#;

#[test]
fn a_name_says_what_is_wrong_with_it() {
    let name = |name: &str| format!(r#"{{"folderId": "b1g", "name": "{name}", {SOURCE}}}"#);
    check(
        &name(&"a".repeat(70)),
        "name",
        "pattern",
        "must be at most 63 characters long (it has 70)",
        "должно содержать не более 63 символов (сейчас 70)",
    );
    check(
        &name("Web"),
        "name",
        "pattern",
        "may only contain lowercase Latin letters, digits, hyphens and underscores (it has “W”)",
        "может содержать только строчные латинские буквы, цифры, дефисы и знаки подчёркивания \
         (встречается «W»)",
    );
    check(
        &name("1web"),
        "name",
        "pattern",
        "must start with a lowercase Latin letter",
        "должно начинаться со строчной латинской буквы",
    );
    check(
        &name("web-"),
        "name",
        "pattern",
        "must end with a lowercase Latin letter or a digit",
        "должно заканчиваться строчной латинской буквой или цифрой",
    );
    check(
        &name("web server"),
        "name",
        "pattern",
        "may only contain lowercase Latin letters, digits, hyphens and underscores (it has a space)",
        "может содержать только строчные латинские буквы, цифры, дефисы и знаки подчёркивания \
         (встречается пробел)",
    );
    check(
        &name("web\\tserver"),
        "name",
        "pattern",
        "may only contain lowercase Latin letters, digits, hyphens and underscores (it has U+0009)",
        "может содержать только строчные латинские буквы, цифры, дефисы и знаки подчёркивания \
         (встречается U+0009)",
    );
    let family = |family: &str| format!(r#"{{"folderId": "b1g", "family": "{family}", {SOURCE}}}"#);
    check(
        &family("ab"),
        "family",
        "pattern",
        "must be empty or at least 3 characters long (it has 2)",
        "должно быть пустым или содержать не менее 3 символов (сейчас 2)",
    );
    check(
        &family("a"),
        "family",
        "pattern",
        "must be empty or at least 3 characters long (it has 1)",
        "должно быть пустым или содержать не менее 3 символов (сейчас 1)",
    );
}

#[test]
fn each_rule_reads_in_both_languages() {
    check(
        r#"{"folderId": "b1g"}"#,
        "source",
        "exactly_one",
        "choose a source: an image, a disk, a snapshot or a URI",
        "выберите источник: образ, диск, снимок или URI",
    );
    check(
        r#"{"folderId": "b1g", "imageId": "i", "uri": "https://x"}"#,
        "source",
        "exactly_one",
        "only one source may be set, but an image and a URI are set",
        "источник: можно задать только один вариант, а заданы образ и URI",
    );
    check(
        r#"{"folderId": "b1g", "imageId": "i", "diskId": "d", "uri": "https://x"}"#,
        "source",
        "exactly_one",
        "only one source may be set, but an image, a disk and a URI are set",
        "источник: можно задать только один вариант, а заданы образ, диск и URI",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "labels": {{"Team": "web"}}, {SOURCE}}}"#),
        "labels[\"Team\"]",
        "map_key.pattern",
        "key may only contain lowercase Latin letters, digits, hyphens, underscores, dots, \
         slashes and @ signs (it has “T”)",
        "ключ может содержать только строчные латинские буквы, цифры, дефисы, знаки подчёркивания, \
         точки, косые черты и знаки @ (встречается «T»)",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "labels": {{"9x": "web"}}, {SOURCE}}}"#),
        "labels[\"9x\"]",
        "map_key.pattern",
        "key must start with a lowercase Latin letter",
        "ключ должен начинаться со строчной латинской буквы",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "labels": {{"": "web"}}, {SOURCE}}}"#),
        "labels[\"\"]",
        "map_key.length",
        "key must be between 1 and 63 characters long (it has 0)",
        "ключ должен содержать от 1 до 63 символов (сейчас 0)",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "minDiskSize": 1024, {SOURCE}}}"#),
        "min_disk_size",
        "value",
        "must be between 4194304 and 4398046511104 (it is 1024)",
        "должно быть от 4194304 до 4398046511104 (сейчас 1024)",
    );
    check(
        &format!(r#"{{"folderId": "{}", {SOURCE}}}"#, "f".repeat(51)),
        "folder_id",
        "length",
        "must be at most 50 characters long (it has 51)",
        "должно содержать не более 50 символов (сейчас 51)",
    );
    check(
        &format!(r#"{{{SOURCE}}}"#),
        "folder_id",
        "required",
        "is required",
        "обязательное поле",
    );
    let labels: Vec<String> = (0..65).map(|i| format!(r#""k{i}": """#)).collect();
    check(
        &format!(
            r#"{{"folderId": "b1g", "labels": {{{}}}, {SOURCE}}}"#,
            labels.join(",")
        ),
        "labels",
        "size",
        "must have at most 64 entries (it has 65)",
        "должно содержать не более 64 элементов (сейчас 65)",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "pooled": "yes", {SOURCE}}}"#),
        "pooled",
        "type",
        "must be true or false",
        "должно быть true или false",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "colour": 1, {SOURCE}}}"#),
        "colour",
        "unknown_field",
        "is not a field of CreateImageRequest",
        "не является полем CreateImageRequest",
    );
    check(
        &format!(r#"{{"folderId": "b1g", "os": {{"type": "BSD"}}, {SOURCE}}}"#),
        "os.type",
        "enum",
        "must be one of TYPE_UNSPECIFIED, LINUX, WINDOWS",
        "должно быть одним из значений: TYPE_UNSPECIFIED, LINUX, WINDOWS",
    );
}

#[test]
fn error_outcomes_read_in_both_languages() {
    let error =
        |json: &str, message: &str, locale: Locale| match validate_str_in(message, json, locale) {
            Outcome::Error { error } => error,
            other => panic!("{json}: {other:?}"),
        };
    let cases = [
        (
            "{\"folderId\" 1}",
            CREATE_IMAGE_REQUEST,
            "input is not valid JSON: expected ':' at line 1 column 13",
            "входные данные не являются корректным JSON: ожидалось «:» (строка 1, столбец 13)",
        ),
        (
            "[1]",
            CREATE_IMAGE_REQUEST,
            "input must be a JSON object, got an array",
            "входные данные должны быть объектом JSON, а не массивом",
        ),
        (
            "{}",
            "yandex.cloud.Nope",
            "unknown message \"yandex.cloud.Nope\"",
            "неизвестное сообщение \"yandex.cloud.Nope\"",
        ),
    ];
    for (json, message, en, ru) in cases {
        assert_eq!(error(json, message, Locale::En), en);
        assert_eq!(error(json, message, Locale::Ru), ru);
    }
}

#[test]
fn locales_from_tags_and_posix_names() {
    for (tag, want) in [
        ("ru", Some(Locale::Ru)),
        ("RU", Some(Locale::Ru)),
        ("ru-RU", Some(Locale::Ru)),
        ("ru_RU.UTF-8", Some(Locale::Ru)),
        ("ru_UA@euro", Some(Locale::Ru)),
        ("en", Some(Locale::En)),
        ("en-US", Some(Locale::En)),
        ("en_GB.utf8", Some(Locale::En)),
        ("C", Some(Locale::En)),
        ("C.UTF-8", Some(Locale::En)),
        ("POSIX", Some(Locale::En)),
        ("", None),
        ("de", None),
        ("fr-FR", None),
        ("rus", None),
        ("C-RU", None),
    ] {
        assert_eq!(Locale::from_tag(tag), want, "{tag:?}");
    }
    for locale in Locale::ALL {
        assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
    }
    assert_eq!(Locale::default(), Locale::En);
}

#[test]
fn russian_plurals() {
    let forms: Vec<Plural> = [
        0, 1, 2, 4, 5, 11, 12, 14, 15, 21, 22, 25, 101, 111, 112, 122,
    ]
    .map(ru_plural)
    .to_vec();
    use Plural::{Few, Many, One};
    assert_eq!(
        forms,
        [
            Many, One, Few, Few, Many, Many, Many, Many, Many, One, Few, Many, One, Many, Many, Few
        ]
    );
    let length = |max: i128, n: i128| {
        let mut out = String::new();
        let range = text::Range {
            min: None,
            max: Some(max),
        };
        text::push_length(&mut out, Locale::Ru, text::Subject::Value, &[range], n);
        out
    };
    assert_eq!(
        length(1, 2),
        "должно содержать не более 1 символа (сейчас 2)"
    );
    assert_eq!(
        length(21, 22),
        "должно содержать не более 21 символа (сейчас 22)"
    );
    assert_eq!(
        length(11, 12),
        "должно содержать не более 11 символов (сейчас 12)"
    );
    assert_eq!(
        length(4, 5),
        "должно содержать не более 4 символов (сейчас 5)"
    );
    let exactly = |n: i128| {
        let mut out = String::new();
        let range = text::Range {
            min: Some(n),
            max: Some(n),
        };
        text::push_limit(&mut out, Locale::Ru, &[range], Some(&text::ELEMENTS));
        out
    };
    assert_eq!(exactly(1), "ровно 1 элемент");
    assert_eq!(exactly(3), "ровно 3 элемента");
    assert_eq!(exactly(5), "ровно 5 элементов");
    assert_eq!(exactly(21), "ровно 21 элемент");
}

/// Names of oneofs and members that have no glossary term, so their messages show the proto
/// name: listed here so a new one is seen, not silently shown raw.
#[test]
fn oneof_names_without_a_glossary_term() {
    let mut fallback: Vec<&str> = Vec::new();
    for m in schema::messages() {
        for oneof in m.oneofs {
            let names =
                std::iter::once(oneof.name).chain(oneof.members.iter().map(|&i| m.fields[i].name));
            for name in names {
                if text::term_for(name).is_none() && !fallback.contains(&name) {
                    fallback.push(name);
                }
            }
        }
    }
    fallback.sort();
    assert_eq!(
        fallback,
        ["features", "generation2_features", "legacy_features"]
    );
}

fn patterns() -> Vec<&'static Pattern> {
    let mut found: Vec<&'static Pattern> = Vec::new();
    for m in schema::messages() {
        for f in m.fields {
            for p in [f.rules.pattern, f.rules.map_key_pattern]
                .into_iter()
                .flatten()
            {
                if !found.iter().any(|x| x.source == p.source) {
                    found.push(p);
                }
            }
        }
    }
    found
}

/// Because each shape is verified equal to its pattern, every value the DFA refuses has a
/// diagnosis and every value it accepts has none: exhaustively on short values, at random
/// (seeded) on values up to 80 characters.
#[test]
fn every_refused_value_has_a_diagnosis() {
    const ALPHABET: [char; 16] = [
        'a', 'm', 'z', 'A', '0', '9', '-', '_', '.', '/', '@', '\\', ' ', 'д', '😀', '\n',
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let all = patterns();
    assert_eq!(all.len(), 5);
    let (mut refused, mut accepted) = (0, 0);
    for pattern in all {
        let mut values = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = values
                .iter()
                .flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}")))
                .collect();
            values.extend(longer);
        }
        for _ in 0..20_000 {
            let len = (random() % 81) as usize;
            // Mostly characters the pattern allows, so long values reach the length limits.
            let value: String = (0..len)
                .map(|_| {
                    let r = random();
                    if r % 16 == 0 {
                        ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                    } else {
                        ALPHABET[(r >> 8) as usize % 3]
                    }
                })
                .collect();
            values.push(value);
        }
        for value in &values {
            let diagnosis = pattern.diagnose(value);
            assert_eq!(
                pattern.is_match(value),
                diagnosis.is_none(),
                "{:?} on {value:?}: {diagnosis:?}",
                pattern.source
            );
            if diagnosis.is_some() {
                refused += 1;
            } else {
                accepted += 1;
            }
        }
    }
    assert!(
        refused > 10_000 && accepted > 10_000,
        "{refused} refused, {accepted} accepted"
    );
}

#[test]
fn rules_for_forms_in_both_languages() {
    let field = |locale: Locale, path: &str| {
        let rules = describe_rules_in(CREATE_IMAGE_REQUEST, locale).unwrap();
        rules.fields.into_iter().find(|f| f.path == path).unwrap()
    };
    let name = field(Locale::En, "name");
    assert_eq!(
        name.pattern,
        Some("|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?"),
        "the machine limit stays"
    );
    assert_eq!(
        name.text,
        "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; \
         starts with a letter; ends with a letter or a digit"
    );
    assert_eq!(name.hints, std::slice::from_ref(&name.text));
    let labels = field(Locale::En, "labels");
    assert_eq!(
        labels.text,
        "at most 64 entries; keys: 1–63 characters: lowercase Latin letters, digits, hyphens, \
         underscores, dots, slashes and @ signs; starts with a letter; values: empty, or 1–63 \
         characters: lowercase Latin letters, digits, hyphens, underscores, dots, slashes and @ \
         signs"
    );
    let labels_ru = field(Locale::Ru, "labels");
    assert_eq!(
        labels_ru.text,
        "не более 64 элементов; ключи: от 1 до 63 символов: строчные латинские буквы, цифры, \
         дефисы, знаки подчёркивания, точки, косые черты и знаки @; начинается с буквы; значения: \
         пусто или от 1 до 63 символов: строчные латинские буквы, цифры, дефисы, знаки подчёркивания, \
         точки, косые черты и знаки @"
    );
    assert_eq!(labels_ru.map_key_pattern, labels.map_key_pattern);
    assert_eq!(
        field(Locale::En, "folder_id").text,
        "required; at most 50 characters"
    );
    assert_eq!(
        field(Locale::Ru, "folder_id").text,
        "обязательное поле; не более 50 символов"
    );
    assert_eq!(
        field(Locale::Ru, "min_disk_size").text,
        "от 4194304 до 4398046511104 (0 — не задано)"
    );
    assert_eq!(
        field(Locale::En, "description").text,
        "at most 256 characters"
    );
    assert_eq!(field(Locale::En, "pooled").text, "");
    let rules = describe_rules_in(CREATE_IMAGE_REQUEST, Locale::Ru).unwrap();
    let source = rules.oneofs.iter().find(|o| o.path == "source").unwrap();
    assert_eq!(
        source.text,
        "выберите источник: образ, диск, снимок или URI"
    );
    // Every field with a rule has a text in each language, and they differ.
    let (en, ru) = (
        describe_rules_in(CREATE_IMAGE_REQUEST, Locale::En).unwrap(),
        rules,
    );
    for (a, b) in en.fields.iter().zip(&ru.fields) {
        assert_eq!(a.path, b.path);
        assert_eq!(a.text.is_empty(), a.hints.is_empty(), "{}", a.path);
        if !a.text.is_empty() {
            assert_ne!(a.text, b.text, "{}", a.path);
        }
    }
    // The JSON form carries the texts.
    let json: serde_json::Value = serde_json::from_str(&ru.to_json()).unwrap();
    assert_eq!(json, serde_json::to_value(&ru).unwrap());
    assert_eq!(
        json["oneofs"][0]["text"],
        "выберите источник: образ, диск, снимок или URI"
    );
}
