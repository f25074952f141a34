//! Compiles `proto/` with protox (no system protoc) and generates two things into `OUT_DIR`:
//! the prost types (`protos.rs` and one file per package), and the validation schema
//! (`schema.rs`): static tables read from the `yandex.cloud` validation annotations, so a new
//! annotation in a `.proto` file is a new check without touching Rust code.

// The words and the locales are shared with the library: the pattern texts generated here
// and the messages written at run time come from one vocabulary.
#[allow(dead_code)]
#[path = "src/locale.rs"]
mod locale;
#[path = "build/pattern_gen.rs"]
mod pattern_gen;
#[path = "build/pattern_words.rs"]
mod pattern_words;
#[path = "build/schema_gen.rs"]
mod schema_gen;
// Only the pattern words and the numbers they use: the other texts are not part of this
// script, so rewording a message does not rerun code generation.
#[allow(dead_code)]
#[path = "src/text/numbers.rs"]
mod numbers;
#[allow(dead_code)]
#[path = "src/text/pattern_words.rs"]
mod text;

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let proto_root = manifest
        .join("../../proto")
        .canonicalize()
        .expect("proto/ folder");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed={}", proto_root.display());
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=src/text/numbers.rs");
    println!("cargo:rerun-if-changed=src/text/pattern_words.rs");
    println!("cargo:rerun-if-changed=src/locale.rs");

    let files = proto_files(&proto_root);
    let mut compiler = protox::Compiler::new([&proto_root]).expect("protox compiler");
    compiler.include_imports(true).include_source_info(false);
    for file in &files {
        compiler.open_file(file).unwrap_or_else(|e| panic!("{e:?}"));
    }
    let fds = compiler.file_descriptor_set();
    let pool = compiler.descriptor_pool();
    fs::write(
        out.join("descriptor_set.bin"),
        compiler.encode_file_descriptor_set(),
    )
    .expect("write descriptor set");

    let mut config = prost_build::Config::new();
    config.btree_map(["."]);
    config.include_file("protos.rs");
    for message in pool.all_messages() {
        if message.package_name().starts_with("google.protobuf") || message.is_map_entry() {
            continue;
        }
        config.type_attribute(
            message.full_name(),
            format!(
                "#[cfg_attr(feature = \"reflect\", derive(::prost_reflect::ReflectMessage), \
                 prost_reflect(descriptor_pool = \"crate::reflect::DESCRIPTOR_POOL\", \
                 message_name = \"{}\"))]",
                message.full_name()
            ),
        );
    }
    config.compile_fds(fds).expect("prost-build");

    fs::write(out.join("schema.rs"), schema_gen::generate(&pool)).expect("write schema.rs");
}

fn proto_files(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read proto dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                // Cargo's check of a directory does not see files added to a new folder in it:
                // each folder is named, so adding a file (or a folder) reruns this script.
                println!("cargo:rerun-if-changed={}", path.display());
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push(rel);
            }
        }
    }
    found.sort();
    found
}
