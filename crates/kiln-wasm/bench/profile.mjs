// Where an invalid call's time goes: `node --cpu-prof --cpu-prof-dir=DIR profile.mjs BUILD
// [valid|invalid]` with BUILD a package build that keeps its function names (see BENCHMARKS.md),
// then `node profile.mjs --summary DIR/*.cpuprofile` prints self time per function.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { invalid, valid } from "./inputs.mjs";

if (process.argv[2] === "--summary") {
  const profile = JSON.parse(readFileSync(process.argv[3], "utf8"));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  let total = 0;
  for (const [id, us] of counts) {
    const { functionName, url } = byId.get(id).callFrame;
    const name = `${functionName || "(anonymous)"} ${url.split("/").pop()}`;
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 30));
  for (const [name, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
} else {
  const dir = process.argv[2];
  const raw = await import(pathToFileURL(`${dir}/kiln_wasm.js`).href);
  const { bind } = await import(pathToFileURL(`${dir}/api.js`).href);
  const { memory } = raw.initSync({ module: readFileSync(`${dir}/kiln_wasm_bg.wasm`) });
  const api = bind(raw, memory);
  const input = process.argv[3] === "valid" ? valid : invalid;
  for (let i = 0; i < 400_000; i++) api.validateCreateImageRequest(input);
}
