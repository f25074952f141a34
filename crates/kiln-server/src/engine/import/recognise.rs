//! Recognising a downloaded file from its first and last bytes and its length: the format
//! (qcow2, VMDK, VHD or raw) and the virtual size, or a sentence saying what the file is
//! instead. A pure function with checked arithmetic: no input makes it panic.

/// Bytes from the start of the file that recognition reads (at most).
pub const HEAD: u64 = 4096;
/// Bytes from the end of the file that recognition reads (at most): a VHD footer.
pub const TAIL: u64 = 512;
use kiln_core::{bounds::MIN_DISK_SIZE, progress::human_size};

/// The largest virtual size accepted: the API's largest `min_disk_size` (4 TiB), read from its
/// annotation.
pub const MAX_VIRTUAL_SIZE: u64 = *MIN_DISK_SIZE.end() as u64;

/// A recognised disk image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// QEMU copy-on-write v2/v3.
    Qcow2,
    /// VMware monolithic sparse or stream-optimised.
    Vmdk,
    /// Microsoft VHD (fixed or dynamic).
    Vhd,
    /// A raw disk: no header, a whole number of 512-byte sectors.
    Raw,
}

fn bytes<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn be32(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(|b| u64::from(u32::from_be_bytes(b)))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(u64::from_be_bytes)
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(u64::from_le_bytes)
}

/// Why a file is not a disk image the API accepts: what it is instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAnImage {
    /// No bytes.
    #[error("the file is empty")]
    Empty,
    /// A qcow2 file shorter than its header.
    #[error("a qcow2 file truncated inside its header")]
    Qcow2Header,
    /// A qcow2 header whose L1 table would end past `u64::MAX`.
    #[error("a damaged qcow2 header: its L1 table would end beyond the largest possible file")]
    Qcow2Damaged,
    /// A qcow2 file that ends before its L1 table does.
    #[error("a truncated qcow2 file: its L1 table ends at byte {l1_end}, the file has {len}")]
    Qcow2Truncated {
        /// Where the L1 table ends.
        l1_end: u64,
        /// The file's length.
        len: u64,
    },
    /// A VMDK file shorter than its header.
    #[error("a VMDK file truncated inside its header")]
    VmdkHeader,
    /// A VMDK file that ends before its grain directory.
    #[error("a truncated VMDK file: its grain directory is at byte {at}, the file has {len}")]
    VmdkTruncated {
        /// Where the grain directory is.
        at: u64,
        /// The file's length.
        len: u64,
    },
    /// A VMDK header whose grain directory is past `u64::MAX`.
    #[error("a damaged VMDK header: its grain directory is beyond the largest possible file")]
    VmdkDamaged,
    /// A VMDK descriptor file, whose data is in other files.
    #[error(
        "a VMDK descriptor without its data: upload a monolithic sparse or stream-optimised VMDK"
    )]
    VmdkDescriptor,
    /// A VHD file without its footer.
    #[error("a truncated VHD file: its footer is missing at the end")]
    VhdFooter,
    /// An HTML page.
    #[error("an HTML page, not a disk image (is the link a pre-signed download URL?)")]
    Html,
    /// A compressed file or an archive.
    #[error("a {0} archive, not a disk image: upload the image itself, uncompressed")]
    Archive(&'static str),
    /// No header, and not a whole number of sectors.
    #[error(
        "not a disk image: no qcow2, VMDK or VHD header, and {0} bytes is not a whole number of \
         512-byte sectors"
    )]
    NotSectors(u64),
    /// A virtual size above [`MAX_VIRTUAL_SIZE`], in bytes.
    #[error(
        "the image's virtual size is {size} ({bytes} bytes), larger than the largest disk the \
         API allows ({max}, min_disk_size {MAX_VIRTUAL_SIZE})",
        size = human_size(*.0),
        bytes = .0,
        max = human_size(MAX_VIRTUAL_SIZE)
    )]
    TooLarge(u64),
    /// A VMDK capacity, in sectors, of more than 16 EiB.
    #[error(
        "the image's virtual size is {sectors} sectors of 512 bytes (over 16 EiB), larger than \
         the largest disk the API allows ({max}, min_disk_size {MAX_VIRTUAL_SIZE})",
        sectors = .0,
        max = human_size(MAX_VIRTUAL_SIZE)
    )]
    TooManySectors(u64),
}

/// `virtual_size` if the API can make a disk that large.
fn within_limit(format: Format, virtual_size: u64) -> Result<(Format, u64), NotAnImage> {
    if virtual_size > MAX_VIRTUAL_SIZE {
        return Err(NotAnImage::TooLarge(virtual_size));
    }
    Ok((format, virtual_size))
}

/// The format and virtual size of a file of `len` bytes whose first bytes are `head` (at least
/// [`HEAD`] of them, or the whole file) and whose last bytes are `tail` (at least [`TAIL`], or
/// the whole file); or why it is not a disk image. An accepted virtual size is at most
/// [`MAX_VIRTUAL_SIZE`].
pub fn recognise(head: &[u8], tail: &[u8], len: u64) -> Result<(Format, u64), NotAnImage> {
    if len == 0 {
        return Err(NotAnImage::Empty);
    }
    if head.starts_with(b"QFI\xfb") {
        let fields = (be64(head, 24), be32(head, 36), be64(head, 40));
        let (Some(size), Some(l1_size), Some(l1_offset)) = fields else {
            return Err(NotAnImage::Qcow2Header);
        };
        if len < 72 {
            return Err(NotAnImage::Qcow2Header);
        }
        let Some(l1_end) = l1_size
            .checked_mul(8)
            .and_then(|n| n.checked_add(l1_offset))
        else {
            return Err(NotAnImage::Qcow2Damaged);
        };
        if l1_end > len {
            return Err(NotAnImage::Qcow2Truncated { l1_end, len });
        }
        return within_limit(Format::Qcow2, size);
    }
    if head.starts_with(b"KDMV") {
        let fields = (le64(head, 12), le64(head, 56));
        let (Some(sectors), Some(gd_sector)) = fields else {
            return Err(NotAnImage::VmdkHeader);
        };
        if len < 512 || head.len() < 512 {
            return Err(NotAnImage::VmdkHeader);
        }
        // u64::MAX: the grain directory is at the end (stream-optimised).
        if gd_sector != u64::MAX {
            match gd_sector.checked_mul(512) {
                Some(at) if at < len => {}
                Some(at) => {
                    return Err(NotAnImage::VmdkTruncated { at, len });
                }
                None => {
                    return Err(NotAnImage::VmdkDamaged);
                }
            }
        }
        let Some(capacity) = sectors.checked_mul(512) else {
            return Err(NotAnImage::TooManySectors(sectors));
        };
        return within_limit(Format::Vmdk, capacity);
    }
    if head.starts_with(b"# Disk DescriptorFile") {
        return Err(NotAnImage::VmdkDescriptor);
    }
    let footer = tail
        .len()
        .checked_sub(512)
        .filter(|_| len >= 512)
        .and_then(|at| tail.get(at..));
    if let Some(footer) = footer.filter(|f| f.starts_with(b"conectix")) {
        let Some(size) = be64(footer, 48) else {
            return Err(NotAnImage::VhdFooter);
        };
        return within_limit(Format::Vhd, size);
    }
    if head.starts_with(b"conectix") {
        return Err(NotAnImage::VhdFooter);
    }
    let start = &head[..head.len().min(512)];
    let text = String::from_utf8_lossy(start)
        .trim_start()
        .to_ascii_lowercase();
    if text.starts_with("<!doctype html") || text.starts_with("<html") {
        return Err(NotAnImage::Html);
    }
    let archive = if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if head.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else if head.starts_with(b"BZh") {
        Some("bzip2")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else if len > 262 && head.get(257..262) == Some(b"ustar") {
        Some("tar")
    } else {
        None
    };
    if let Some(kind) = archive {
        return Err(NotAnImage::Archive(kind));
    }
    if !len.is_multiple_of(512) {
        return Err(NotAnImage::NotSectors(len));
    }
    within_limit(Format::Raw, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole file's head, tail and length; the error as its text.
    fn whole(file: &[u8]) -> Result<(Format, u64), String> {
        let head = &file[..file.len().min(HEAD as usize)];
        let tail = &file[file.len().saturating_sub(TAIL as usize)..];
        recognise(head, tail, file.len() as u64).map_err(|e| e.to_string())
    }

    fn qcow2(size: u64, l1_size: u32, l1_offset: u64) -> Vec<u8> {
        let mut file = vec![0u8; 4096];
        file[..4].copy_from_slice(b"QFI\xfb");
        file[4..8].copy_from_slice(&3u32.to_be_bytes());
        file[24..32].copy_from_slice(&size.to_be_bytes());
        file[36..40].copy_from_slice(&l1_size.to_be_bytes());
        file[40..48].copy_from_slice(&l1_offset.to_be_bytes());
        file
    }

    fn vmdk(sectors: u64, gd_sector: u64) -> Vec<u8> {
        let mut file = vec![0u8; 4096];
        file[..4].copy_from_slice(b"KDMV");
        file[12..20].copy_from_slice(&sectors.to_le_bytes());
        file[56..64].copy_from_slice(&gd_sector.to_le_bytes());
        file
    }

    fn vhd(size: u64) -> Vec<u8> {
        let mut file = vec![0u8; 4096];
        let footer = &mut file[4096 - 512..];
        footer[..8].copy_from_slice(b"conectix");
        footer[48..56].copy_from_slice(&size.to_be_bytes());
        file
    }

    #[test]
    fn headers_and_their_limits() {
        assert_eq!(
            whole(&qcow2(64 << 20, 1, 512)),
            Ok((Format::Qcow2, 64 << 20))
        );
        assert_eq!(whole(&qcow2(4 << 40, 1, 512)), Ok((Format::Qcow2, 4 << 40)));
        for size in [(4 << 40) + 1, 10 << 50, u64::MAX] {
            let refused = whole(&qcow2(size, 1, 512)).unwrap_err();
            assert!(
                refused.contains("larger than the largest disk the API allows (4 TiB"),
                "{refused}"
            );
        }
        assert_eq!(
            whole(&qcow2(10 << 50, 1, 512)).unwrap_err(),
            "the image's virtual size is 10 PiB (11258999068426240 bytes), larger than the \
             largest disk the API allows (4 TiB, min_disk_size 4398046511104)"
        );
        let damaged = whole(&qcow2(1 << 30, u32::MAX, u64::MAX)).unwrap_err();
        assert!(damaged.starts_with("a damaged qcow2 header"), "{damaged}");
        let truncated = whole(&qcow2(1 << 30, 8, 4096)).unwrap_err();
        assert_eq!(
            truncated,
            "a truncated qcow2 file: its L1 table ends at byte 4160, the file has 4096"
        );
        assert_eq!(
            whole(&qcow2(1 << 30, 1, 0)[..71]).unwrap_err(),
            "a qcow2 file truncated inside its header"
        );

        assert_eq!(whole(&vmdk(2048, 1)), Ok((Format::Vmdk, 1 << 20)));
        assert_eq!(whole(&vmdk(2048, u64::MAX)), Ok((Format::Vmdk, 1 << 20)));
        assert_eq!(
            whole(&vmdk(u64::MAX, 1)).unwrap_err(),
            "the image's virtual size is 18446744073709551615 sectors of 512 bytes (over 16 EiB), \
             larger than the largest disk the API allows (4 TiB, min_disk_size 4398046511104)"
        );
        assert!(
            whole(&vmdk(1, u64::MAX - 1))
                .unwrap_err()
                .starts_with("a damaged VMDK header")
        );
        assert!(
            whole(&vmdk(1, 8))
                .unwrap_err()
                .starts_with("a truncated VMDK file")
        );

        assert_eq!(whole(&vhd(32 << 20)), Ok((Format::Vhd, 32 << 20)));
        assert!(whole(&vhd(u64::MAX)).unwrap_err().contains("16.0 EiB"));
        let mut no_footer = vhd(0);
        no_footer[..8].copy_from_slice(b"conectix");
        no_footer[4096 - 512..].fill(0);
        assert!(
            whole(&no_footer)
                .unwrap_err()
                .starts_with("a truncated VHD file")
        );

        assert_eq!(whole(&[0u8; 1024]), Ok((Format::Raw, 1024)));
        assert!(
            whole(&[0u8; 1000])
                .unwrap_err()
                .contains("whole number of 512-byte sectors")
        );
        assert_eq!(whole(&[]).unwrap_err(), "the file is empty");
        // A raw file beyond the limit (only its length counts).
        assert!(recognise(&[0; 512], &[0; 512], (4 << 40) + 512).is_err());
    }

    /// Random and mutated headers, tails and lengths, with a fixed seed: recognition never panics
    /// and never accepts a virtual size above the API's limit.
    #[test]
    fn recognition_of_random_and_mutated_headers_never_panics() {
        let mut rng = fastrand::Rng::with_seed(0x6b69_6c6e);
        let templates: Vec<Vec<u8>> = vec![
            qcow2(64 << 20, 1, 512),
            vmdk(2048, 1),
            vhd(32 << 20),
            b"# Disk DescriptorFile\n".to_vec(),
            b"<!DOCTYPE html>".to_vec(),
            vec![0x1f, 0x8b, 8, 0],
            vec![0; 512],
        ];
        let extremes = [
            0,
            1,
            511,
            512,
            4096,
            4 << 40,
            (4 << 40) + 1,
            u64::MAX / 512,
            u64::MAX / 8,
            u64::MAX - 1,
            u64::MAX,
        ];
        let mut accepted = 0;
        for _ in 0..20_000 {
            let mut head = if rng.bool() {
                templates[rng.usize(..templates.len())].clone()
            } else {
                let n = rng.usize(..=HEAD as usize);
                std::iter::repeat_with(|| rng.u8(..)).take(n).collect()
            };
            // Overwrite the fields recognition reads with random or extreme values.
            for _ in 0..rng.usize(..4) {
                let at = [12, 24, 36, 40, 56][rng.usize(..5)];
                if head.len() >= at + 8 {
                    let value = if rng.bool() {
                        rng.u64(..)
                    } else {
                        extremes[rng.usize(..extremes.len())]
                    };
                    let bytes = if rng.bool() {
                        value.to_be_bytes()
                    } else {
                        value.to_le_bytes()
                    };
                    head[at..at + 8].copy_from_slice(&bytes);
                }
            }
            for _ in 0..rng.usize(..3) {
                if !head.is_empty() {
                    let at = rng.usize(..head.len());
                    head[at] = rng.u8(..);
                }
            }
            if rng.u8(..4) == 0 {
                head.truncate(rng.usize(..=head.len()));
            }
            let n = rng.usize(..=TAIL as usize);
            let mut tail: Vec<u8> = std::iter::repeat_with(|| rng.u8(..)).take(n).collect();
            if rng.bool() && tail.len() >= 56 {
                let at = tail.len() - tail.len().min(512);
                tail[at..at + 8].copy_from_slice(b"conectix");
                let value = extremes[rng.usize(..extremes.len())];
                if tail.len() - at >= 56 {
                    tail[at + 48..at + 56].copy_from_slice(&value.to_be_bytes());
                }
            }
            let len = match rng.u8(..4) {
                0 => head.len() as u64,
                1 => (head.len() as u64).saturating_add(rng.u64(..1 << 40)),
                2 => extremes[rng.usize(..extremes.len())],
                _ => rng.u64(..),
            };
            if let Ok((format, size)) = recognise(&head, &tail, len) {
                accepted += 1;
                assert!(size <= MAX_VIRTUAL_SIZE, "{format:?} {size}");
                if format == Format::Raw {
                    assert_eq!(size, len);
                }
            }
        }
        assert!(
            accepted > 100,
            "the cases reach the accepting paths too ({accepted})"
        );
    }
}
