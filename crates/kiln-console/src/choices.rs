//! The form's closed choices (the source's kind, the OS type, the hardware generation) and
//! their names in the request. A module of its own, under `form` and `text` alike, so the words
//! of a choice and the form that holds it do not import each other.

use serde::{Deserialize, Serialize};

/// Where the image comes from (the request's `source` oneof).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SourceKind {
    /// `image_id`: another image (picked, typed, or the latest of a family).
    Image,
    /// `disk_id`.
    #[default]
    Disk,
    /// `snapshot_id`.
    Snapshot,
    /// `uri`: a file in Object Storage, imported.
    Uri,
}

impl SourceKind {
    /// Every kind, in the order the form offers them.
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Image,
        SourceKind::Disk,
        SourceKind::Snapshot,
        SourceKind::Uri,
    ];

    /// The oneof member's proto field name.
    pub fn field(self) -> &'static str {
        match self {
            SourceKind::Image => "image_id",
            SourceKind::Disk => "disk_id",
            SourceKind::Snapshot => "snapshot_id",
            SourceKind::Uri => "uri",
        }
    }

    /// The member's proto3 JSON name.
    pub fn json_name(self) -> &'static str {
        match self {
            SourceKind::Image => "imageId",
            SourceKind::Disk => "diskId",
            SourceKind::Snapshot => "snapshotId",
            SourceKind::Uri => "uri",
        }
    }

    /// A short name for element IDs (`disk`); the words are `text::Lang::source_kind`'s.
    pub fn slug(self) -> &'static str {
        match self {
            SourceKind::Image => "image",
            SourceKind::Disk => "disk",
            SourceKind::Snapshot => "snapshot",
            SourceKind::Uri => "uri",
        }
    }
}

/// `os.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OsType {
    /// Not given: inherited from the source (LINUX for imports).
    #[default]
    Unspecified,
    /// `LINUX`.
    Linux,
    /// `WINDOWS`: needed for CPU emulation and billing of Windows images.
    Windows,
}

impl OsType {
    /// Every value, in the order the form offers them.
    pub const ALL: [OsType; 3] = [OsType::Unspecified, OsType::Linux, OsType::Windows];

    /// The enum value's name in proto3 JSON (`None` for the default, which JSON omits).
    pub fn json_name(self) -> Option<&'static str> {
        match self {
            OsType::Unspecified => None,
            OsType::Linux => Some("LINUX"),
            OsType::Windows => Some("WINDOWS"),
        }
    }
}

/// The hardware generation the image's VMs get (api-facts §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Generation {
    /// Not given: inherited from the source; Gen 1.1 for URI imports.
    #[default]
    Inherit,
    /// Gen 1.1: `legacy_features.pci_topology = PCI_TOPOLOGY_V1`.
    Gen11,
    /// Gen 1.2: `legacy_features.pci_topology = PCI_TOPOLOGY_V2`.
    Gen12,
    /// Gen 2: `generation2_features {}`.
    Gen2,
}

impl Generation {
    /// Every value, in the order the form offers them.
    pub const ALL: [Generation; 4] = [
        Generation::Inherit,
        Generation::Gen11,
        Generation::Gen12,
        Generation::Gen2,
    ];
}
