//! Tidy checks, run as ordinary tests: every Rust file starts with a `//!` doc comment, no file
//! leaves a `dbg!` or a skipped test behind, and kiln-server's folders import only downwards.

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

    /// The folders of `crates/kiln-server/src` each of them may import from (itself included):
    /// http → api → engine → store → domain, and the gateway beside http.
    const SERVER_LAYERS: [(&str, &[&str]); 6] = [
        ("http", &["http", "api", "engine"]),
        ("api", &["api", "engine", "domain"]),
        ("engine", &["engine", "store", "domain"]),
        ("store", &["store", "domain"]),
        ("domain", &["domain"]),
        ("gateway", &["gateway", "http", "api"]),
    ];

    /// The module names a file's text reaches through `crate::`, `crate::{a, b::c}` included.
    fn crate_paths(text: &str) -> Vec<String> {
        let ident = |rest: &str| -> String {
            rest.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut found = Vec::new();
        for (at, start) in text.match_indices("crate::") {
            let rest = &text[at + start.len()..];
            let Some(group) = rest.strip_prefix('{') else {
                found.push(ident(rest));
                continue;
            };
            // The names at the group's top level: after `{` and after each `,` at depth 0.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                if item_start && !c.is_whitespace() && c != ',' {
                    // A trailing comma leaves an empty item before the `}`.
                    if depth == 0 && c != '}' {
                        found.push(ident(&group[i..]));
                    }
                    item_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    _ => {}
                }
            }
        }
        found
    }

    #[test]
    fn crate_paths_are_read_from_groups_too() {
        let text = "use crate::{\n    api::auth::{A, B},\n    engine::Engine,\n};\nx = crate::domain::f();";
        assert_eq!(crate_paths(text), ["api", "engine", "domain"]);
    }

    #[test]
    fn the_servers_folders_import_only_downwards() {
        let src = project_root().join("crates/kiln-server/src");
        let mut checked = 0;
        for (folder, allowed) in SERVER_LAYERS {
            let mut files = Vec::new();
            rust_files(&src.join(folder), &mut files);
            assert!(
                !files.is_empty(),
                "crates/kiln-server/src/{folder} has no files"
            );
            for file in files {
                let text = fs::read_to_string(&file).unwrap();
                for path in crate_paths(&text) {
                    checked += 1;
                    assert!(
                        allowed.contains(&path.as_str()),
                        "{} reaches crate::{path}: {folder}/ may import only from {allowed:?}",
                        file.display()
                    );
                }
            }
        }
        assert!(checked > 50, "only {checked} crate:: paths seen");
    }
}
