// The benchmark in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// esbuild bundles browser/page.mjs (every validator and measure.mjs) for the browser, kiln's
// wasm beside the bundle as an app would ship it; a local server serves it; the page runs the
// same rounds as run.mjs. With --boundary DIR (a build with the `experiments` feature, see
// boundary.mjs) it measures the boundary's paths instead. Then, for each library, its cold
// start: a fresh page loading only that library's bundle, from navigation to the end of the first
// validation (fetching and compiling kiln's wasm included), median of 5 pages.
//
//   cargo xtask npm && (cd crates/kiln-wasm/bench && npm install && node browser.mjs)
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { boundaryTable } from "./boundary-paths.mjs";
import { median, ratioLines, ROUNDS, SECONDS } from "./measure.mjs";

const here = new URL(".", import.meta.url).pathname;
const LIBRARIES = ["kiln", "ajv", "valibot", "zod", "protovalidate"];
const boundary = process.argv[2] === "--boundary" ? resolve(process.argv[3] ?? join(here, "../../../target/npm-exp")) : null;
const out = mkdtempSync(join(tmpdir(), "kiln-bench-"));

if (!boundary) {
  await build({
    entryPoints: [join(here, "browser/page.mjs")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(out, "page.js"),
    logLevel: "error",
  });
  copyFileSync(join(here, "node_modules/kiln-validator/kiln_wasm_bg.wasm"), join(out, "kiln_wasm_bg.wasm"));
  for (const name of LIBRARIES) {
    await build({
      stdin: {
        contents: `import { validate } from "./validators/${name}.mjs";
          import { valid } from "./inputs.mjs";
          if (validate(valid) !== 0) throw new Error("${name} rejects the valid request");
          window.benchResult = performance.now();`,
        resolveDir: here,
      },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outfile: join(out, `cold-${name}.js`),
      logLevel: "error",
    });
  }
}

// /bench/ is this folder, /exp/ the experiments build, / the bundle.
const roots = [["/bench/", here], ["/exp/", boundary ?? out], ["/", out]];
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const page = boundary
  ? `<script type="module">
      import init, * as raw from "/exp/kiln_wasm.js";
      import { bind } from "/exp/api.js";
      import { measureBoundary } from "/bench/boundary-paths.mjs";
      const { memory } = await init({ module_or_path: "/exp/kiln_wasm_bg.wasm" });
      setTimeout(() => { window.benchResult = measureBoundary(raw, memory, bind); }, 100);
    </script>`
  : `<script type="module" src="/page.js"></script>`;
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/index.html") return res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html>${page}`);
  const cold = path.match(/^\/cold-(\w+)\.html$/);
  if (cold) {
    return res.writeHead(200, { "content-type": "text/html" })
      .end(`<!doctype html><script type="module" src="/cold-${cold[1]}.js"></script>`);
  }
  const [prefix, dir] = roots.find(([p]) => path.startsWith(p));
  const file = join(dir, decodeURIComponent(path.slice(prefix.length)));
  if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const tab = await browser.newPage();
  tab.on("pageerror", (e) => console.error(`page error: ${e}`));
  await tab.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await tab.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 300_000, polling: 1000 });
  const result = await tab.evaluate(() => window.benchResult);
  console.log(`chromium ${browser.version()}, ${new Date().toISOString().slice(0, 10)}`);
  if (boundary) {
    console.log(boundaryTable(result));
  } else {
    console.log(`median of ${ROUNDS} rounds of ${SECONDS} s per cell\n`);
    console.log("| library | valid/s | invalid/s | violations reported |");
    console.log("|---|---:|---:|---:|");
    const k = (x) => `${Math.round(median(x) / 1000)}k`;
    for (const row of result) console.log(`| ${row.name} | ${k(row.valid)} | ${k(row.invalid)} | ${row.violations} |`);
    for (const line of ratioLines(result)) console.log(line);
    console.log("\n| library | cold start (navigation to first validation) |\n|---|---:|");
    for (const name of LIBRARIES) {
      const runs = [];
      for (let i = 0; i < 5; i++) {
        const context = await browser.newContext();
        const fresh = await context.newPage();
        await fresh.goto(`http://127.0.0.1:${server.address().port}/cold-${name}.html`);
        await fresh.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 60_000 });
        runs.push(await fresh.evaluate(() => window.benchResult));
        await context.close();
      }
      console.log(`| ${name} | ${median(runs).toFixed(1)} ms |`);
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
