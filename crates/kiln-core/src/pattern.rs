//! Whole-value matching of `(pattern)` rules with DFAs compiled at build time
//! (`build/pattern_gen.rs`), so no regex engine ships to the browser: one binary search over the
//! pattern's character intervals and one table look-up per character.
//!
//! Each pattern also carries its shape ([`PatternShape`]), read from the DFA and verified at
//! build time to accept exactly the pattern's values (`build/pattern_words.rs`): its texts in
//! every locale, and what a violation needs to say what is wrong ([`Pattern::diagnose`]).

use crate::locale::Locale;

/// A `(pattern)` rule: its source and its DFA. State 0 is dead, state 1 the start.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern as written in the `.proto` file (after proto string unescaping).
    pub source: &'static str,
    /// The character class of each ASCII character (the common case, without a search).
    pub ascii: &'static [u8; 128],
    /// Sorted first characters of the alphabet's intervals (`starts[0]` is `'\0'`).
    pub starts: &'static [char],
    /// The character class of each interval.
    pub classes: &'static [u8],
    /// Number of classes: the row width of `next`.
    pub width: usize,
    /// Transitions: `next[state * width + class]`.
    pub next: &'static [u16],
    /// Whether the value matches when it ends in this state.
    pub accepting: &'static [bool],
    /// The pattern's values described: lengths, characters, first and last characters.
    pub shape: PatternShape,
}

/// A pattern's values as a shape: the empty value or not, a length range, the characters that
/// may appear and those a value may start and end with. Equal to the pattern (checked at build
/// time), so a value that does not match breaks one of these.
///
/// Per-locale tables are indexed by [`Locale::index`] (`[en, ru]`).
#[derive(Debug)]
pub struct PatternShape {
    /// The empty value matches.
    pub empty: bool,
    /// Characters of the shortest non-empty value (0 when only the empty value matches).
    pub min: usize,
    /// Characters of the longest value; `None` when unbounded.
    pub max: Option<usize>,
    /// Characters that may appear, sorted disjoint inclusive ranges.
    pub chars: &'static [(char, char)],
    /// Characters a non-empty value may start with.
    pub first: &'static [(char, char)],
    /// Characters a non-empty value may end with.
    pub last: &'static [(char, char)],
    /// The whole shape in words: `empty, or 1–63 characters: lowercase Latin letters, digits,
    /// hyphens and underscores; starts with a letter; ends with a letter or a digit`.
    pub text: [&'static str; 2],
    /// The characters that may appear: `lowercase Latin letters, digits, hyphens and
    /// underscores`.
    pub allowed: [&'static str; 2],
    /// What a value must start with: `a lowercase Latin letter` (Russian with its preposition:
    /// `со строчной латинской буквы`).
    pub first_words: [&'static str; 2],
    /// What a value must end with: `a lowercase Latin letter or a digit`.
    pub last_words: [&'static str; 2],
    /// The text's part about the first character (`starts with a letter`), or empty.
    pub starts: [&'static str; 2],
    /// The text's part about the last character (`ends with a letter or a digit`), or empty.
    pub ends: [&'static str; 2],
}

/// Why a value does not match its pattern, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnosis {
    /// The value has a character outside [`PatternShape::chars`] (the first such one).
    Char(char),
    /// The value's length (in characters) is outside the pattern's lengths.
    Length(usize),
    /// The first character is not in [`PatternShape::first`].
    First,
    /// The last character is not in [`PatternShape::last`].
    Last,
}

fn contains(set: &[(char, char)], c: char) -> bool {
    set.iter().any(|&(lo, hi)| lo <= c && c <= hi)
}

impl PatternShape {
    /// The shape in words.
    pub fn text(&self, locale: Locale) -> &'static str {
        self.text[locale.index()]
    }

    /// Whether `n` characters is an allowed length.
    pub fn allows_length(&self, n: usize) -> bool {
        if n == 0 {
            self.empty
        } else {
            n >= self.min && self.max.is_none_or(|m| n <= m)
        }
    }

    /// `(empty allowed, min, max)` as the words of `crate::text` take them.
    pub fn lengths(&self) -> (bool, i128, Option<i128>) {
        (self.empty, self.min as i128, self.max.map(|m| m as i128))
    }
}

impl Pattern {
    /// Whether the whole of `text` matches the pattern.
    pub fn is_match(&self, text: &str) -> bool {
        let mut state = 1usize;
        for c in text.chars() {
            let class = match self.ascii.get(c as usize) {
                Some(&class) => class,
                None => self.classes[self.starts.partition_point(|&start| start <= c) - 1],
            };
            state = usize::from(self.next[state * self.width + usize::from(class)]);
            if state == 0 {
                return false;
            }
        }
        self.accepting[state]
    }

    /// Why `text` does not match, or `None` when it does: a character that may not appear, a
    /// wrong length, a wrong first or last character. Because the shape equals the pattern,
    /// exactly the values [`Pattern::is_match`] refuses get a diagnosis.
    pub fn diagnose(&self, text: &str) -> Option<Diagnosis> {
        let shape = &self.shape;
        let mut n = 0;
        for c in text.chars() {
            if !contains(shape.chars, c) {
                return Some(Diagnosis::Char(c));
            }
            n += 1;
        }
        if !shape.allows_length(n) {
            return Some(Diagnosis::Length(n));
        }
        let first = text.chars().next()?;
        if !contains(shape.first, first) {
            return Some(Diagnosis::First);
        }
        let last = text.chars().next_back()?;
        if !contains(shape.last, last) {
            return Some(Diagnosis::Last);
        }
        None
    }
}
