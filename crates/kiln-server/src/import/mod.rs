//! URI imports: the image file is downloaded over HTTP(S), streamed to the data folder under a
//! size cap and timeouts, then recognised from its header (qcow2, VMDK, VHD or raw) and its
//! virtual size read. Anything else (an HTML page, an archive, a truncated file, an HTTP error)
//! fails with a sentence that says what was found.

use std::{path::Path, time::Duration};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

/// Limits of one download.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for the whole download.
    pub total_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 64 << 30,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(3600),
        }
    }
}

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

/// What a download held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The format.
    pub format: Format,
    /// Size of the disk the image describes, in bytes.
    pub virtual_size: u64,
    /// Size of the downloaded file, in bytes.
    pub file_size: u64,
}

/// Downloads `uri` into `dest` and recognises it.
pub async fn fetch(uri: &str, dest: &Path, limits: Limits) -> Result<Imported, String> {
    let client = reqwest::Client::builder()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.total_timeout)
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
    let response = client
        .get(uri)
        .send()
        .await
        .map_err(|e| format!("cannot download {uri}: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the URI answered HTTP {}", status.as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(format!(
            "the file is larger than the {}-byte import limit",
            limits.max_bytes
        ));
    }
    let expected = response.content_length();
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(|e| format!("cannot store the download: {e}"))?;
    let mut received: u64 = 0;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| format!("the download failed after {received} bytes: {e}"))?;
        received += chunk.len() as u64;
        if received > limits.max_bytes {
            return Err(format!(
                "the file is larger than the {}-byte import limit",
                limits.max_bytes
            ));
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot store the download: {e}"))?;
    }
    file.flush()
        .await
        .map_err(|e| format!("cannot store the download: {e}"))?;
    if expected.is_some_and(|n| n != received) {
        return Err(format!(
            "the download is truncated: {received} of {} bytes",
            expected.unwrap_or(0)
        ));
    }
    let bytes = tokio::fs::read(dest)
        .await
        .map_err(|e| format!("cannot read the download: {e}"))?;
    let (format, virtual_size) = recognise(&bytes)?;
    Ok(Imported {
        format,
        virtual_size,
        file_size: received,
    })
}

fn be64(bytes: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn le64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// The format and virtual size of a whole image file, or why it is not a disk image.
pub fn recognise(file: &[u8]) -> Result<(Format, u64), String> {
    let len = file.len() as u64;
    if file.is_empty() {
        return Err("the file is empty".into());
    }
    if file.starts_with(b"QFI\xfb") {
        if file.len() < 72 {
            return Err("a qcow2 file truncated inside its header".into());
        }
        let l1_size = u64::from(u32::from_be_bytes(
            file[36..40].try_into().expect("4 bytes"),
        ));
        let l1_offset = be64(file, 40);
        if l1_offset + l1_size * 8 > len {
            return Err(format!(
                "a truncated qcow2 file: its L1 table ends at byte {}, the file has {len}",
                l1_offset + l1_size * 8
            ));
        }
        return Ok((Format::Qcow2, be64(file, 24)));
    }
    if file.starts_with(b"KDMV") {
        if file.len() < 512 {
            return Err("a VMDK file truncated inside its header".into());
        }
        let capacity = le64(file, 12) * 512;
        let gd_offset = le64(file, 56);
        if gd_offset != u64::MAX && gd_offset * 512 >= len {
            return Err(format!(
                "a truncated VMDK file: its grain directory is at byte {}, the file has {len}",
                gd_offset * 512
            ));
        }
        return Ok((Format::Vmdk, capacity));
    }
    if file.starts_with(b"# Disk DescriptorFile") {
        return Err("a VMDK descriptor without its data: upload a monolithic sparse or stream-optimised VMDK".into());
    }
    let footer = (file.len() >= 512).then(|| &file[file.len() - 512..]);
    if let Some(footer) = footer.filter(|f| f.starts_with(b"conectix")) {
        return Ok((Format::Vhd, be64(footer, 48)));
    }
    if file.starts_with(b"conectix") {
        return Err("a truncated VHD file: its footer is missing at the end".into());
    }
    let head = &file[..file.len().min(512)];
    let text = String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase();
    if text.starts_with("<!doctype html") || text.starts_with("<html") {
        return Err(
            "an HTML page, not a disk image (is the link a pre-signed download URL?)".into(),
        );
    }
    let archive = if file.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if file.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else if file.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else if file.starts_with(b"BZh") {
        Some("bzip2")
    } else if file.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else if file.len() > 262 && &file[257..262] == b"ustar" {
        Some("tar")
    } else {
        None
    };
    if let Some(kind) = archive {
        return Err(format!(
            "a {kind} archive, not a disk image: upload the image itself, uncompressed"
        ));
    }
    if !len.is_multiple_of(512) {
        return Err(format!(
            "not a disk image: no qcow2, VMDK or VHD header, and {len} bytes is not a whole number of 512-byte sectors"
        ));
    }
    Ok((Format::Raw, len))
}
