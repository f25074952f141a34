//! Numbers and counted nouns, shared by every text and by the build script's pattern words:
//! [`push_int`] (decimal without `core::fmt`), Russian plural forms ([`ru_plural`]) and the
//! nouns a number counts ([`CHARACTERS`], [`ELEMENTS`], [`ENTRIES`]).

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
    pub(super) en_one: &'static str,
    pub(super) en_many: &'static str,
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
    pub(super) fn en(&self, n: i128) -> &'static str {
        if n == 1 { self.en_one } else { self.en_many }
    }

    /// Russian after a numeral in the nominative (`ровно 3 символа`).
    pub(super) fn ru_count(&self, n: i128) -> &'static str {
        match ru_plural(n) {
            Plural::One => self.ru[0],
            Plural::Few => self.ru[1],
            Plural::Many => self.ru[2],
        }
    }

    /// Russian after a numeral in the genitive (`не более 21 символа`, `до 63 символов`).
    pub(super) fn ru_gen(&self, n: i128) -> &'static str {
        if ru_plural(n) == Plural::One {
            self.ru_gen[0]
        } else {
            self.ru_gen[1]
        }
    }
}
