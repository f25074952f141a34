//! An operation's description as the service writes it and its clients read it back: the
//! action (`Create image`), then a running Create's progress, a copy
//! (`Create image: 42% (8.4 of 20.0 GiB)`) or a download
//! (`Create image: downloading 1.5 GiB of 20 GiB`). [`Progress::describe`] is the one writer
//! and [`Progress::parse`] the one reader, so the two cannot drift apart.
//!
//! These texts are a wire format, like the rule ids: English as the real API writes them, the
//! same in every locale (clients may read them; the console puts them in the page's words).
//! Not on the validator's path: `format!` is fine here, and the validator alone never links
//! this module.

/// What an image operation does: the description's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `Create image`.
    CreateImage,
    /// `Update image`.
    UpdateImage,
    /// `Delete image`.
    DeleteImage,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 3] = [
        Action::CreateImage,
        Action::UpdateImage,
        Action::DeleteImage,
    ];

    /// The description's head: `Create image`, `Update image`, `Delete image`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::CreateImage => "Create image",
            Action::UpdateImage => "Update image",
            Action::DeleteImage => "Delete image",
        }
    }
}

/// An operation's description, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Progress {
    /// The action alone (started, done, or with no progress to tell): `Create image`.
    Started(Action),
    /// A Create's copy: `Create image: 42% (8.4 of 20.0 GiB)`. The sizes are written in GiB
    /// with one decimal, so what [`Progress::parse`] gives back is exact to a tenth of a GiB.
    Copying {
        /// Done, in percent (0 to 100).
        percent: u8,
        /// Bytes copied so far.
        done_bytes: u64,
        /// Bytes to copy in all.
        total_bytes: u64,
    },
    /// A Create's download of its URI: `Create image: downloading 1.5 GiB of 20 GiB`, or
    /// `Create image: downloading 1.5 GiB` while the size is unknown. Sizes as
    /// [`human_size`] writes them.
    Downloading {
        /// Bytes downloaded so far.
        bytes: u64,
        /// The file's size, when known.
        size: Option<u64>,
    },
}

/// Bytes in a GiB.
const GIB: f64 = (1u64 << 30) as f64;

/// `: downloading `, between the action and a download's sizes.
const DOWNLOADING: &str = "downloading ";

/// The units [`human_size`] writes, by power of 1024.
const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// A description longer than this is no description [`Progress::describe`] writes.
const LONGEST: usize = 128;

impl Progress {
    /// The description's text, exactly as the service writes it: `Create image`,
    /// `Create image: 42% (8.4 of 20.0 GiB)`, `Create image: downloading 1.5 GiB of 20 GiB`.
    pub fn describe(&self) -> String {
        let create = Action::CreateImage.as_str();
        match *self {
            Progress::Started(action) => action.as_str().to_owned(),
            Progress::Copying {
                percent,
                done_bytes,
                total_bytes,
            } => format!(
                "{create}: {percent}% ({:.1} of {:.1} GiB)",
                done_bytes as f64 / GIB,
                total_bytes as f64 / GIB
            ),
            Progress::Downloading { bytes, size } => match size {
                Some(size) => format!(
                    "{create}: {DOWNLOADING}{} of {}",
                    human_size(bytes),
                    human_size(size)
                ),
                None => format!("{create}: {DOWNLOADING}{}", human_size(bytes)),
            },
        }
    }

    /// Reads a description [`Progress::describe`] writes; `None` for any other text. Sizes come
    /// back at the precision they were written with (a tenth of the unit). Never panics; the
    /// work is bounded (longer texts than any description are refused at once).
    pub fn parse(text: &str) -> Option<Progress> {
        if text.len() > LONGEST {
            return None;
        }
        let (head, rest) = match text.split_once(": ") {
            Some((head, rest)) => (head, Some(rest)),
            None => (text, None),
        };
        let action = Action::ALL.into_iter().find(|a| a.as_str() == head)?;
        let Some(rest) = rest else {
            return Some(Progress::Started(action));
        };
        if action != Action::CreateImage {
            return None;
        }
        if let Some(sizes) = rest.strip_prefix(DOWNLOADING) {
            let (bytes, size) = match sizes.split_once(" of ") {
                Some((bytes, size)) => (bytes, Some(parse_size(size)?)),
                None => (sizes, None),
            };
            return Some(Progress::Downloading {
                bytes: parse_size(bytes)?,
                size,
            });
        }
        let (percent, sizes) = rest.split_once("% (")?;
        let percent = parse_digits(percent, 3)?;
        let (done, total) = sizes.strip_suffix(" GiB)")?.split_once(" of ")?;
        Some(Progress::Copying {
            percent: u8::try_from(percent).ok().filter(|p| *p <= 100)?,
            done_bytes: parse_gib(done)?,
            total_bytes: parse_gib(total)?,
        })
    }

    /// The percent done, for a copy.
    pub fn percent(&self) -> Option<u8> {
        match self {
            Progress::Copying { percent, .. } => Some(*percent),
            _ => None,
        }
    }
}

/// `bytes` for people, as the service writes sizes: `512 bytes`, `64 MiB`, `1.5 GiB`, `4 TiB`
/// (a whole number of the largest unit that fits, else one decimal: `2.0 GiB` for a byte
/// over 2 GiB).
pub fn human_size(bytes: u64) -> String {
    let power = (0..UNITS.len())
        .rev()
        .find(|&p| bytes >> (10 * p) > 0)
        .unwrap_or(0);
    let unit = 1u64 << (10 * power);
    if bytes.is_multiple_of(unit) {
        format!("{} {}", bytes / unit, UNITS[power])
    } else {
        format!("{:.1} {}", bytes as f64 / unit as f64, UNITS[power])
    }
}

/// A size as [`human_size`] writes it (`1.5 GiB`, `512 bytes`, not `1536 MiB`) in bytes;
/// `None` for anything else.
/// `16.0 EiB` (the largest size's text) reads as `u64::MAX`.
pub fn parse_human_size(text: &str) -> Option<u64> {
    parse_size(text)
}

fn parse_size(text: &str) -> Option<u64> {
    let (number, unit) = text.split_once(' ')?;
    let power = UNITS.iter().position(|u| *u == unit)?;
    let tenths = tenths(number, 4)?;
    // As human_size writes it: the largest unit that fits (a whole number below 1024 of it, or
    // up to `1024.0` when a value just below the next unit rounds up), and bytes whole.
    let decimal = number.contains('.');
    let fits = match (power, decimal) {
        (0, false) => tenths < 10240,
        (0, true) => false,
        (_, false) => (10..10240).contains(&tenths),
        (_, true) => (10..=10240).contains(&tenths),
    };
    if !fits {
        return None;
    }
    let bytes = tenths.checked_mul(1u128 << (10 * power))? / 10;
    match u64::try_from(bytes) {
        Ok(bytes) => Some(bytes),
        // 16.0 EiB: u64::MAX written at one decimal.
        Err(_) if bytes == 1u128 << 64 => Some(u64::MAX),
        Err(_) => None,
    }
}

/// `8.4` (GiB, always one decimal) in bytes.
fn parse_gib(text: &str) -> Option<u64> {
    if !text.contains('.') {
        return None;
    }
    let tenths = tenths(text, 11)?;
    u64::try_from(tenths.checked_mul(1u128 << 30)? / 10).ok()
}

/// `12` or `12.5` in tenths (`120`, `125`): ASCII digits, at most `most_digits` of them in
/// the whole part, and one decimal if any.
fn tenths(text: &str, most_digits: usize) -> Option<u128> {
    let (whole, tenth) = match text.split_once('.') {
        Some((whole, tenth)) if tenth.len() == 1 => (whole, Some(tenth)),
        Some(_) => return None,
        None => (text, None),
    };
    let whole = parse_digits(whole, most_digits)?;
    let tenth = match tenth {
        Some(t) => parse_digits(t, 1)?,
        None => 0,
    };
    Some(whole * 10 + tenth)
}

/// 1 to `most` ASCII digits, no sign, no leading zero (but `0` itself).
fn parse_digits(text: &str, most: usize) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.is_empty()
        || bytes.len() > most
        || !bytes.iter().all(u8::is_ascii_digit)
        || (bytes.len() > 1 && bytes[0] == b'0')
    {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u128, |n, b| n * 10 + u128::from(b - b'0')),
    )
}
