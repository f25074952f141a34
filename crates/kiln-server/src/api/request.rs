//! The parts of a request the core's validation does not read: the `update_mask` paths, the
//! `idempotency-key` metadata, `order_by` and `filter` of an image List. Each is read into a
//! typed value, or refused with INVALID_ARGUMENT naming the field.

use kiln_core::proto::yandex::cloud::compute::v1::UpdateImageRequest;
use prost_reflect::ReflectMessage;
use tonic::{Request, Status};

use crate::{
    api::errors::invalid_field,
    engine::{ImageOrder, OrderColumn},
};

/// `update_mask.paths`, each naming a field of the request by its proto or its JSON name:
/// each path's index and its proto spelling, a field named twice kept once; INVALID_ARGUMENT on
/// `update_mask.paths[i]` for any other path.
pub fn mask_paths(
    request: &UpdateImageRequest,
    paths: Vec<String>,
) -> Result<Vec<(usize, String)>, Status> {
    let descriptor = request.descriptor();
    let mut found: Vec<(usize, String)> = Vec::with_capacity(paths.len());
    for (index, path) in paths.into_iter().enumerate() {
        let canonical = kiln_core::reflect::field_mask_paths(&descriptor, &[path])
            .map_err(|e| invalid_field(&format!("update_mask.paths[{index}]"), e.to_string()))?;
        for name in canonical {
            if !found.iter().any(|(_, n)| *n == name) {
                found.push((index, name));
            }
        }
    }
    Ok(found)
}

/// The `idempotency-key` metadata, if sent (at most 64 printable characters, e.g. a UUID).
pub fn idempotency_key<T>(request: &Request<T>) -> Result<Option<String>, Status> {
    let Some(value) = request.metadata().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 64)
        .ok_or_else(|| {
            Status::invalid_argument("idempotency-key must be 1 to 64 printable characters")
        })?;
    Ok(Some(key.to_owned()))
}

/// `order_by`: `<field> [asc|desc]` with field `id` (the default), `name` or `createdAt`.
pub fn parse_order_by(order_by: &str) -> Result<ImageOrder, Status> {
    let mut words = order_by.split_whitespace();
    let column = match words.next() {
        None | Some("id") => OrderColumn::Id,
        Some("name") => OrderColumn::Name,
        Some("createdAt" | "created_at") => OrderColumn::CreatedAt,
        Some(other) => {
            return Err(invalid_field(
                "order_by",
                format!("order_by: cannot order by {other:?}: use id, name or createdAt"),
            ));
        }
    };
    let descending = match words.next() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(invalid_field(
                "order_by",
                format!("order_by: {other:?} is not asc or desc"),
            ));
        }
    };
    if words.next().is_some() {
        return Err(invalid_field(
            "order_by",
            "order_by: one field and a direction".into(),
        ));
    }
    Ok(ImageOrder { column, descending })
}

/// The supported filter: empty, or `name="..."` (the API's `<field> = <value>` form).
pub fn parse_name_filter(filter: &str) -> Result<Option<String>, Status> {
    let filter = filter.trim();
    if filter.is_empty() {
        return Ok(None);
    }
    let value = filter
        .strip_prefix("name")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('='))
        .map(str::trim)
        .and_then(|v| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
        .ok_or_else(|| {
            invalid_field(
                "filter",
                format!("unsupported filter {filter:?}: use name=\"...\""),
            )
        })?;
    Ok(Some(value.to_owned()))
}
