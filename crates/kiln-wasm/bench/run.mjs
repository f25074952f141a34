// Side-by-side benchmark of kiln-validator and the validators people use today, each encoding
// the same CreateImageRequest rules (validators/*.mjs). One run measures, for each library:
// validations per second (valid and invalid request), minified+gzip browser bundle size, and cold
// start (import + first validation, a fresh process of the same Node). Bounded: about a minute.
// browser.mjs runs the same measurement in headless Chromium.
//
//   cargo xtask npm && (cd crates/kiln-wasm/bench && npm install && node run.mjs)
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { median, measureRates, ratioLines, ROUNDS, SECONDS } from "./measure.mjs";

const LIBRARIES = ["kiln", "ajv", "valibot", "zod", "protovalidate"];

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
  const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ["cold.mjs", name], { encoding: "utf8" })));
  return median(runs);
}

const libraries = [];
for (const name of LIBRARIES) libraries.push({ name, validate: (await import(`./validators/${name}.mjs`)).validate });
const rows = measureRates(libraries);
for (const row of rows) {
  row.bundle = await bundleSize(row.name);
  row.cold = coldStart(row.name);
}

/** The package's wasm and every JS file it ships, each gzip -9 (the size target counts these). */
function shipped() {
  const dir = "node_modules/kiln-validator";
  return readdirSync(dir).filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
    .reduce((sum, f) => sum + gzipSync(readFileSync(`${dir}/${f}`), { level: 9 }).length, 0);
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
for (const line of ratioLines(rows)) console.log(line);
console.log(`kiln-validator's shipped files (gzip -9 each): ${shipped()} B`);
