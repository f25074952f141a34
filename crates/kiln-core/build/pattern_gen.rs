//! Compiles a `(pattern)` at build time into a Thompson NFA over Unicode scalar values, emitted
//! as a static table that `kiln_core::pattern` runs. The browser gets a 50-line matcher instead
//! of a regex engine; regex-syntax (the `regex` crate's parser) does the parsing here.
//!
//! The NFA matches the whole value: the caller runs it from the first character to the last.

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

/// Rust expression of a `Pattern` for `source`, or why it cannot be compiled.
pub fn pattern_expr(source: &str) -> Result<String, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let mut states = vec![State::Match];
    let start = compile(&hir, 0, &mut states)?;
    let mut out = format!("Pattern {{ source: {source:?}, start: {start}, states: &[");
    for state in &states {
        match state {
            State::Char(ranges, next) => {
                let ranges: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| format!("({a:?}, {b:?})"))
                    .collect();
                out.push_str(&format!("State::Char(&[{}], {next}), ", ranges.join(", ")));
            }
            State::Split(a, b) => out.push_str(&format!("State::Split({a}, {b}), ")),
            State::Assert(at_start, next) => {
                out.push_str(&format!("State::Assert({at_start}, {next}), "))
            }
            State::Match => out.push_str("State::Match, "),
        }
    }
    out.push_str("] }");
    Ok(out)
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
            let mut at = *starts.last().unwrap();
            for &s in starts.iter().rev().skip(1) {
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
