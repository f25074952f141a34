//! The Edit of an image's name, description and labels: the form as typed, checked by the
//! core against `UpdateImageRequest`'s rules (the same rules and words as Create's), and the
//! request with an `update_mask` of what changed.

use kiln_core::proto::yandex::cloud::compute::v1::{Image, UpdateImageRequest};
use kiln_core::validate::{Outcome, validate_str_in};

use crate::form::{FieldError, field_of, quote, repeated_keys};
use crate::text::Lang;

/// The message the core checks an Edit against.
const UPDATE_IMAGE_REQUEST: &str = "yandex.cloud.compute.v1.UpdateImageRequest";

/// The editable part of an image, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageEdit {
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `labels` as rows; rows with both halves empty are left out.
    pub labels: Vec<(String, String)>,
}

impl ImageEdit {
    /// The image's values, to start editing from.
    pub fn of(image: &Image) -> ImageEdit {
        ImageEdit {
            name: image.name.clone(),
            description: image.description.clone(),
            labels: image
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    fn label_rows(&self) -> impl Iterator<Item = &(String, String)> {
        self.labels
            .iter()
            .filter(|(k, v)| !(k.is_empty() && v.is_empty()))
    }

    /// The fields that differ from `before`, as `update_mask` paths.
    pub fn changed(&self, before: &ImageEdit) -> Vec<&'static str> {
        let mut paths = Vec::new();
        if self.name != before.name {
            paths.push("name");
        }
        if self.description != before.description {
            paths.push("description");
        }
        let sorted = |e: &ImageEdit| {
            let mut rows: Vec<_> = e.label_rows().cloned().collect();
            rows.sort();
            rows
        };
        if sorted(self) != sorted(before) {
            paths.push("labels");
        }
        paths
    }

    /// The request as proto3 JSON (what the core checks), without the mask (it has no rule).
    pub fn to_json(&self, image_id: &str) -> String {
        let mut out = format!("{{\"imageId\": {}", quote(image_id));
        out.push_str(&format!(", \"name\": {}", quote(&self.name)));
        out.push_str(&format!(", \"description\": {}", quote(&self.description)));
        out.push_str(", \"labels\": {");
        for (i, (k, v)) in self.label_rows().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("{}: {}", quote(k), quote(v)));
        }
        out.push_str("}}");
        out
    }

    /// Every problem, on the field it belongs to (a label key given twice, then the core's).
    pub fn check(&self, image_id: &str, lang: Lang) -> Vec<FieldError> {
        let mut errors = repeated_keys(self.label_rows(), lang);
        match validate_str_in(UPDATE_IMAGE_REQUEST, &self.to_json(image_id), lang.core()) {
            Outcome::Valid => {}
            Outcome::Invalid { violations } => {
                for v in violations {
                    if errors.iter().any(|e| e.path == v.field) {
                        continue;
                    }
                    errors.push(FieldError {
                        field: field_of(&v.field).unwrap_or("name"),
                        path: v.field,
                        message: v.message,
                    });
                }
            }
            Outcome::Error { error } => errors.push(FieldError {
                field: "name",
                path: String::new(),
                message: error,
            }),
        }
        errors
    }

    /// The Update request for what changed since `before` (an empty mask: nothing to send).
    pub fn to_request(&self, image_id: &str, before: &ImageEdit) -> UpdateImageRequest {
        UpdateImageRequest {
            image_id: image_id.to_owned(),
            update_mask: Some(prost_types::FieldMask {
                paths: self
                    .changed(before)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            }),
            name: self.name.clone(),
            description: self.description.clone(),
            labels: self.label_rows().cloned().collect(),
            ..Default::default()
        }
    }
}
