//! Tidy checks, run as ordinary tests: every Rust file starts with a `//!` doc comment, and no
//! file leaves a `dbg!` or a skipped test behind.

#[cfg(test)]
mod tests {
    use std::{fs, path::Path};

    use crate::util::project_root;

    fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn every_rust_file_is_documented_and_clean() {
        let mut files = Vec::new();
        rust_files(&project_root().join("crates"), &mut files);
        assert!(files.len() > 10);
        let skip = ["#[", "ignore]"].concat();
        let debug = ["dbg", "!("].concat();
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            assert!(
                text.starts_with("//!"),
                "{} must start with a //! doc comment",
                file.display()
            );
            assert!(!text.contains(&debug), "{} has a {debug}", file.display());
            assert!(!text.contains(&skip), "{} skips a test", file.display());
        }
    }
}
