//! Puts a `(pattern)` into words at build time, exactly. From the pattern's DFA
//! (`build/pattern_gen.rs`) it reads a *shape*: whether the empty value matches, the lengths of
//! the non-empty values, the characters that may appear, those a value may start with and
//! those it may end with. It then writes the shape back as a regular expression, compiles that
//! with the same machinery and walks the two DFAs side by side: the words are used only when
//! both accept exactly the same values. A pattern whose values are not such a shape (`ab|cd`,
//! `(ab)+`) fails the build with its name and a value on which they differ; so every text says
//! all there is to say about its pattern, and when a value does not match, one of the shape's
//! conditions is always the reason (`kiln_core::pattern::Pattern::diagnose`).
//!
//! The words themselves (names of character classes, lists, Russian cases) come from
//! `src/text/pattern_words.rs`, shared with the run time.

use std::collections::{HashSet, VecDeque};

use crate::{
    pattern_gen::{self, Dfa},
    text::{self, ShapeWords},
};

/// A pattern's shape and its words.
#[derive(Debug)]
pub struct Shape {
    /// The empty value matches.
    pub empty: bool,
    /// Shortest non-empty value (0 when only the empty value matches).
    pub min: usize,
    /// Longest value; `None` when unbounded (0 when only the empty value matches).
    pub max: Option<usize>,
    /// Characters that may appear, as sorted disjoint inclusive ranges.
    pub all: Vec<(char, char)>,
    /// Characters a non-empty value may start with.
    pub first: Vec<(char, char)>,
    /// Characters a non-empty value may end with.
    pub last: Vec<(char, char)>,
    /// The words, per locale.
    pub words: ShapeWords,
}

/// The shape of `source`, or why it cannot be compiled or described exactly.
#[allow(dead_code)] // the tests call it (tests/it/describer.rs)
pub fn describe_source(source: &str) -> Result<Shape, String> {
    let dfa = pattern_gen::dfa(source)?;
    describe(source, &dfa)
}

/// The shape of the pattern `source` whose DFA is `dfa`, verified to accept exactly the
/// pattern's values.
pub fn describe(source: &str, dfa: &Dfa) -> Result<Shape, String> {
    let shape = shape_of(dfa).map_err(|e| format!("pattern {source:?} {e}"))?;
    let regex = shape.regex();
    let shape_dfa = pattern_gen::dfa(&regex)
        .map_err(|e| format!("pattern {source:?}: its shape {regex:?} does not compile: {e}"))?;
    if let Some((value, pattern_accepts)) = difference(dfa, &shape_dfa) {
        return Err(format!(
            "pattern {source:?} cannot be put into words exactly: the describer says \"{}\", \
             but the pattern {} {value:?} and those words {}; only patterns whose values are \
             a length range of characters from one set, with a set of first and a set of last \
             characters, are described (rewrite the pattern or teach build/pattern_words.rs)",
            shape.words.text[0],
            if pattern_accepts {
                "accepts"
            } else {
                "rejects"
            },
            if pattern_accepts {
                "do not"
            } else {
                "allow it"
            },
        ));
    }
    Ok(shape)
}

fn shape_of(dfa: &Dfa) -> Result<Shape, String> {
    let states = dfa.accepting.len();
    let targets = |s: usize| (0..dfa.width).map(move |k| usize::from(dfa.next[s * dfa.width + k]));
    // Live: some accepting state is reachable; reachable: from the start.
    let mut live = dfa.accepting.clone();
    live[0] = false;
    loop {
        let mut changed = false;
        for s in 1..states {
            if !live[s] && targets(s).any(|t| t != 0 && live[t]) {
                live[s] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut useful = vec![false; states];
    let mut stack = vec![1];
    while let Some(s) = stack.pop() {
        if s == 0 || useful[s] || !live[s] {
            continue;
        }
        useful[s] = true;
        stack.extend(targets(s));
    }
    if !useful[1] {
        return Err("matches no value".into());
    }
    let (mut all, mut first, mut last) = (Vec::new(), Vec::new(), Vec::new());
    for s in (1..states).filter(|&s| useful[s]) {
        for (k, t) in targets(s).enumerate() {
            if t == 0 || !useful[t] {
                continue;
            }
            let chars = dfa.class_chars(k);
            all.extend(&chars);
            if s == 1 {
                first.extend(&chars);
            }
            if dfa.accepting[t] {
                last.extend(&chars);
            }
        }
    }
    let (all, first, last) = (merge(all), merge(first), merge(last));
    // Shortest non-empty value: breadth-first by length.
    let mut layer: HashSet<usize> = [1].into();
    let mut min = 0;
    for length in 1..=states + 1 {
        layer = layer
            .iter()
            .flat_map(|&s| targets(s))
            .filter(|&t| t != 0 && useful[t])
            .collect();
        if layer.iter().any(|&s| dfa.accepting[s]) {
            min = length;
            break;
        }
        if layer.is_empty() {
            break;
        }
    }
    // Longest value: unbounded on a cycle, else the longest path to an accepting state.
    let max = if min == 0 {
        Some(0)
    } else {
        longest(dfa, &useful)
    };
    let words = text::shape_words(
        (dfa.accepting[1], min as i128, max.map(|m| m as i128)),
        &all,
        &first,
        &last,
    );
    Ok(Shape {
        empty: dfa.accepting[1],
        min,
        max,
        all,
        first,
        last,
        words,
    })
}

/// The longest path from the start to an accepting state among `useful` states, `None` when
/// they hold a cycle.
fn longest(dfa: &Dfa, useful: &[bool]) -> Option<usize> {
    fn visit(
        s: usize,
        dfa: &Dfa,
        useful: &[bool],
        mark: &mut [u8],
        memo: &mut [usize],
    ) -> Option<usize> {
        match mark[s] {
            1 => return None,
            2 => return Some(memo[s]),
            _ => {}
        }
        mark[s] = 1;
        let mut best = if dfa.accepting[s] { Some(0) } else { None };
        for k in 0..dfa.width {
            let t = usize::from(dfa.next[s * dfa.width + k]);
            if t != 0 && useful[t] {
                let below = visit(t, dfa, useful, mark, memo)?;
                best = Some(best.map_or(below + 1, |b: usize| b.max(below + 1)));
            }
        }
        mark[s] = 2;
        memo[s] = best.unwrap_or(0);
        Some(memo[s])
    }
    let n = dfa.accepting.len();
    visit(1, dfa, useful, &mut vec![0; n], &mut vec![0; n])
}

/// Sorted, disjoint, adjacent ones joined.
fn merge(mut ranges: Vec<(char, char)>) -> Vec<(char, char)> {
    ranges.sort_unstable();
    let mut out: Vec<(char, char)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a as u32 <= last.1 as u32 + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn intersect(x: &[(char, char)], y: &[(char, char)]) -> Vec<(char, char)> {
    let mut out = Vec::new();
    for &(a, b) in x {
        for &(c, d) in y {
            let (lo, hi) = (a.max(c), b.min(d));
            if lo <= hi {
                out.push((lo, hi));
            }
        }
    }
    merge(out)
}

fn class(set: &[(char, char)]) -> String {
    let mut out = String::from("[");
    for &(a, b) in set {
        out.push_str(&format!("\\x{{{:X}}}-\\x{{{:X}}}", a as u32, b as u32));
    }
    out.push(']');
    out
}

impl Shape {
    /// The shape as a regular expression: `empty | [first∩last] | [first][all]{m,n}[last]`.
    pub fn regex(&self) -> String {
        let mut alternatives = Vec::new();
        if self.empty {
            alternatives.push(String::new());
        }
        if self.max != Some(0) {
            let both = intersect(&self.first, &self.last);
            if self.min <= 1 && !both.is_empty() {
                alternatives.push(class(&both));
            }
            if self.max.is_none_or(|m| m >= 2) && !self.first.is_empty() && !self.last.is_empty() {
                let lo = self.min.max(2) - 2;
                let repeat = match self.max {
                    Some(m) => format!("{{{lo},{}}}", m - 2),
                    None => format!("{{{lo},}}"),
                };
                alternatives.push(format!(
                    "{}{}{repeat}{}",
                    class(&self.first),
                    class(&self.all),
                    class(&self.last)
                ));
            }
        }
        format!("(?:{})", alternatives.join("|"))
    }

    /// The Rust expression of the generated `PatternShape`.
    pub fn expr(&self) -> String {
        let set = |s: &[(char, char)]| {
            let items: Vec<String> = s.iter().map(|(a, b)| format!("({a:?}, {b:?})")).collect();
            format!("&[{}]", items.join(", "))
        };
        let pair = |w: &[String; 2]| format!("[{:?}, {:?}]", w[0], w[1]);
        let w = &self.words;
        format!(
            "PatternShape {{ empty: {}, min: {}, max: {:?}, chars: {}, first: {}, last: {}, text: {}, allowed: {}, first_words: {}, last_words: {}, starts: {}, ends: {} }}",
            self.empty,
            self.min,
            self.max,
            set(&self.all),
            set(&self.first),
            set(&self.last),
            pair(&w.text),
            pair(&w.allowed),
            pair(&w.first),
            pair(&w.last),
            pair(&w.starts),
            pair(&w.ends),
        )
    }
}

/// A value on which the two DFAs differ, and whether `a` accepts it; `None` when they accept
/// the same values (a breadth-first walk of the product, so the value is a shortest one).
pub fn difference(a: &Dfa, b: &Dfa) -> Option<(String, bool)> {
    let mut cuts: Vec<char> = a.starts.iter().chain(&b.starts).copied().collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut seen: HashSet<(usize, usize)> = [(1, 1)].into();
    let mut queue = VecDeque::from([(1usize, 1usize, String::new())]);
    while let Some((x, y, value)) = queue.pop_front() {
        if a.accepting[x] != b.accepting[y] {
            return Some((value, a.accepting[x]));
        }
        for &c in &cuts {
            let next = (a.step(x, c), b.step(y, c));
            if next != (0, 0) && seen.insert(next) {
                let mut longer = value.clone();
                longer.push(c);
                queue.push_back((next.0, next.1, longer));
            }
        }
    }
    None
}
