//! An operation's description: the service's exact texts, the reader that gives back what the
//! writer wrote (at the precision it was written), and a seeded fuzz of the reader.

use kiln_core::progress::{Action, Progress, human_size, parse_human_size};

const GIB: u64 = 1 << 30;

/// xorshift64*: a fixed sequence, so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A size spread over every unit: 0 bytes to 16 EiB.
    fn size(&mut self) -> u64 {
        let bits = self.below(65);
        match bits {
            0 => 0,
            64 => self.next(),
            b => self.next() >> (64 - b),
        }
    }
}

#[test]
fn the_service_texts_are_written_exactly() {
    let copying = Progress::Copying {
        percent: 42,
        done_bytes: 8 * GIB + 2 * GIB / 5,
        total_bytes: 20 * GIB,
    };
    assert_eq!(copying.describe(), "Create image: 42% (8.4 of 20.0 GiB)");
    let downloading = Progress::Downloading {
        bytes: 3 * GIB / 2,
        size: Some(20 * GIB),
    };
    assert_eq!(
        downloading.describe(),
        "Create image: downloading 1.5 GiB of 20 GiB"
    );
    let unknown_size = Progress::Downloading {
        bytes: 300 << 20 | 1 << 19,
        size: None,
    };
    assert_eq!(
        unknown_size.describe(),
        "Create image: downloading 300.5 MiB"
    );
    assert_eq!(
        Progress::Started(Action::CreateImage).describe(),
        "Create image"
    );
    assert_eq!(
        Progress::Started(Action::UpdateImage).describe(),
        "Update image"
    );
    assert_eq!(
        Progress::Started(Action::DeleteImage).describe(),
        "Delete image"
    );
    for (bytes, text) in [
        (0, "0 bytes"),
        (512, "512 bytes"),
        (64 << 20, "64 MiB"),
        (3 << 29, "1.5 GiB"),
        (2 * GIB + 1, "2.0 GiB"),
        (4 << 40, "4 TiB"),
        (10 << 50, "10 PiB"),
        (u64::MAX, "16.0 EiB"),
    ] {
        assert_eq!(human_size(bytes), text);
    }
}

/// The copier's own expression until issue 22 (kiln-server's `copier.rs`), against the formatter
/// with the values it would pass: the same text for any share of any size.
#[test]
fn a_copy_reads_as_the_copier_wrote_it() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..20_000 {
        let bytes = rng.below(5 << 40);
        let share = rng.below(1_000_000) as f64 / 1_000_000.0;
        let gib = |b: f64| b / f64::from(1u32 << 30);
        let before = format!(
            "Create image: {}% ({:.1} of {:.1} GiB)",
            (share * 100.0) as u32,
            gib(share * bytes as f64),
            gib(bytes as f64)
        );
        let now = Progress::Copying {
            percent: (share * 100.0) as u8,
            done_bytes: (share * bytes as f64) as u64,
            total_bytes: bytes,
        };
        assert_eq!(now.describe(), before, "{share} of {bytes}");
    }
}

/// What the reader gives back of any description: the same kind, the same percent, sizes
/// within half of the last digit written; and reading what it gives back, written again, is
/// the same value.
#[test]
fn parse_gives_back_what_describe_wrote() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..50_000 {
        let p = match rng.below(3) {
            0 => Progress::Started(Action::ALL[rng.below(3) as usize]),
            1 => Progress::Copying {
                percent: rng.below(101) as u8,
                done_bytes: rng.below(8 << 40),
                total_bytes: rng.below(8 << 40),
            },
            _ => Progress::Downloading {
                bytes: rng.size(),
                size: (rng.below(4) != 0).then(|| rng.size()),
            },
        };
        let text = p.describe();
        let q = Progress::parse(&text).unwrap_or_else(|| panic!("{text:?} does not read"));
        assert_eq!(Progress::parse(&q.describe()), Some(q), "{text:?}");
        // Half a tenth of the unit written, and the byte lost in rounding down.
        let close = |a: u64, b: u64, unit: u64| a.abs_diff(b) <= unit / 20 + 1;
        // The unit human_size writes a size in: the largest power of 1024 in it.
        let unit_of = |bytes: u64| {
            (0..7)
                .rev()
                .map(|p| 1u64 << (10 * p))
                .find(|u| bytes >= *u)
                .unwrap_or(1)
        };
        match (p, q) {
            (Progress::Started(a), Progress::Started(b)) => assert_eq!(a, b),
            (
                Progress::Copying {
                    percent,
                    done_bytes,
                    total_bytes,
                },
                Progress::Copying {
                    percent: got,
                    done_bytes: done,
                    total_bytes: total,
                },
            ) => {
                assert_eq!(percent, got, "{text:?}");
                assert!(close(done_bytes, done, GIB), "{text:?}: {done}");
                assert!(close(total_bytes, total, GIB), "{text:?}: {total}");
                assert_eq!(q.percent(), Some(percent));
            }
            (
                Progress::Downloading { bytes, size },
                Progress::Downloading {
                    bytes: got,
                    size: got_size,
                },
            ) => {
                assert!(close(bytes, got, unit_of(bytes)), "{text:?}: {got}");
                assert_eq!(size.is_some(), got_size.is_some(), "{text:?}");
                if let (Some(size), Some(got)) = (size, got_size) {
                    assert!(close(size, got, unit_of(size)), "{text:?}: {got}");
                }
                assert_eq!(q.percent(), None);
            }
            (p, q) => panic!("{p:?} read back as {q:?}"),
        }
    }
}

#[test]
fn parse_refuses_what_describe_never_writes() {
    for text in [
        "",
        "Create image:",
        "Create image: ",
        "Create image: 5%",
        "Create image: 250% (1.0 of 1.0 GiB)",
        "Create image: -5% (1.0 of 1.0 GiB)",
        "Create image: 05% (1.0 of 1.0 GiB)",
        "Create image: 5% (1 of 1.0 GiB)",
        "Create image: 5% (1.0 of 1.0 TiB)",
        "Create image: 5% (1.00 of 1.0 GiB)",
        "Create image: 5% (x of y)",
        "Delete image: 5% (1.0 of 1.0 GiB)",
        "Update image: downloading 1 GiB",
        "Create image: downloading",
        "Create image: downloading 1 GB",
        "Create image: downloading 1.55 GiB",
        "Create image: downloading 1 GiB of",
        "Create image: downloading +1 GiB",
        "Create image: downloading 17 EiB",
        "Create image: downloading 99999999999999999999999 bytes",
        "create image",
        "Create image ",
        "Something else",
    ] {
        assert_eq!(Progress::parse(text), None, "{text:?}");
    }
    let long = format!("Create image: downloading 1 GiB{}", " ".repeat(1 << 20));
    assert_eq!(Progress::parse(&long), None);
    assert_eq!(parse_human_size("16.0 EiB"), Some(u64::MAX));
    assert_eq!(parse_human_size("1.5 GiB"), Some(3 << 29));
    assert_eq!(parse_human_size("1.5GiB"), None);
    assert_eq!(parse_human_size("1024.0 KiB"), Some(1 << 20));
    for not_written in [
        "1536 MiB",
        "0 KiB",
        "0.5 GiB",
        "1.5 bytes",
        "1024 KiB",
        "1024.1 KiB",
    ] {
        assert_eq!(parse_human_size(not_written), None, "{not_written}");
    }
}

/// Random texts and mutations of real ones: the reader never panics, and whatever it reads is
/// a value it reads back the same way once written.
#[test]
fn parse_survives_a_seeded_fuzz() {
    let mut rng = Rng(0x5eed_0003);
    let seeds = [
        "Create image: 42% (8.4 of 20.0 GiB)",
        "Create image: downloading 1.5 GiB of 20 GiB",
        "Create image: downloading 300.5 MiB",
        "Delete image",
    ];
    let alphabet: Vec<char> = "0123456789. %():ofGiBMKTPEbytesdownloadingCreateimageДё\u{0}😀"
        .chars()
        .collect();
    let mut read = 0;
    for round in 0..200_000 {
        let text: String = if round % 2 == 0 {
            let len = rng.below(48) as usize;
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect()
        } else {
            let mut chars: Vec<char> = seeds[rng.below(4) as usize].chars().collect();
            for _ in 0..=rng.below(3) {
                let at = rng.below(chars.len() as u64 + 1) as usize;
                let c = alphabet[rng.below(alphabet.len() as u64) as usize];
                match rng.below(3) {
                    0 if at < chars.len() => chars[at] = c,
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ => chars.insert(at, c),
                }
            }
            chars.into_iter().collect()
        };
        if let Some(p) = Progress::parse(&text) {
            read += 1;
            assert_eq!(Progress::parse(&p.describe()), Some(p), "{text:?}");
        }
    }
    assert!(
        read > 1_000,
        "the fuzz read only {read} texts: it tests little"
    );
}
