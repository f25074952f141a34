// Which way across the boundary is faster (BENCHMARKS.md, "The boundary"), on the Node running
// this file: `node boundary.mjs [DIR]` with DIR a build with the `experiments` feature
// (default ../../../target/npm-exp), made by:
//   cargo build --profile npm -p kiln-wasm --features experiments --target wasm32-unknown-unknown
//   wasm-bindgen --target web --no-typescript --out-name kiln_wasm --out-dir target/npm-exp \
//     target/wasm32-unknown-unknown/npm/kiln_wasm.wasm
//   wasm-opt -Oz ... (as crates/xtask/src/npm.rs); cp crates/kiln-wasm/npm/*.js target/npm-exp/
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { boundaryTable, measureBoundary } from "./boundary-paths.mjs";

const dir = resolve(process.argv[2] ?? new URL("../../../target/npm-exp", import.meta.url).pathname);
const raw = await import(pathToFileURL(`${dir}/kiln_wasm.js`).href);
const { bind } = await import(pathToFileURL(`${dir}/api.js`).href);
const { memory } = raw.initSync({ module: readFileSync(`${dir}/kiln_wasm_bg.wasm`) });
console.log(`node ${process.version}`);
console.log(boundaryTable(measureBoundary(raw, memory, bind)));
