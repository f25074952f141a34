//! What the console shows of the folder's resources: the rows of the source picker (images,
//! disks, snapshots as one shape), the search over them, and an image's details in words.

use kiln_core::proto::yandex::cloud::compute::v1 as compute;

use crate::form::{Generation, SourceKind};

/// A source the picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Resource ID (what the form's source field gets).
    pub id: String,
    /// Its name (may be empty).
    pub name: String,
    /// Size in bytes: an image's storage size, a disk's size, a snapshot's disk size.
    pub size: i64,
    /// Status as the API names it (`READY`).
    pub status: String,
    /// An image's family (empty for disks and snapshots).
    pub family: String,
}

impl Row {
    /// An image as a row.
    pub fn image(image: compute::Image) -> Row {
        Row {
            status: image.status().as_str_name().to_owned(),
            id: image.id,
            name: image.name,
            size: image.storage_size,
            family: image.family,
        }
    }

    /// A disk as a row.
    pub fn disk(disk: compute::Disk) -> Row {
        Row {
            status: disk.status().as_str_name().to_owned(),
            id: disk.id,
            name: disk.name,
            size: disk.size,
            family: String::new(),
        }
    }

    /// A snapshot as a row.
    pub fn snapshot(snapshot: compute::Snapshot) -> Row {
        Row {
            status: snapshot.status().as_str_name().to_owned(),
            id: snapshot.id,
            name: snapshot.name,
            size: snapshot.disk_size,
            family: String::new(),
        }
    }

    /// The name, or the ID when it has none.
    pub fn title(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    /// The line under the title: size, status, family, ID.
    pub fn meta(&self) -> String {
        let family = if self.family.is_empty() {
            String::new()
        } else {
            format!(" · family {}", self.family)
        };
        format!(
            "{} · {}{} · {}",
            crate::gb_text(self.size),
            self.status,
            family,
            self.id
        )
    }

    /// Whether a search for `needle` (already lower-cased; empty matches all) finds this row:
    /// by name (any case), ID or family.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || self.name.to_lowercase().contains(needle)
            || self.id.contains(needle)
            || self.family.contains(needle)
    }
}

/// The rows a search shows.
pub fn search(rows: &[Row], text: &str) -> Vec<Row> {
    let needle = text.trim().to_lowercase();
    rows.iter()
        .filter(|r| r.matches(&needle))
        .cloned()
        .collect()
}

/// What the picker lists for a source kind: its plural, for labels (`Disks in the folder`).
pub fn plural(kind: SourceKind) -> String {
    format!("{}s", kind.label())
}

/// The generation an image's `hardware_generation` stands for (`None`: not set).
pub fn generation_of(generation: Option<&compute::HardwareGeneration>) -> Option<Generation> {
    use compute::hardware_generation::Features;
    match generation?.features.as_ref()? {
        Features::LegacyFeatures(l) if l.pci_topology == compute::PciTopology::V2 as i32 => {
            Some(Generation::Gen12)
        }
        Features::LegacyFeatures(_) => Some(Generation::Gen11),
        Features::Generation2Features(_) => Some(Generation::Gen2),
    }
}

/// An image's details as (label, value) rows, in the order the Images screen shows them.
pub fn image_details(image: &compute::Image) -> Vec<(&'static str, String)> {
    let mut labels: Vec<_> = image
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    labels.sort();
    let os = image
        .os
        .as_ref()
        .map(|o| o.r#type().as_str_name().to_owned())
        .unwrap_or_default();
    let generation =
        generation_of(image.hardware_generation.as_ref()).map_or("not set", Generation::label);
    vec![
        ("ID", image.id.clone()),
        ("Name", image.name.clone()),
        ("Description", image.description.clone()),
        ("Status", image.status().as_str_name().to_owned()),
        ("Family", image.family.clone()),
        ("Labels", labels.join(", ")),
        ("Storage size", format!("{} bytes", image.storage_size)),
        (
            "Minimum disk size",
            format!(
                "{} bytes ({} GB)",
                image.min_disk_size,
                image.min_disk_size / crate::GB
            ),
        ),
        ("Product IDs", image.product_ids.join(", ")),
        ("OS type", os),
        ("Pooled", image.pooled.to_string()),
        ("Hardware generation", generation.to_owned()),
    ]
}
