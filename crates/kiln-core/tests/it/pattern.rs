//! The build-time NFAs of `(pattern)` rules agree with a real regex engine (regex-lite, test
//! only) on short strings exhaustively and on long ones at random.

use kiln_core::schema::{self, Pattern};

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

const ALPHABET: [char; 14] = [
    'a', 'z', 'A', '0', '9', '-', '_', '.', '/', '@', '\\', ' ', 'д', '😀',
];

fn agree(pattern: &Pattern, reference: &regex_lite::Regex, text: &str) {
    assert_eq!(
        pattern.is_match(text),
        reference.is_match(text),
        "pattern {:?} on {text:?}",
        pattern.source
    );
}

#[test]
fn nfa_agrees_with_regex_engine() {
    let all = patterns();
    assert!(all.len() >= 4, "{all:?}");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for pattern in all {
        let reference = regex_lite::Regex::new(&format!("^(?:{})$", pattern.source)).unwrap();
        let mut short = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = short
                .iter()
                .flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}")))
                .collect();
            short.extend(longer);
        }
        short.sort();
        short.dedup();
        for text in &short {
            agree(pattern, &reference, text);
        }
        for _ in 0..3000 {
            let len = 55 + (random() % 12) as usize;
            // Mostly lowercase letters and digits, so long matches happen too.
            let text: String = (0..len)
                .map(|_| match random() % 40 {
                    0 => ALPHABET[(random() % ALPHABET.len() as u64) as usize],
                    r => (b'a' + (r % 26) as u8) as char,
                })
                .collect();
            agree(pattern, &reference, &text);
        }
    }
}

#[test]
fn examples() {
    let create = schema::message("yandex.cloud.compute.v1.CreateImageRequest").unwrap();
    let name = create.field("name").unwrap().rules.pattern.unwrap();
    assert!(name.is_match(""));
    assert!(name.is_match("a"));
    assert!(name.is_match(&format!("a{}", "b".repeat(62))));
    assert!(!name.is_match(&format!("a{}", "b".repeat(63))));
    assert!(!name.is_match("web-"));
    assert!(!name.is_match("web\n"));
    let key = create
        .field("labels")
        .unwrap()
        .rules
        .map_key_pattern
        .unwrap();
    assert!(key.is_match("a.b/c@d_e-f"));
    assert!(!key.is_match("a\\b"));
    assert!(!key.is_match(""));
}
