//! Whole-value matching of `(pattern)` rules with NFAs compiled at build time
//! (`build/pattern_gen.rs`), so no regex engine ships to the browser.

/// One state of a compiled pattern.
#[derive(Debug)]
pub enum State {
    /// Consume one character inside any of the inclusive ranges, then go to the state.
    Char(&'static [(char, char)], u16),
    /// Continue in both states.
    Split(u16, u16),
    /// Zero-width: at the start (`true`) or the end (`false`) of the value.
    Assert(bool, u16),
    /// The value matches if this state is live after its last character.
    Match,
}

/// A `(pattern)` rule: its source and its NFA.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern as written in the `.proto` file (after proto string unescaping).
    pub source: &'static str,
    /// Entry state.
    pub start: u16,
    /// The NFA.
    pub states: &'static [State],
}

impl Pattern {
    /// Whether the whole of `text` matches the pattern.
    pub fn is_match(&self, text: &str) -> bool {
        let n = self.states.len();
        let mut current = vec![false; n];
        let mut next = vec![false; n];
        let mut stack = Vec::new();
        self.close(self.start, true, text.is_empty(), &mut current, &mut stack);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let at_end = chars.peek().is_none();
            next.iter_mut().for_each(|live| *live = false);
            let mut any = false;
            for (i, state) in self.states.iter().enumerate() {
                if let (true, State::Char(ranges, to)) = (current[i], state)
                    && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
                {
                    self.close(*to, false, at_end, &mut next, &mut stack);
                    any = true;
                }
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
            .iter()
            .zip(self.states)
            .any(|(&live, s)| live && matches!(s, State::Match))
    }

    /// Marks `from` and every state reachable without consuming a character.
    fn close(
        &self,
        from: u16,
        at_start: bool,
        at_end: bool,
        live: &mut [bool],
        stack: &mut Vec<u16>,
    ) {
        stack.push(from);
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut live[usize::from(i)], true) {
                continue;
            }
            match self.states[usize::from(i)] {
                State::Split(a, b) => stack.extend([b, a]),
                State::Assert(start, to) if (start && at_start) || (!start && at_end) => {
                    stack.push(to)
                }
                _ => {}
            }
        }
    }
}
