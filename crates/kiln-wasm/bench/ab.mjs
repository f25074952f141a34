// A/B of builds of the package in one process, interleaved round by round so the machine's
// drift hits them alike: `node ab.mjs DIR_A DIR_B [...]` (each a built target/npm/kiln-validator
// copy; `DIR#ru` calls the API with `{ locale: "ru" }`, a copy of a folder is a second build). For each build and input (valid, invalid), µs per call over 60 rounds of 4000 calls:
// the minimum (the least disturbed round: the steadiest figure on this shared machine), the 10th
// percentile and the median, for two paths:
//   api   validateCreateImageRequest(object), the public API;
//   wasm  the wasm export alone on input already written into its buffer (no JSON.stringify, no
//         result objects): the Rust side and the boundary crossing.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { invalid, valid } from "./inputs.mjs";

const CREATE = "yandex.cloud.compute.v1.CreateImageRequest";
const inputs = { valid, invalid };
const encoder = new TextEncoder();

async function load(dir) {
  const url = (file) => pathToFileURL(`${dir}/${file}`).href;
  // The wasm-bindgen module keeps its instance in module state: one import per build folder.
  const raw = await import(url("kiln_wasm.js"));
  const { bind } = await import(url("api.js"));
  const { memory } = raw.initSync({ module: readFileSync(`${dir}/kiln_wasm_bg.wasm`) });
  const api = bind(raw, memory);
  const index = raw.messageNames().indexOf(CREATE);
  const wasmOnly = (input) => {
    const json = JSON.stringify(input);
    const address = raw.inputBuffer(json.length * 3);
    const length = encoder.encodeInto(json, new Uint8Array(memory.buffer, address, json.length * 3)).written;
    return () => raw.validateInput(index, length);
  };
  return { api, wasmOnly };
}

const dirs = process.argv.slice(2);
const builds = await Promise.all(dirs.map(async (arg) => {
  const [dir, locale] = arg.split("#");
  return { dir: arg, options: locale ? { locale } : undefined, ...(await load(resolve(dir))) };
}));
const time = (f, n) => {
  const start = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - start) * 1000) / n;
};
const samples = {};
for (let round = 0; round < 60; round++) {
  for (const build of builds) {
    for (const [kind, input] of Object.entries(inputs)) {
      (samples[`${build.dir} api ${kind}`] ??= []).push(time(() => build.api.validateCreateImageRequest(input, build.options), 4000));
      (samples[`${build.dir} wasm ${kind}`] ??= []).push(time(build.wasmOnly(input), 4000));
    }
  }
}
for (const [label, xs] of Object.entries(samples)) {
  xs.sort((a, b) => a - b);
  const at = (q) => xs[Math.floor(q * (xs.length - 1))].toFixed(2);
  console.log(`${label}: min ${at(0)}  p10 ${at(0.1)}  median ${at(0.5)} µs`);
}
