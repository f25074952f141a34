//! What a Create does in the background, and its stored form (kept with its operation, so a
//! restarted service goes on with it).

/// What a Create operation does in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Copy `bytes` at the configured rate.
    Copy {
        /// Bytes of source data.
        bytes: i64,
        /// When the copy began, in microseconds since the Unix epoch (`None` in the stored
        /// work of older versions: then it begins when the store opens).
        since: Option<i64>,
    },
    /// Download and recognise an image file (then copy it).
    Import {
        /// The URI.
        uri: String,
        /// The `min_disk_size` the request asked for (0 = the image's virtual size).
        min_disk_size: i64,
    },
}

impl Work {
    /// The stored form (an operation record's `extra`).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Work::Copy { bytes, since } => {
                let mut stored = [&[0u8][..], &bytes.to_be_bytes()].concat();
                if let Some(since) = since {
                    stored.extend_from_slice(&since.to_be_bytes());
                }
                stored
            }
            Work::Import { uri, min_disk_size } => {
                [&[1u8][..], &min_disk_size.to_be_bytes(), uri.as_bytes()].concat()
            }
        }
    }

    /// The work of a stored form; `None` when it is not one.
    pub fn decode(stored: &[u8]) -> Option<Work> {
        let number = |at: usize| {
            stored
                .get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
        };
        match stored.first()? {
            0 if stored.len() == 9 || stored.len() == 17 => Some(Work::Copy {
                bytes: number(1)?,
                since: number(9),
            }),
            1 => Some(Work::Import {
                min_disk_size: number(1)?,
                uri: String::from_utf8(stored.get(9..)?.to_vec()).ok()?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: i64 = 1 << 30;

    #[test]
    fn work_survives_its_stored_form_and_older_copies_decode() {
        for work in [
            Work::Copy {
                bytes: 20 * GIB,
                since: Some(1_700_000_000_000_000),
            },
            Work::Copy {
                bytes: 7,
                since: None,
            },
            Work::Import {
                uri: "https://example.com/a.qcow2".into(),
                min_disk_size: 10 * GIB,
            },
        ] {
            assert_eq!(Work::decode(&work.encode()), Some(work));
        }
        // As stored before a copy's start was: a tag and the size.
        let older = [&[0u8][..], &(5 * GIB).to_be_bytes()].concat();
        assert_eq!(
            Work::decode(&older),
            Some(Work::Copy {
                bytes: 5 * GIB,
                since: None
            })
        );
        assert_eq!(Work::decode(&[0, 1, 2]), None);
        assert_eq!(Work::decode(&[9]), None);
        assert_eq!(Work::decode(&[]), None);
    }
}
