//! Compiles a `(pattern)` at build time into a DFA over Unicode scalar values, emitted as static
//! tables that `kiln_core::pattern` runs: regex-syntax (the `regex` crate's parser) parses, a
//! Thompson NFA is built from its HIR, and subset construction turns it into a DFA whose input
//! alphabet is the pattern's character classes. The browser gets a ten-line matcher and one
//! table look-up per character instead of a regex engine.
//!
//! The DFA matches the whole value: the caller runs it from the first character to the last.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// One NFA state, as it will be written into the generated Rust source.
enum State {
    /// Consume one character inside any of the ranges, then go to `next`.
    Char(Vec<(char, char)>, usize),
    /// Epsilon to both.
    Split(usize, usize),
    /// Zero-width: at the start (`true`) or end (`false`) of the value.
    Assert(bool, usize),
    /// Accept.
    Match,
}

/// The DFA of `source` (whole-value match), or why it cannot be compiled.
pub fn dfa(source: &str) -> Result<Dfa, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let mut states = vec![State::Match];
    let start = compile(&hir, 0, &mut states)?;
    Ok(Dfa::build(&states, start))
}

/// Rust expression of a `Pattern` for `source`, or why it cannot be compiled or put into
/// words exactly (`build/pattern_words.rs`).
pub fn pattern_expr(source: &str) -> Result<String, String> {
    let dfa = dfa(source)?;
    let shape = crate::pattern_words::describe(source, &dfa)?;
    let starts: Vec<String> = dfa.starts.iter().map(|c| format!("{c:?}")).collect();
    let classes: Vec<String> = dfa.interval_class.iter().map(u8::to_string).collect();
    let next: Vec<String> = dfa.next.iter().map(u16::to_string).collect();
    let accepting: Vec<String> = dfa.accepting.iter().map(bool::to_string).collect();
    let ascii: Vec<String> = (0u8..128)
        .map(|b| dfa.class_of(char::from(b)).to_string())
        .collect();
    Ok(format!(
        "Pattern {{ source: {source:?}, ascii: &[{}], starts: &[{}], classes: &[{}], width: {}, next: &[{}], accepting: &[{}], shape: {} }}",
        ascii.join(", "),
        starts.join(", "),
        classes.join(", "),
        dfa.width,
        next.join(", "),
        accepting.join(", "),
        shape.expr()
    ))
}

/// A DFA: state 0 is dead, state 1 is the start.
pub struct Dfa {
    /// Sorted first characters of the alphabet's intervals; `starts[0]` is `'\0'`.
    pub starts: Vec<char>,
    /// Class of each interval.
    pub interval_class: Vec<u8>,
    /// Number of classes (row width of `next`).
    pub width: usize,
    /// `next[state * width + class]`.
    pub next: Vec<u16>,
    /// Whether the value matches when it ends in this state.
    pub accepting: Vec<bool>,
}

impl Dfa {
    /// The class of character `c`.
    pub fn class_of(&self, c: char) -> usize {
        let interval = self.starts.partition_point(|&start| start <= c) - 1;
        usize::from(self.interval_class[interval])
    }

    /// The state after reading `c` in `state`.
    pub fn step(&self, state: usize, c: char) -> usize {
        usize::from(self.next[state * self.width + self.class_of(c)])
    }

    /// The characters of class `class`, as sorted inclusive ranges.
    pub fn class_chars(&self, class: usize) -> Vec<(char, char)> {
        let mut out = Vec::new();
        for (i, &start) in self.starts.iter().enumerate() {
            if usize::from(self.interval_class[i]) == class {
                let end = match self.starts.get(i + 1) {
                    Some(&next) => char::from_u32(next as u32 - 1)
                        .unwrap_or_else(|| char::from_u32(0xD7FF).unwrap()),
                    None => char::MAX,
                };
                out.push((start, end));
            }
        }
        out
    }

    fn build(states: &[State], start: usize) -> Dfa {
        // The alphabet: intervals between every range boundary, grouped into classes of
        // intervals that every Char state treats alike.
        let mut cuts: Vec<u32> = vec![0];
        for state in states {
            if let State::Char(ranges, _) = state {
                for &(lo, hi) in ranges {
                    cuts.push(lo as u32);
                    cuts.push(hi as u32 + 1);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        cuts.retain(|&c| c <= char::MAX as u32 && char::from_u32(c).is_some());
        let starts: Vec<char> = cuts.iter().map(|&c| char::from_u32(c).unwrap()).collect();
        let signature = |c: char| -> Vec<bool> {
            states
                .iter()
                .map(|s| matches!(s, State::Char(r, _) if r.iter().any(|&(lo, hi)| lo <= c && c <= hi)))
                .collect()
        };
        let mut class_signatures: Vec<Vec<bool>> = Vec::new();
        let mut interval_class = Vec::new();
        for &c in &starts {
            let sig = signature(c);
            let class = match class_signatures.iter().position(|s| *s == sig) {
                Some(i) => i,
                None => {
                    class_signatures.push(sig);
                    class_signatures.len() - 1
                }
            };
            interval_class.push(u8::try_from(class).expect("fewer than 256 classes"));
        }
        let width = class_signatures.len();
        let representative: Vec<char> = (0..width)
            .map(|k| {
                starts[interval_class
                    .iter()
                    .position(|&c| usize::from(c) == k)
                    .unwrap()]
            })
            .collect();

        // Subset construction. Start-of-text assertions hold only in the first closure;
        // end-of-text assertions only when deciding whether a state accepts.
        let closure = |set: &mut Vec<usize>, at_start: bool, at_end: bool| {
            let mut stack = set.clone();
            while let Some(i) = stack.pop() {
                let more: Vec<usize> = match states[i] {
                    State::Split(a, b) => vec![a, b],
                    State::Assert(true, to) if at_start => vec![to],
                    State::Assert(false, to) if at_end => vec![to],
                    _ => vec![],
                };
                for j in more {
                    if !set.contains(&j) {
                        set.push(j);
                        stack.push(j);
                    }
                }
            }
            set.sort_unstable();
        };
        let accepts = |set: &Vec<usize>, at_start: bool| {
            let mut end = set.clone();
            closure(&mut end, at_start, true);
            end.iter().any(|&i| matches!(states[i], State::Match))
        };
        let mut first = vec![start];
        closure(&mut first, true, false);
        let mut sets: Vec<Vec<usize>> = vec![Vec::new(), first.clone()];
        let mut next = vec![0u16; 2 * width];
        let mut accepting = vec![false, accepts(&first, true)];
        let mut todo = vec![1usize];
        while let Some(d) = todo.pop() {
            for (class, &c) in representative.iter().enumerate() {
                let mut target: Vec<usize> = Vec::new();
                for &i in &sets[d] {
                    if let State::Char(ranges, to) = &states[i]
                        && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
                        && !target.contains(to)
                    {
                        target.push(*to);
                    }
                }
                closure(&mut target, false, false);
                let id = if target.is_empty() {
                    0
                } else if let Some(id) = sets.iter().position(|s| *s == target) {
                    id
                } else {
                    accepting.push(accepts(&target, false));
                    sets.push(target);
                    next.extend(std::iter::repeat_n(0, width));
                    todo.push(sets.len() - 1);
                    sets.len() - 1
                };
                next[d * width + class] = u16::try_from(id).expect("fewer than 65536 DFA states");
            }
        }
        Dfa {
            starts,
            interval_class,
            width,
            next,
            accepting,
        }
    }
}

fn push(states: &mut Vec<State>, state: State) -> usize {
    states.push(state);
    states.len() - 1
}

/// Compiles `hir` so that it continues at `next`; returns its entry state.
fn compile(hir: &Hir, next: usize, states: &mut Vec<State>) -> Result<usize, String> {
    Ok(match hir.kind() {
        HirKind::Empty => next,
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).map_err(|_| "non-UTF-8 literal")?;
            let mut at = next;
            for c in text.chars().rev() {
                at = push(states, State::Char(vec![(c, c)], at));
            }
            at
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            push(states, State::Char(ranges, next))
        }
        HirKind::Class(Class::Bytes(_)) => return Err("byte classes are not supported".into()),
        HirKind::Look(Look::Start | Look::StartLF) => push(states, State::Assert(true, next)),
        HirKind::Look(Look::End | Look::EndLF) => push(states, State::Assert(false, next)),
        HirKind::Look(look) => return Err(format!("{look:?} is not supported")),
        HirKind::Capture(capture) => compile(&capture.sub, next, states)?,
        HirKind::Concat(parts) => {
            let mut at = next;
            for part in parts.iter().rev() {
                at = compile(part, at, states)?;
            }
            at
        }
        HirKind::Alternation(options) => {
            let starts: Vec<usize> = options
                .iter()
                .map(|o| compile(o, next, states))
                .collect::<Result<_, _>>()?;
            let (&last, rest) = starts.split_last().unwrap();
            let mut at = last;
            for &s in rest.iter().rev() {
                at = push(states, State::Split(s, at));
            }
            at
        }
        HirKind::Repetition(rep) => {
            let mut at = match rep.max {
                None => {
                    // Loop: split into the body (which returns to the split) or onwards.
                    let split = push(states, State::Split(usize::MAX, next));
                    let body = compile(&rep.sub, split, states)?;
                    states[split] = State::Split(body, next);
                    split
                }
                Some(max) => {
                    // x{0,k} as (x(x(...)?)?)?
                    let mut at = next;
                    for _ in rep.min..max {
                        let body = compile(&rep.sub, at, states)?;
                        at = push(states, State::Split(body, next));
                    }
                    at
                }
            };
            for _ in 0..rep.min {
                at = compile(&rep.sub, at, states)?;
            }
            at
        }
    })
}
