// µs per call of kiln, valibot and protovalidate-es in one process, interleaved: the least
// disturbed (min) and the median of 40 rounds (4000 calls; 400 for protovalidate-es). The per-call
// figures behind BENCHMARKS.md's "what would close the gap":  node percall.mjs
import { invalid, valid } from "./inputs.mjs";

const libs = {};
for (const name of ["valibot", "kiln", "protovalidate"]) libs[name] = (await import(`./validators/${name}.mjs`)).validate;
const time = (f, x, n) => {
  const start = performance.now();
  for (let i = 0; i < n; i++) f(x);
  return ((performance.now() - start) * 1000) / n;
};
const samples = {};
for (let round = 0; round < 40; round++) {
  for (const [name, f] of Object.entries(libs)) {
    for (const [kind, x] of Object.entries({ valid, invalid })) {
      (samples[`${name} ${kind}`] ??= []).push(time(f, x, name === "protovalidate" ? 400 : 4000));
    }
  }
}
console.log(`node ${process.version}`);
for (const [label, xs] of Object.entries(samples)) {
  xs.sort((a, b) => a - b);
  console.log(`${label}: min ${xs[0].toFixed(2)}  median ${xs[20].toFixed(2)} µs`);
}
