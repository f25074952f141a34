//! A JSON cursor over the request text: the validator reads each value once, in place, with no
//! tree in between. Strings borrow from the input unless they hold escapes; numbers are checked
//! against the JSON grammar and read as exact integers when they are integral, with no float
//! parsing (keeping float code out of the wasm build). Nesting is limited to 128 levels.

use std::{borrow::Cow, fmt};

/// How deep objects and arrays may nest.
pub const MAX_DEPTH: usize = 128;

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What was wrong.
    pub message: &'static str,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

/// A JSON number token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberToken {
    /// The exact value when it is an integer of at most 38 digits (`1e3` and `10.0` count).
    pub integer: Option<i128>,
    /// Whether the value is zero.
    pub zero: bool,
}

/// The first index at or after `i` that may end a run of plain string bytes: a `"`, a `\\` or
/// a control character (or where fewer than 8 bytes are left). Reads 8 bytes at a time: most
/// strings of a request are plain, and this loop is the validator's hottest.
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `v` below `n` (exact for the lowest such byte, which is the
    // only one used: a borrow can only flag bytes above it).
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGHS;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let stops = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if stops != 0 {
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// A position in JSON text.
pub struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

pub(crate) type Result<T> = std::result::Result<T, SyntaxError>;

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            pos: 0,
            depth: 0,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// A syntax error at the current position.
    pub fn error(&self, message: &'static str) -> SyntaxError {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SyntaxError {
            message,
            line,
            column,
        }
    }

    /// The next non-whitespace byte, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    fn eat(&mut self, byte: u8, message: &'static str) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    /// Only whitespace is left.
    pub fn finish(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the value")),
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than 128 levels"));
        }
        Ok(())
    }

    /// Consumes `{`; then call [`Cursor::next_key`] until it returns `None`.
    pub fn begin_object(&mut self) -> Result<()> {
        self.eat(b'{', "expected '{'")?;
        self.enter()
    }

    /// The next key of an object (its `:` consumed), or `None` after the closing `}`.
    pub fn next_key(&mut self, first: &mut bool) -> Result<Option<Cow<'a, str>>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
            Some(b',') if !*first => self.pos += 1,
            _ if *first => {}
            _ => return Err(self.error("expected ',' or '}'")),
        }
        *first = false;
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string key"));
        }
        let key = self.string()?;
        self.eat(b':', "expected ':'")?;
        Ok(Some(key))
    }

    /// Consumes `[`; then call [`Cursor::next_item`] until it returns `false`.
    pub fn begin_array(&mut self) -> Result<()> {
        self.eat(b'[', "expected '['")?;
        self.enter()
    }

    /// Whether another array element follows (its `,` consumed); `false` after the `]`.
    pub fn next_item(&mut self, first: &mut bool) -> Result<bool> {
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(self.error("expected ',' or ']'")),
        }
    }

    /// A string at the cursor (which must be at `"`), unescaped.
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.eat(b'"', "expected a string")?;
        let start = self.pos;
        let bytes = self.bytes();
        let mut i = plain_run_end(bytes, start);
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(Cow::Borrowed(&self.text[start..i]));
                }
                b'\\' => break,
                0..=0x1f => {
                    self.pos = i;
                    return Err(self.error("control character in a string"));
                }
                _ => i += 1,
            }
        }
        let mut owned = String::from(&self.text[start..i]);
        self.pos = i;
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = match bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            let c = if (0xd800..0xdc00).contains(&unit)
                                && bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let low = self.hex4()?;
                                if (0xdc00..0xe000).contains(&low) {
                                    char::from_u32(
                                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00),
                                    )
                                } else {
                                    self.pos = save;
                                    None
                                }
                            } else {
                                char::from_u32(unit)
                            };
                            // A lone surrogate (JSON.stringify writes them) reads as U+FFFD.
                            owned.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in a string")),
                    };
                    owned.push(escaped);
                    self.pos += 1;
                }
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => {
                    let rest = &self.text[self.pos..];
                    let end = rest.find(['"', '\\']).unwrap_or(rest.len());
                    let chunk = &rest[..end];
                    if chunk.bytes().any(|b| b < 0x20) {
                        let at = chunk.bytes().position(|b| b < 0x20).unwrap_or(0);
                        self.pos += at;
                        return Err(self.error("control character in a string"));
                    }
                    owned.push_str(chunk);
                    self.pos += end;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .bytes()
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut value = 0;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            value = value * 16 + v;
        }
        self.pos += 4;
        Ok(value)
    }

    /// A number at the cursor, checked against the JSON grammar.
    pub fn number(&mut self) -> Result<NumberToken> {
        let bytes = self.bytes();
        let digits_from = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let start = self.peek().map(|_| self.pos).unwrap_or(self.pos);
        let negative = bytes.get(start) == Some(&b'-');
        let int_start = start + usize::from(negative);
        let int_end = digits_from(int_start);
        if int_end == int_start {
            self.pos = int_start;
            return Err(self.error("invalid number"));
        }
        if bytes[int_start] == b'0' && int_end > int_start + 1 {
            self.pos = int_start;
            return Err(self.error("leading zero in a number"));
        }
        let (mut frac, mut end) = (&bytes[int_end..int_end], int_end);
        if bytes.get(end) == Some(&b'.') {
            let frac_end = digits_from(end + 1);
            if frac_end == end + 1 {
                self.pos = end + 1;
                return Err(self.error("invalid number"));
            }
            frac = &bytes[end + 1..frac_end];
            end = frac_end;
        }
        let mut exponent: i64 = 0;
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut i = end + 1;
            let exp_negative = bytes.get(i) == Some(&b'-');
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp_end = digits_from(i);
            if exp_end == i {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
            for &d in &bytes[i..exp_end] {
                exponent = (exponent * 10 + i64::from(d - b'0')).min(10_000);
            }
            if exp_negative {
                exponent = -exponent;
            }
            end = exp_end;
        }
        self.pos = end;
        let int = &bytes[int_start..int_end];
        let zero = int.iter().chain(frac).all(|&d| d == b'0');
        Ok(NumberToken {
            integer: exact_integer(negative, int, frac, exponent, zero),
            zero,
        })
    }

    /// `true`, `false` or `null` at the cursor: `Some(bool)` or `None` for null.
    pub fn literal(&mut self) -> Result<Option<bool>> {
        self.peek();
        let rest = &self.bytes()[self.pos..];
        for (word, value) in [
            (&b"true"[..], Some(true)),
            (b"false", Some(false)),
            (b"null", None),
        ] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err(self.error("expected a value"))
    }

    /// Consumes one value of any type.
    pub fn skip_value(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(b'{') => {
                self.begin_object()?;
                let mut first = true;
                while self.next_key(&mut first)?.is_some() {
                    self.skip_value()?;
                }
                Ok(())
            }
            Some(b'[') => {
                self.begin_array()?;
                let mut first = true;
                while self.next_item(&mut first)? {
                    self.skip_value()?;
                }
                Ok(())
            }
            Some(_) => self.literal().map(drop),
            None => Err(self.error("unexpected end of input")),
        }
    }
}

/// The exact integer `±int.frac × 10^exponent`, when it is one and fits 38 digits.
fn exact_integer(
    negative: bool,
    int: &[u8],
    frac: &[u8],
    exponent: i64,
    zero: bool,
) -> Option<i128> {
    if zero {
        return Some(0);
    }
    let digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    let first = digits.iter().position(|&d| d != b'0')?;
    let digits = &digits[first..];
    let shift = exponent - frac.len() as i64;
    let (kept, zeros) = if shift >= 0 {
        (digits, shift as usize)
    } else {
        let cut = usize::try_from(-shift).ok()?;
        if cut > digits.len() || digits[digits.len() - cut..].iter().any(|&d| d != b'0') {
            return None;
        }
        (&digits[..digits.len() - cut], 0)
    };
    if kept.len() + zeros > 38 {
        return None;
    }
    let mut value: i128 = 0;
    for &d in kept {
        value = value * 10 + i128::from(d - b'0');
    }
    for _ in 0..zeros {
        value *= 10;
    }
    Some(if negative { -value } else { value })
}

/// Whether `text` is a JSON number (what proto3 JSON accepts in a string for a float field).
pub fn is_number_text(text: &str) -> bool {
    let mut cursor = Cursor::new(text);
    cursor.number().is_ok() && cursor.pos == text.len()
}
