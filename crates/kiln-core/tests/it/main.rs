//! Integration tests of kiln-core: one binary, one module per feature.

mod conformance;
mod field_mask;
mod json_mapping;
mod pattern;
mod scan;
mod schema;
mod sdk_wire;
