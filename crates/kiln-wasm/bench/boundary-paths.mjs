// The boundary's paths, measured in one process, interleaved round by round (shared by the Node
// runner boundary.mjs and the Chromium page browser/boundary.html). Needs a build with the
// `experiments` feature (see boundary.mjs). µs per call for each input:
//   api            validateCreateImageRequest(object): the package as shipped
//   text in        JSON.stringify + encodeInto into the wasm buffer, nothing validated
//   walk in        serde-wasm-bindgen's deserializer over the object (every key and value read
//                  into wasm, then dropped), nothing validated: the floor of an object input
//   wasm, shipped  validateInput on text already in the buffer, outcome by the shipped serializer
//                  (lib.rs's Contract: fixed texts as unit variants, the text cache)
//   wasm, derived  the same with the outcome's derived Serialize (every text decoded each call)
import { invalid, valid } from "./inputs.mjs";

const CREATE = "yandex.cloud.compute.v1.CreateImageRequest";

export function measureBoundary(raw, memory, bind, rounds = 40, calls = 2000) {
  const api = bind(raw, memory);
  const index = raw.messageNames().indexOf(CREATE);
  const encoder = new TextEncoder();
  const write = (input) => {
    const json = JSON.stringify(input);
    const address = raw.inputBuffer(json.length * 3);
    return encoder.encodeInto(json, new Uint8Array(memory.buffer, address, json.length * 3)).written;
  };
  const paths = {
    api: (input) => () => api.validateCreateImageRequest(input),
    "text in": (input) => () => write(input),
    "walk in": (input) => () => raw.walkObject(input),
    "wasm, shipped": (input) => { const n = write(input); return () => raw.validateInput(index, n); },
    "wasm, derived": (input) => { const n = write(input); return () => raw.validateInputDerived(index, n); },
  };
  const time = (f) => {
    for (let i = 0; i < 200; i++) f();
    const start = performance.now();
    for (let i = 0; i < calls; i++) f();
    return ((performance.now() - start) * 1000) / calls;
  };
  const samples = {};
  for (let round = 0; round < rounds; round++) {
    for (const [kind, input] of Object.entries({ valid, invalid })) {
      for (const [path, make] of Object.entries(paths)) (samples[`${path}|${kind}`] ??= []).push(time(make(input)));
    }
  }
  const rows = [];
  for (const path of Object.keys(paths)) {
    const stat = (kind) => {
      const xs = samples[`${path}|${kind}`].sort((a, b) => a - b);
      return { min: xs[0], median: xs[Math.floor(xs.length / 2)] };
    };
    rows.push({ path, valid: stat("valid"), invalid: stat("invalid") });
  }
  return rows;
}

export function boundaryTable(rows) {
  const f = (s) => `${s.min.toFixed(2)} / ${s.median.toFixed(2)}`;
  return ["| path | valid µs (min / median) | invalid µs (min / median) |", "|---|---:|---:|",
    ...rows.map((r) => `| ${r.path} | ${f(r.valid)} | ${f(r.invalid)} |`)].join("\n");
}
