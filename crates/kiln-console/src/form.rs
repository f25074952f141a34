//! The create-image form: what the user typed, the proto3 JSON and the protobuf request it
//! builds, and its violations (the core's, mapped onto the form's fields).

use kiln_core::Rule;
use kiln_core::proto::yandex::cloud::compute::v1 as compute;
use kiln_core::validate::{CREATE_IMAGE_REQUEST, Outcome, validate_str_in};
use serde::{Deserialize, Serialize};
use tonic::Code;

use crate::call::CallError;
use crate::text::Lang;

use crate::GB;

pub use crate::choices::{Generation, OsType, SourceKind};

/// The minimum disk size as typed is not a whole number of GB (the words are
/// `text::Lang::not_whole_gb`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotWholeGb;

/// The form's fields, as typed. Every text stays as entered, so a bad input loses nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    /// `folder_id`.
    pub folder_id: String,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `labels` as key/value rows; rows with both halves empty are left out.
    pub labels: Vec<(String, String)>,
    /// `family`.
    pub family: String,
    /// `min_disk_size` in GB (2^30 bytes); empty leaves it to the service.
    pub min_disk_size_gb: String,
    /// `product_ids`; empty rows are left out.
    pub product_ids: Vec<String>,
    /// Which member of `source` is set.
    pub source: SourceKind,
    /// The ID (or URI) for `source`.
    pub source_value: String,
    /// `os.type`.
    pub os_type: OsType,
    /// `os.nvidia.driver`.
    pub nvidia_driver: String,
    /// `pooled`.
    pub pooled: bool,
    /// `hardware_generation`.
    pub generation: Generation,
}

/// The form's fields, by the name of the request field (or oneof) they fill in.
pub const FIELDS: [&str; 11] = [
    "folder_id",
    "name",
    "description",
    "labels",
    "family",
    "min_disk_size",
    "product_ids",
    "source",
    "os",
    "pooled",
    "hardware_generation",
];

/// One problem, on the form field it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// One of [`FIELDS`].
    pub field: &'static str,
    /// The violation's path as the core and the service report it (`labels["Env"]`).
    pub path: String,
    /// The message, as `kiln validate` prints it.
    pub message: String,
}

impl FieldError {
    /// The text shown under the field: the message, prefixed by the path when it points inside
    /// the field (a label, a product ID).
    pub fn text(&self) -> String {
        if self.path == self.field || self.field == "source" {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }
}

/// The form field a violation path belongs to (`labels["x"]` → `labels`, `disk_id` → `source`).
/// `None` for a path that is not a CreateImageRequest field.
pub fn field_of(path: &str) -> Option<&'static str> {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    let head = match head {
        "image_id" | "disk_id" | "snapshot_id" | "uri" => "source",
        other => other,
    };
    FIELDS.iter().copied().find(|f| *f == head)
}

impl Form {
    /// A form for `folder_id` with one empty label row.
    pub fn new(folder_id: &str) -> Form {
        Form {
            folder_id: folder_id.to_owned(),
            ..Form::default()
        }
    }

    /// `min_disk_size` in bytes: `Ok(None)` when empty, `Err` when not a whole number of GB.
    pub fn min_disk_size(&self) -> Result<Option<i64>, NotWholeGb> {
        let text = self.min_disk_size_gb.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .ok()
            .and_then(|gb| gb.checked_mul(GB))
            .map(Some)
            .ok_or(NotWholeGb)
    }

    /// The label rows that go into the request (both halves empty: left out).
    pub fn label_rows(&self) -> impl Iterator<Item = &(String, String)> {
        self.labels
            .iter()
            .filter(|(k, v)| !(k.is_empty() && v.is_empty()))
    }

    /// The product IDs that go into the request (empty rows left out).
    pub fn product_rows(&self) -> impl Iterator<Item = &String> {
        self.product_ids.iter().filter(|p| !p.is_empty())
    }

    /// The request as proto3 JSON (camelCase, defaults omitted), pretty-printed in field order.
    /// This text is what the core validates, what the preview shows and what `to_request` sends.
    pub fn to_json(&self) -> String {
        let mut out = Obj::new(0);
        out.string("folderId", &self.folder_id);
        out.string("name", &self.name);
        out.string("description", &self.description);
        let labels: Vec<_> = self.label_rows().collect();
        if !labels.is_empty() {
            let mut map = out.object("labels");
            for (k, v) in labels {
                map.string_always(k, v);
            }
            map.close();
        }
        out.string("family", &self.family);
        if let Ok(Some(bytes)) = self.min_disk_size() {
            out.raw("minDiskSize", &quote(&bytes.to_string()));
        }
        let products: Vec<_> = self.product_rows().map(|p| quote(p)).collect();
        if !products.is_empty() {
            out.raw("productIds", &format!("[{}]", products.join(", ")));
        }
        out.string(self.source.json_name(), &self.source_value);
        let os_type = self.os_type.json_name();
        if os_type.is_some() || !self.nvidia_driver.is_empty() {
            let mut os = out.object("os");
            if let Some(t) = os_type {
                os.raw("type", &quote(t));
            }
            if !self.nvidia_driver.is_empty() {
                let mut nvidia = os.object("nvidia");
                nvidia.string("driver", &self.nvidia_driver);
                nvidia.close();
            }
            os.close();
        }
        if self.pooled {
            out.raw("pooled", "true");
        }
        let topology =
            |t: &str| format!("{{ \"legacyFeatures\": {{ \"pciTopology\": \"{t}\" }} }}");
        match self.generation {
            Generation::Inherit => {}
            Generation::Gen11 => out.raw("hardwareGeneration", &topology("PCI_TOPOLOGY_V1")),
            Generation::Gen12 => out.raw("hardwareGeneration", &topology("PCI_TOPOLOGY_V2")),
            Generation::Gen2 => out.raw("hardwareGeneration", "{ \"generation2Features\": {} }"),
        }
        out.finish()
    }

    /// The protobuf request that is sent (the same content as [`Form::to_json`]).
    pub fn to_request(&self) -> compute::CreateImageRequest {
        use compute::create_image_request::Source;
        use compute::hardware_generation::Features;
        let value = self.source_value.clone();
        let source = match self.source {
            _ if value.is_empty() => None,
            SourceKind::Image => Some(Source::ImageId(value)),
            SourceKind::Disk => Some(Source::DiskId(value)),
            SourceKind::Snapshot => Some(Source::SnapshotId(value)),
            SourceKind::Uri => Some(Source::Uri(value)),
        };
        let os_type = match self.os_type {
            OsType::Unspecified => compute::os::Type::Unspecified,
            OsType::Linux => compute::os::Type::Linux,
            OsType::Windows => compute::os::Type::Windows,
        };
        let os = (os_type != compute::os::Type::Unspecified || !self.nvidia_driver.is_empty())
            .then(|| compute::Os {
                r#type: os_type as i32,
                nvidia: (!self.nvidia_driver.is_empty()).then(|| compute::Nvidia {
                    driver: self.nvidia_driver.clone(),
                }),
            });
        let legacy = |t: compute::PciTopology| {
            Features::LegacyFeatures(compute::LegacyHardwareFeatures {
                pci_topology: t as i32,
            })
        };
        let features = match self.generation {
            Generation::Inherit => None,
            Generation::Gen11 => Some(legacy(compute::PciTopology::V1)),
            Generation::Gen12 => Some(legacy(compute::PciTopology::V2)),
            Generation::Gen2 => Some(Features::Generation2Features(Default::default())),
        };
        compute::CreateImageRequest {
            folder_id: self.folder_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            labels: self.label_rows().cloned().collect(),
            family: self.family.clone(),
            min_disk_size: self.min_disk_size().ok().flatten().unwrap_or(0),
            product_ids: self.product_rows().cloned().collect(),
            source,
            os,
            pooled: self.pooled,
            hardware_generation: features
                .map(|f| compute::HardwareGeneration { features: Some(f) }),
        }
    }

    /// Every problem of the form: the core's violations of the request, mapped onto fields,
    /// plus what cannot be put into a request at all (a size that is not a number, a label key
    /// given twice). Empty means the request is valid and may be sent.
    pub fn check(&self, lang: Lang) -> Vec<FieldError> {
        let mut errors = repeated_keys(self.label_rows(), lang);
        if self.min_disk_size().is_err() {
            errors.push(FieldError {
                field: "min_disk_size",
                path: "min_disk_size".into(),
                message: lang.not_whole_gb(self.min_disk_size_gb.trim()),
            });
        }
        match core_check(&self.to_json(), lang) {
            Outcome::Valid => {}
            Outcome::Invalid { violations } => {
                for v in violations {
                    if errors.iter().any(|e| e.path == v.field) {
                        continue; // the duplicate label key, already said better
                    }
                    // The form takes the size in GB: its range is said in GB too.
                    let message = match (v.field.as_str(), v.rule) {
                        ("min_disk_size", Rule::Value) => self.gb_range(lang).unwrap_or(v.message),
                        _ => v.message,
                    };
                    errors.push(FieldError {
                        field: field_of(&v.field).unwrap_or("folder_id"),
                        path: v.field,
                        message,
                    });
                }
            }
            Outcome::Error { error } => errors.push(FieldError {
                field: "folder_id",
                path: String::new(),
                message: error,
            }),
        }
        errors
    }
}

impl Form {
    /// The minimum disk size's range violation in GB, as typed (`None` if it is not a size).
    fn gb_range(&self, lang: Lang) -> Option<String> {
        let (min, max) = crate::hints::min_disk_size_gb()?;
        let typed = self.min_disk_size().ok()??;
        Some(lang.gb_range(min, max, &lang.gb(typed)))
    }

    /// Every problem of the form: the core's verdict and the form's own checks
    /// ([`Form::check`]), and a minimum disk size below `floor`, the picked source's size in
    /// bytes (the service would refuse it, so it is a problem like any other: Create says so
    /// and sends nothing). Worded as the service's own answer, so the two never stack.
    pub fn problems(&self, lang: Lang, floor: Option<i64>) -> Vec<FieldError> {
        let mut errors = self.check(lang);
        if !errors.iter().any(|e| e.field == "min_disk_size")
            && let Some(typed) = self.min_disk_size().ok().flatten()
            && let Some(floor) = floor.filter(|&f| f > typed)
        {
            errors.push(FieldError {
                field: "min_disk_size",
                path: "min_disk_size".into(),
                message: lang.min_disk_size_floor(&lang.gb(floor)),
            });
        }
        errors
    }
}

/// The texts shown under `field`: the form's problems there once they are `shown` (the field
/// was left, or Create pressed), then what the service said of it on the last Create, each
/// text once.
pub fn messages(
    field: &str,
    problems: &[FieldError],
    shown: bool,
    server: &[FieldError],
) -> Vec<String> {
    let mine = problems.iter().filter(|_| shown);
    let mut out: Vec<String> = Vec::new();
    for e in mine.chain(server).filter(|e| e.field == field) {
        let text = e.text();
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// A label key given twice, said on the second row (`labels["env"]: is given twice`): the
/// request's map would silently keep one of them.
pub fn repeated_keys<'a>(
    rows: impl Iterator<Item = &'a (String, String)>,
    lang: Lang,
) -> Vec<FieldError> {
    let mut seen = std::collections::BTreeSet::new();
    rows.filter(|(key, _)| !seen.insert(key.as_str()))
        .map(|(key, _)| FieldError {
            field: "labels",
            path: format!("labels[{}]", quote(key)),
            message: lang.words().given_twice.into(),
        })
        .collect()
}

/// A JSON string literal.
pub fn quote(s: &str) -> String {
    kiln_core::validate::json_string(s)
}

/// A pretty-printed JSON object written member by member, in order.
struct Obj {
    text: String,
    indent: usize,
    empty: bool,
}

impl Obj {
    fn new(indent: usize) -> Obj {
        Obj {
            text: String::from("{"),
            indent,
            empty: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        self.text.push('\n');
        self.text.push_str(&"  ".repeat(self.indent + 1));
        self.text.push_str(&quote(key));
        self.text.push_str(": ");
    }

    /// A string member, left out when empty (proto3 JSON omits defaults).
    fn string(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.string_always(key, value);
        }
    }

    fn string_always(&mut self, key: &str, value: &str) {
        self.raw(key, &quote(value));
    }

    fn raw(&mut self, key: &str, json: &str) {
        self.key(key);
        self.text.push_str(json);
    }

    fn object(&mut self, key: &str) -> Nested<'_> {
        self.key(key);
        Nested {
            inner: Obj::new(self.indent + 1),
            parent: self,
        }
    }

    fn finish(mut self) -> String {
        if !self.empty {
            self.text.push('\n');
            self.text.push_str(&"  ".repeat(self.indent));
        }
        self.text.push('}');
        self.text
    }
}

/// An object inside another; written into the parent on `close`.
struct Nested<'a> {
    inner: Obj,
    parent: &'a mut Obj,
}

impl Nested<'_> {
    fn close(self) {
        let text = self.inner.finish();
        self.parent.text.push_str(&text);
    }
}

impl std::ops::Deref for Nested<'_> {
    type Target = Obj;
    fn deref(&self) -> &Obj {
        &self.inner
    }
}

impl std::ops::DerefMut for Nested<'_> {
    fn deref_mut(&mut self) -> &mut Obj {
        &mut self.inner
    }
}

/// The host the real service imports from: it takes only Object Storage links (api-facts §11:
/// a soft check, not a rule of the API, so the form warns and still sends).
pub const OBJECT_STORAGE_HOST: &str = "storage.yandexcloud.net";

/// A warning for a URI source the real service would refuse (not `https://` on the Object
/// Storage host), or `None` when it looks right or is still empty.
pub fn uri_warning(uri: &str, lang: Lang) -> Option<&'static str> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    let host = uri
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| {
            let rest = &uri[8..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            authority.rsplit_once('@').map_or(authority, |(_, h)| h)
        });
    let host = host.map(|h| h.split_once(':').map_or(h, |(h, _)| h));
    match host {
        Some(h) if h.eq_ignore_ascii_case(OBJECT_STORAGE_HOST) => None,
        _ => Some(lang.words().uri_warning),
    }
}

/// The service's answer to a Create that failed, put on the form's fields, in the page's
/// language ([`Form::server_errors`] without the form: a violation the console has no words
/// for keeps the service's description).
pub fn server_errors(error: &CallError, lang: Lang) -> Vec<FieldError> {
    server_errors_of(None, error, lang)
}

impl Form {
    /// The service's answer to a Create of this form that failed, put on the form's fields in
    /// the page's language: each `BadRequest` field violation on its field, said as the core
    /// says it in `lang` when the core finds the same violation (same path, same English
    /// message) in this form, as the console words the service's sentence when it knows it
    /// (the minimum disk size, in GB), else as the service described it. Without details, the
    /// fields the status code is about (ALREADY_EXISTS: the name; NOT_FOUND and
    /// FAILED_PRECONDITION: the source; PERMISSION_DENIED: the folder) get the call's
    /// sentence ([`Lang::call_error`]). Empty when the error belongs to no field (it is shown
    /// above the form).
    pub fn server_errors(&self, error: &CallError, lang: Lang) -> Vec<FieldError> {
        server_errors_of(Some(self), error, lang)
    }
}

fn server_errors_of(form: Option<&Form>, error: &CallError, lang: Lang) -> Vec<FieldError> {
    if !error.violations.is_empty() {
        // The core's violations of the form in English (what the service describes) and in
        // the page's language, in the same order.
        let checked = |lang: Lang| match form.map(|f| core_check(&f.to_json(), lang)) {
            Some(Outcome::Invalid { violations }) => violations,
            _ => Vec::new(),
        };
        let (english, own) = (checked(Lang::En), checked(lang));
        return error
            .violations
            .iter()
            .map(|(path, description)| {
                let core = english
                    .iter()
                    .zip(&own)
                    .find(|(en, _)| en.field == *path && en.message == *description)
                    .map(|(_, own)| own.message.clone());
                FieldError {
                    field: field_of(path).unwrap_or("folder_id"),
                    path: path.clone(),
                    message: core
                        .or_else(|| lang.service_violation(description))
                        .unwrap_or_else(|| description.clone()),
                }
            })
            .collect();
    }
    if let Some(message) = disk_floor(&error.message, lang) {
        return vec![FieldError {
            field: "min_disk_size",
            path: "min_disk_size".to_owned(),
            message,
        }];
    }
    let field = match error.code {
        Code::AlreadyExists => "name",
        Code::NotFound | Code::FailedPrecondition => "source",
        Code::PermissionDenied => "folder_id",
        _ => return Vec::new(),
    };
    vec![FieldError {
        field,
        path: field.to_owned(),
        message: lang.call_error(error),
    }]
}

/// The service's words for a minimum disk size below the source's
/// (`Minimal disk size should be greater or equal than 10737418240`, api-facts §11), in GB.
pub fn disk_floor(message: &str, lang: Lang) -> Option<String> {
    match crate::service_text::ServiceSaid::parse(message)? {
        crate::service_text::ServiceSaid::MinDiskSize { bytes } => {
            Some(lang.min_disk_size_floor(&lang.gb(bytes)))
        }
        _ => None,
    }
}

/// The core's verdict on the request, its words in `lang`.
fn core_check(json: &str, lang: Lang) -> Outcome {
    validate_str_in(CREATE_IMAGE_REQUEST, json, lang.core())
}
