// ab.mjs in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): builds of
// the package (copies of target/npm/kiln-validator; `DIR#ru` calls the API with
// `{ locale: "ru" }`) in one page, interleaved round by round, µs per call of the public API
// over 60 rounds of 4000 calls: minimum, 10th percentile and median.
//
//   node ab-browser.mjs DIR_A DIR_B [...]
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
const args = process.argv.slice(2).map((arg) => {
  const [dir, locale] = arg.split("#");
  return { arg, dir: resolve(dir), locale };
});
const out = mkdtempSync(join(tmpdir(), "kiln-ab-"));
// Each build's modules by their own path, so each is a module (and a wasm instance) of its own.
const entry = `import { invalid, valid } from ${JSON.stringify(join(here, "inputs.mjs"))};
${args.map((a, i) => `import * as raw${i} from ${JSON.stringify(join(a.dir, "kiln_wasm.js"))};
import { bind as bind${i} } from ${JSON.stringify(join(a.dir, "api.js"))};`).join("\n")}
const builds = [];
${args.map((a, i) => `{
  const bytes = await (await fetch("/build${i}.wasm")).arrayBuffer();
  const { memory } = raw${i}.initSync({ module: bytes });
  builds.push({ label: ${JSON.stringify(a.arg)}, api: bind${i}(raw${i}, memory), options: ${a.locale ? JSON.stringify({ locale: a.locale }) : "undefined"} });
}`).join("\n")}
const time = (f, n) => {
  const start = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - start) * 1000) / n;
};
const samples = {};
for (let round = 0; round < 60; round++) {
  for (const b of builds) {
    for (const [kind, input] of Object.entries({ valid, invalid })) {
      (samples[b.label + " api " + kind] ??= []).push(time(() => b.api.validateCreateImageRequest(input, b.options), 4000));
    }
  }
}
window.abResult = samples;
`;
writeFileSync(join(out, "entry.mjs"), entry);
await build({ entryPoints: [join(out, "entry.mjs")], bundle: true, minify: true, format: "esm", platform: "browser",
  target: "es2022", outfile: join(out, "page.js"), logLevel: "error", nodePaths: [join(here, "node_modules")] });

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/index.html") {
    return res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><script type="module" src="/page.js"></script>`);
  }
  const wasm = path.match(/^\/build(\d+)\.wasm$/);
  const file = wasm ? join(args[Number(wasm[1])].dir, "kiln_wasm_bg.wasm") : join(out, path.slice(1));
  if (!existsSync(file) || statSync(file).isDirectory()) return res.writeHead(404).end();
  const type = { ".js": "text/javascript", ".wasm": "application/wasm" }[extname(file)] ?? "application/octet-stream";
  res.writeHead(200, { "content-type": type }).end(readFileSync(file));
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
  await tab.waitForFunction(() => window.abResult !== undefined, null, { timeout: 600_000, polling: 1000 });
  const samples = await tab.evaluate(() => window.abResult);
  console.log(`chromium ${browser.version()}`);
  for (const [label, xs] of Object.entries(samples)) {
    xs.sort((a, b) => a - b);
    const at = (q) => xs[Math.floor(q * (xs.length - 1))].toFixed(2);
    console.log(`${label}: min ${at(0)}  p10 ${at(0.1)}  median ${at(0.5)} µs`);
  }
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
