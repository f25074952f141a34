// A/B of two builds of the package in one process, interleaved round by round so the
// machine's drift hits both alike: `node ab.mjs DIR_A DIR_B` (each a built
// target/npm/kiln-validator copy). Prints the median µs per validateCreateImageRequest call
// through the public API (object input), valid and invalid.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { invalid, valid } from "./inputs.mjs";

const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
const load = (dir) => import(pathToFileURL(`${dir}/node.js`).href);
const builds = { A: await load(dirA), B: await load(dirB) };
const inputs = { valid, invalid };
const time = (kiln, input) => {
  const n = 40_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) kiln.validateCreateImageRequest(input);
  return ((performance.now() - start) * 1000) / n;
};
const samples = {};
for (let round = 0; round < 11; round++) {
  for (const [name, kiln] of Object.entries(builds)) {
    for (const [kind, input] of Object.entries(inputs)) (samples[`${name} ${kind}`] ??= []).push(time(kiln, input));
  }
}
for (const [label, xs] of Object.entries(samples)) {
  xs.sort((a, b) => a - b);
  console.log(`${label}: ${xs[Math.floor(xs.length / 2)].toFixed(2)} µs`);
}
