//! What the console shows of the folder's resources: the rows of the source picker (images,
//! disks, snapshots as one shape), the search over them, and an image's details in words.

use kiln_core::proto::yandex::cloud::compute::v1 as compute;

use crate::form::Generation;
use crate::text::Lang;

/// A source the picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Resource ID (what the form's source field gets).
    pub id: String,
    /// Its name (may be empty).
    pub name: String,
    /// Size in bytes: an image's storage size, a disk's size, a snapshot's disk size.
    pub size: i64,
    /// The smallest minimum disk size an image made from it may have, in bytes (an image's
    /// own minimum disk size, a disk's size, a snapshot's disk size; 0 when not known).
    pub floor: i64,
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
            floor: image.min_disk_size,
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
            floor: disk.size,
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
            floor: snapshot.disk_size,
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
    pub fn meta(&self, lang: Lang) -> String {
        let family = if self.family.is_empty() {
            String::new()
        } else {
            format!(" · {}", lang.family_note(&self.family))
        };
        format!(
            "{} · {}{} · {}",
            lang.size(self.size),
            lang.resource_status(&self.status),
            family,
            self.id
        )
    }
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
pub fn image_details(image: &compute::Image, lang: Lang) -> Vec<(&'static str, String)> {
    let w = lang.words();
    let mut labels: Vec<_> = image
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    labels.sort();
    let os = image.os.as_ref();
    let os_type = match os.map(|o| o.r#type()) {
        Some(compute::os::Type::Linux) => "Linux",
        Some(compute::os::Type::Windows) => "Windows",
        _ => w.not_set,
    };
    let nvidia = os
        .and_then(|o| o.nvidia.as_ref())
        .map(|n| n.driver.clone())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| w.not_set.to_owned());
    let generation =
        generation_of(image.hardware_generation.as_ref()).map_or(w.not_set, |g| lang.generation(g));
    let min_disk_size = if image.min_disk_size > 0 {
        lang.bytes_and_gb(image.min_disk_size)
    } else {
        w.not_set.to_owned()
    };
    let mut status = lang.resource_status(image.status().as_str_name());
    if image.status() == compute::image::Status::Creating {
        status = format!("{status}. {}", w.image_creating);
    }
    let rows = vec![
        (w.d_id, image.id.clone()),
        (w.d_name, image.name.clone()),
        (w.d_description, image.description.clone()),
        (w.d_status, status),
        (w.d_family, image.family.clone()),
        (w.d_labels, labels.join(", ")),
        (w.d_storage_size, lang.bytes_and_gb(image.storage_size)),
        (w.d_min_disk_size, min_disk_size),
        (w.d_product_ids, image.product_ids.join(", ")),
        (w.d_os_type, os_type.to_owned()),
        (w.d_nvidia, nvidia),
        (
            w.d_pooled,
            if image.pooled { w.yes } else { w.no }.to_owned(),
        ),
        (w.d_generation, generation.to_owned()),
    ];
    // An empty value is a dash, not a blank that reads as a missing line.
    rows.into_iter()
        .map(|(k, v)| (k, if v.is_empty() { "—".to_owned() } else { v }))
        .collect()
}
