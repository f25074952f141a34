//! The development data: `dev-folder` with disks, snapshots and an image of realistic sizes,
//! written once into a new database.

use kiln_core::proto::yandex::cloud::compute::v1::{
    Disk, HardwareGeneration, Image, LegacyHardwareFeatures, Os, PciTopology, Snapshot, disk,
    hardware_generation, image, os, snapshot,
};

use crate::auth::DEV_FOLDER;

const GIB: i64 = 1 << 30;

/// The seeded disks, snapshots and images.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seed {
    /// Disks.
    pub disks: Vec<Disk>,
    /// Snapshots.
    pub snapshots: Vec<Snapshot>,
    /// Images.
    pub images: Vec<Image>,
}

/// What a new database starts with.
pub fn development() -> Seed {
    let gen_1_2 = Some(HardwareGeneration {
        features: Some(hardware_generation::Features::LegacyFeatures(
            LegacyHardwareFeatures {
                pci_topology: PciTopology::V2 as i32,
            },
        )),
    });
    let created_at = Some(prost_types::Timestamp {
        seconds: 1_764_547_200,
        nanos: 0,
    });
    let disks = [
        ("fhm0dev0disk0ubuntu1", "ubuntu-boot", 20 * GIB),
        ("fhm0dev0disk0data001", "postgres-data", 100 * GIB),
        ("fhm0dev0disk0win0001", "windows-boot", 50 * GIB),
    ]
    .map(|(id, name, size)| Disk {
        id: id.into(),
        folder_id: DEV_FOLDER.into(),
        created_at,
        name: name.into(),
        type_id: "network-ssd".into(),
        zone_id: "ru-central1-a".into(),
        size,
        block_size: 4096,
        status: disk::Status::Ready as i32,
        hardware_generation: gen_1_2.clone(),
        ..Default::default()
    });
    let snapshots = [
        (
            "fd80dev0snap0ubuntu1",
            "ubuntu-boot-2026-11-01",
            "fhm0dev0disk0ubuntu1",
            20 * GIB,
            4 * GIB,
        ),
        (
            "fd80dev0snap0data001",
            "postgres-data-nightly",
            "fhm0dev0disk0data001",
            100 * GIB,
            37 * GIB,
        ),
    ]
    .map(
        |(id, name, source_disk_id, disk_size, storage_size)| Snapshot {
            id: id.into(),
            source_disk_id: source_disk_id.into(),
            folder_id: DEV_FOLDER.into(),
            created_at,
            name: name.into(),
            storage_size,
            disk_size,
            status: snapshot::Status::Ready as i32,
            hardware_generation: gen_1_2.clone(),
            ..Default::default()
        },
    );
    let image = Image {
        id: "fd80dev0image0ubuntu".into(),
        folder_id: DEV_FOLDER.into(),
        created_at,
        name: "ubuntu-2404-base".into(),
        description: "Ubuntu 24.04 LTS base image".into(),
        family: "ubuntu-2404".into(),
        storage_size: 3 * GIB,
        size: 3 * GIB,
        min_disk_size: 10 * GIB,
        status: image::Status::Ready as i32,
        os: Some(Os {
            r#type: os::Type::Linux as i32,
            nvidia: None,
        }),
        hardware_generation: gen_1_2,
        ..Default::default()
    };
    Seed {
        disks: disks.into(),
        snapshots: snapshots.into(),
        images: vec![image],
    }
}
