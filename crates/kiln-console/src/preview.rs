//! The form's request as a `yc compute image create` command (api-facts §7) and as a Terraform
//! `yandex_compute_image` resource (api-facts §8). The proto3 JSON preview is `Form::to_json`.

use crate::form::{Form, Generation, OsType, SourceKind, quote};

/// A shell word: left bare when it holds only safe characters, else single-quoted.
fn shell(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./@:=,+%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `yc` command that sends the same request, one flag per line.
pub fn yc_command(form: &Form) -> String {
    let mut flags: Vec<String> = Vec::new();
    let mut flag = |name: &str, value: &str| {
        if !value.is_empty() {
            flags.push(format!("--{name} {}", shell(value)));
        }
    };
    flag("folder-id", &form.folder_id);
    flag("name", &form.name);
    flag("description", &form.description);
    let labels: Vec<String> = form.label_rows().map(|(k, v)| format!("{k}={v}")).collect();
    flag("labels", &labels.join(","));
    flag("family", &form.family);
    flag("min-disk-size", form.min_disk_size_gb.trim());
    let products: Vec<&str> = form.product_rows().map(String::as_str).collect();
    flag("product-ids", &products.join(","));
    let source = match form.source {
        SourceKind::Image => "source-image-id",
        SourceKind::Disk => "source-disk-id",
        SourceKind::Snapshot => "source-snapshot-id",
        SourceKind::Uri => "source-uri",
    };
    flag(source, &form.source_value);
    match form.os_type {
        OsType::Unspecified => {}
        OsType::Linux => flag("os-type", "linux"),
        OsType::Windows => flag("os-type", "windows"),
    }
    match form.generation {
        Generation::Inherit => {}
        Generation::Gen11 => {
            flag("hardware-generation-id", "legacy");
            flag("hardware-features", "pci_topology=v1");
        }
        Generation::Gen12 => {
            flag("hardware-generation-id", "legacy");
            flag("hardware-features", "pci_topology=v2");
        }
        Generation::Gen2 => flag("hardware-generation-id", "generation2"),
    }
    if form.pooled {
        flags.push("--pooled".into());
    }
    let mut text = String::from("yc compute image create");
    for f in flags {
        text.push_str(" \\\n  ");
        text.push_str(&f);
    }
    if !form.nvidia_driver.is_empty() {
        text.push_str("\n# yc has no flag for os.nvidia.driver; send the JSON request instead");
    }
    text
}

/// An HCL string literal (JSON escapes, with `${` and `%{` kept literal).
fn hcl(s: &str) -> String {
    quote(s).replace("${", "$${").replace("%{", "%%{")
}

/// The Terraform resource that creates the same image.
pub fn terraform(form: &Form) -> String {
    let local: String = match form.name.as_str() {
        "" => "image".into(),
        name => name.replace('-', "_"),
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut row = |key: &'static str, value: &str| {
        if !value.is_empty() {
            rows.push((key, hcl(value)));
        }
    };
    row("folder_id", &form.folder_id);
    row("name", &form.name);
    row("description", &form.description);
    row("family", &form.family);
    let source = match form.source {
        SourceKind::Image => "source_image",
        SourceKind::Disk => "source_disk",
        SourceKind::Snapshot => "source_snapshot",
        SourceKind::Uri => "source_url",
    };
    row(source, &form.source_value);
    match form.os_type {
        OsType::Unspecified => {}
        OsType::Linux => row("os_type", "LINUX"),
        OsType::Windows => row("os_type", "WINDOWS"),
    }
    let gb = form.min_disk_size_gb.trim();
    if !gb.is_empty() {
        // Terraform takes GB as a number; a non-number is shown as typed, for the user to fix.
        let value = if gb.parse::<i64>().is_ok() {
            gb.to_owned()
        } else {
            hcl(gb)
        };
        rows.push(("min_disk_size", value));
    }
    if form.pooled {
        rows.push(("pooled", "true".into()));
    }
    let products: Vec<String> = form.product_rows().map(|p| hcl(p)).collect();
    if !products.is_empty() {
        rows.push(("product_ids", format!("[{}]", products.join(", "))));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut text = format!("resource \"yandex_compute_image\" {} {{\n", hcl(&local));
    for (key, value) in rows {
        text.push_str(&format!("  {key:width$} = {value}\n"));
    }
    let labels: Vec<_> = form.label_rows().collect();
    if !labels.is_empty() {
        text.push_str("\n  labels = {\n");
        for (k, v) in labels {
            text.push_str(&format!("    {} = {}\n", hcl(k), hcl(v)));
        }
        text.push_str("  }\n");
    }
    let topology = match form.generation {
        Generation::Inherit => None,
        Generation::Gen11 => Some("PCI_TOPOLOGY_V1"),
        Generation::Gen12 => Some("PCI_TOPOLOGY_V2"),
        Generation::Gen2 => {
            text.push_str("\n  hardware_generation {\n    generation2_features {}\n  }\n");
            None
        }
    };
    if let Some(t) = topology {
        text.push_str(&format!(
            "\n  hardware_generation {{\n    legacy_features {{\n      pci_topology = \"{t}\"\n    }}\n  }}\n"
        ));
    }
    if !form.nvidia_driver.is_empty() {
        text.push_str("\n  # the provider has no argument for os.nvidia.driver\n");
    }
    text.push('}');
    text
}
