// A/B of two builds of the package in one process, interleaved round by round so the
// machine's drift hits both alike: `node ab.mjs DIR_A DIR_B` (each a built
// target/npm/kiln-validator copy). Prints the median µs per wasm call, valid and invalid.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { invalid, valid } from "./inputs.mjs";

const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
const load = async (dir) => {
  const raw = await import(`${dir}/kiln_wasm.js`);
  raw.initSync({ module: readFileSync(`${dir}/kiln_wasm_bg.wasm`) });
  return { raw, index: raw.messageNames().indexOf("yandex.cloud.compute.v1.CreateImageRequest") };
};
const builds = { A: await load(dirA), B: await load(dirB) };
const texts = { valid: JSON.stringify(valid), invalid: JSON.stringify(invalid) };
const time = ({ raw, index }, text) => {
  const n = 50_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) raw.validateJson(index, text);
  return ((performance.now() - start) * 1000) / n;
};
const samples = {};
for (let round = 0; round < 11; round++) {
  for (const [name, build] of Object.entries(builds)) {
    for (const [kind, text] of Object.entries(texts)) (samples[`${name} ${kind}`] ??= []).push(time(build, text));
  }
}
for (const [label, xs] of Object.entries(samples)) {
  xs.sort((a, b) => a - b);
  console.log(`${label}: ${xs[Math.floor(xs.length / 2)].toFixed(2)} µs`);
}
