//! Whole-value matching of `(pattern)` rules with DFAs compiled at build time
//! (`build/pattern_gen.rs`), so no regex engine ships to the browser: one binary search over the
//! pattern's character intervals and one table look-up per character.

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
}
