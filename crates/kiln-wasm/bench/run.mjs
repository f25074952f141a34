// Side-by-side benchmark of kiln-validator and the validators people use today, each encoding
// the same CreateImageRequest rules (validators/*.mjs). One run measures, for each library:
// validations per second (valid and invalid request), minified+gzip browser bundle size, and cold
// start (import + first validation, fresh process). Bounded: about a minute in all.
//
//   cargo xtask npm && (cd crates/kiln-wasm/bench && npm install && node run.mjs)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { invalid, valid } from "./inputs.mjs";

const LIBRARIES = ["kiln", "ajv", "valibot", "zod", "protovalidate"];
const ROUNDS = 5;
const SECONDS = 0.4;

function rate(validate, input) {
  for (let i = 0; i < 2000; i++) validate(input); // warm up
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let i = 0; i < 500; i++) validate(input);
    count += 500;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bundleSize(name) {
  const result = await build({
    entryPoints: [`validators/${name}.mjs`],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  let bytes = gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
  if (name === "kiln") {
    bytes += gzipSync(readFileSync("node_modules/kiln-validator/kiln_wasm_bg.wasm"), { level: 9 }).length;
  }
  return bytes;
}

function coldStart(name) {
  const runs = Array.from({ length: 5 }, () => Number(execFileSync("node", ["cold.mjs", name], { encoding: "utf8" })));
  return median(runs);
}

const rows = [];
for (const name of LIBRARIES) {
  const { validate } = await import(`./validators/${name}.mjs`);
  const counts = [validate(valid), validate(invalid)];
  if (counts[0] !== 0 || counts[1] < 1) throw new Error(`${name} disagrees on the inputs: ${counts}`);
  rows.push({ name, validate, violations: counts[1], valid: [], invalid: [] });
}
for (let round = 0; round < ROUNDS; round++) {
  for (const row of rows) {
    row.valid.push(rate(row.validate, valid));
    row.invalid.push(rate(row.validate, invalid));
  }
}
for (const row of rows) {
  row.bundle = await bundleSize(row.name);
  row.cold = coldStart(row.name);
}

const k = (x) => `${Math.round(median(x) / 1000)}k`;
console.log(`# kiln-validator benchmark, ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}`);
console.log(`median of ${ROUNDS} rounds of ${SECONDS} s per cell\n`);
console.log("| library | valid/s | invalid/s | violations reported | bundle (min+gzip) | cold start |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(`| ${row.name} | ${k(row.valid)} | ${k(row.invalid)} | ${row.violations} | ${(row.bundle / 1024).toFixed(1)} KB | ${row.cold.toFixed(1)} ms |`);
}
// Ratios are taken round by round (libraries run back to back within a round), then the
// median: steadier than a ratio of medians on a machine whose speed drifts.
const kiln = rows[0];
const ratio = (other, key) => median(kiln[key].map((x, i) => x / other[key][i]));
for (const name of ["protovalidate", "valibot", "ajv"]) {
  const other = rows.find((r) => r.name === name);
  console.log(`kiln vs ${name}: ${ratio(other, "valid").toFixed(2)}× valid, ${ratio(other, "invalid").toFixed(2)}× invalid`);
}
