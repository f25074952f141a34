//! Integration tests of kiln-core: one binary, one module per feature.

mod conformance;
mod describer;
mod field_mask;
mod json_mapping;
mod pattern;
mod progress;
mod scan;
mod schema;
mod sdk_wire;
mod words;

// The build script's pattern describer and the words it shares with the library, compiled
// into the tests as they are into `build.rs`.
#[allow(dead_code)]
#[path = "../../src/locale.rs"]
mod locale;
#[allow(dead_code)]
#[path = "../../src/text/numbers.rs"]
mod numbers;
#[allow(dead_code)]
#[path = "../../build/pattern_gen.rs"]
mod pattern_gen;
#[allow(dead_code)]
#[path = "../../build/pattern_words.rs"]
mod pattern_words;
#[allow(dead_code)]
#[path = "../../src/text/pattern_words.rs"]
mod text;
