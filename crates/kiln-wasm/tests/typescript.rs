//! `npm/types.d.ts` is generated from `proto/` and committed; this fails when it is stale.
//! `UPDATE_TYPES=1 cargo test -p kiln-wasm` rewrites it.

#[test]
fn types_d_ts_is_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("npm/types.d.ts");
    let fresh = kiln_wasm::typescript::declarations();
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "npm/types.d.ts is stale: run `UPDATE_TYPES=1 cargo test -p kiln-wasm`"
    );
    assert!(fresh.contains("export interface CreateImageRequest {\n  folderId?: string | null;"));
    // The rule ids' union, one line per id of `Rule::ALL`, as `index.d.ts` imports it.
    let union: String = kiln_core::Rule::ALL
        .iter()
        .map(|r| format!("\n  | \"{}\"", r.as_str()))
        .collect();
    assert!(
        fresh.contains(&format!("export type Rule ={union};\n")),
        "{fresh}"
    );
    assert!(fresh.contains("\n  | \"map_key.length\"\n"));
    let index = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("npm/index.d.ts"),
    )
    .unwrap();
    assert!(index.contains("RequestTypes, Rule } from \"./types.js\""));
    assert!(index.contains("  rule: Rule;\n"));
    assert!(
        !index.contains("\"map_key.length\""),
        "index.d.ts restates the rule ids"
    );
}
