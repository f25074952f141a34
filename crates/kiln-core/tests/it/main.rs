//! Integration tests of kiln-core: one binary, one module per feature.

mod conformance;
mod json_mapping;
mod json_tree;
mod pattern;
mod schema;
mod sdk_wire;
