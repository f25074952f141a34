// The console's budget (a benchmark, not a test), in headless Chromium against a real
// `kiln serve` sending the `.br`/`.gz` files `cargo xtask web` writes. Run: cargo xtask
// web-budget. Results: web/BUDGET.md.
//
// 1. The first load as transferred: the bytes on the wire (compressed bodies and headers,
//    CDP `Network.loadingFinished` encodedDataLength) of every response from navigation until
//    the page is interactive and the network is idle; each URL fetched once (a preload that is
//    not reused shows up as a second fetch).
// 2. Time to interactive on loopback (form rendered, runtime config applied), LOADS cold loads.
// 3. On Slow 4G (CDP: 400 ms latency, 1.6 Mbit/s down, 750 kbit/s up), SLOW_LOADS cold loads:
//    the time from navigation until the Name field validates (type `Bad Name`, leave the field,
//    its violation message appears), and time to interactive there.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const BIN = process.env.KILN_BIN;
const DIST = process.env.KILN_DIST;
const LOADS = Number(process.env.LOADS ?? 9);
const SLOW_LOADS = Number(process.env.SLOW_LOADS ?? 7);
if (!BIN || !DIST) throw new Error("KILN_BIN and KILN_DIST must be set (cargo xtask web-budget sets them)");
const SLOW_4G = { offline: false, latency: 400, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

// Sizes from the files themselves: the `.gz`/`.br` beside each when there, else compressed here.
const sibling = (name, ext, compress) => {
  const path = join(DIST, name + ext);
  return existsSync(path) ? readFileSync(path).length : compress(readFileSync(join(DIST, name))).length;
};
const files = readdirSync(DIST).filter((name) => !/\.(br|gz)$/.test(name)).map((name) => ({
  name,
  raw: readFileSync(join(DIST, name)).length,
  gzip: sibling(name, ".gz", (b) => gzipSync(b, { level: 9 })),
  br: sibling(name, ".br", (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })),
}));
const kind = (name) => name.endsWith(".wasm") ? "wasm" : name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : "other";

const work = mkdtempSync(join(tmpdir(), "kiln-budget-"));
const kiln = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--data-dir", join(work, "data"), "--web-dir", DIST],
  { stdio: ["ignore", "ignore", "pipe"] });
const base = await new Promise((ok, fail) => {
  let log = "";
  setTimeout(() => fail(new Error(`kiln serve did not start:\n${log}`)), 30_000);
  kiln.stderr.on("data", (c) => { log += c; const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/); if (m) ok(m[1]); });
});
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

// Interactive: the form is rendered and the runtime config applied (the header names the
// folder), so typing is validated and Create can be pressed. Validated: the Name field shows a
// violation. Both as `performance.now()`, milliseconds since navigation started.
const readyScript = () => {
  const when = (check) => new Promise((resolve) => {
    const start = () => {
      if (check()) return resolve(performance.now());
      const obs = new MutationObserver(() => { if (check()) { obs.disconnect(); resolve(performance.now()); } });
      obs.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  });
  window.__interactive = when(() => document.querySelector("#name") &&
    document.querySelector(".where")?.textContent.includes("dev-folder"));
  window.__validated = when(() => document.querySelector('[data-field="name"] .messages li'));
};

/** One cold load (fresh context); its responses as CDP saw them, and its times. */
async function load(throttle) {
  const context = await browser.newContext(); // cold cache every load
  const page = await context.newPage();
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning" || m.type() === "error") warnings.push(m.text()); });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (throttle) await cdp.send("Network.emulateNetworkConditions", throttle);
  const requests = new Map();
  cdp.on("Network.requestWillBeSent", (e) => requests.set(e.requestId, { url: e.request.url, method: e.request.method, sent: e.timestamp }));
  cdp.on("Network.responseReceived", (e) => Object.assign(requests.get(e.requestId) ?? {}, {
    status: e.response.status,
    encoding: Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === "content-encoding")?.[1] ?? "",
  }));
  cdp.on("Network.loadingFinished", (e) => Object.assign(requests.get(e.requestId) ?? {}, { wire: e.encodedDataLength, done: e.timestamp }));
  await page.addInitScript(readyScript);
  await page.goto(base + "/");
  const tti = await page.evaluate(() => window.__interactive);
  await page.locator("#name").fill("Bad Name");
  await page.locator("#name").blur();
  const validated = await page.evaluate(() => window.__validated);
  await page.waitForLoadState("networkidle");
  const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0].toJSON());
  await context.close();
  return { tti, validated, dcl: nav.domContentLoadedEventEnd, responses: [...requests.values()], warnings };
}

const fast = [], slow = [];
try {
  for (let i = 0; i < LOADS; i++) fast.push(await load(null));
  for (let i = 0; i < SLOW_LOADS; i++) slow.push(await load(SLOW_4G));
} finally {
  await browser.close();
  kiln.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const stats = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
const kb = (n) => (n / 1000).toFixed(1);
console.log(`# Kiln console budget, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}`);

console.log("\n| file | kind | raw KB | gzip -9 KB | br q11 KB |\n|---|---|---:|---:|---:|");
for (const f of files) console.log(`| ${f.name} | ${kind(f.name)} | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.br)} |`);
const code = files.filter((f) => kind(f.name) !== "other");
const sum = (xs, key) => xs.reduce((a, x) => a + x[key], 0);
console.log(`| **wasm + JS + CSS** | | ${kb(sum(code, "raw"))} | ${kb(sum(code, "gzip"))} | ${kb(sum(code, "br"))} |`);

const first = fast[0].responses;
console.log("\nFirst load as transferred (one cold load, loopback; bytes on the wire, headers included):\n");
console.log("| response | status | encoding | on the wire KB |\n|---|---:|---|---:|");
for (const r of first) {
  const path = new URL(r.url).pathname;
  console.log(`| ${r.method} ${path.length > 60 ? path.slice(0, 57) + "…" : path} | ${r.status ?? "-"} | ${r.encoding || "identity"} | ${kb(r.wire ?? 0)} |`);
}
const total = (rs) => rs.reduce((a, r) => a + (r.wire ?? 0), 0);
const totals = fast.map((l) => total(l.responses));
console.log(`\nFirst load transferred: ${kb(median(totals))} KB (median of ${LOADS}; min ${kb(Math.min(...totals))}, max ${kb(Math.max(...totals))}), ` +
  `${first.length} responses. Budget 300 KB.`);
const twice = [...new Set(first.map((r) => r.url).filter((u, i, all) => all.indexOf(u) !== i))];
console.log(twice.length ? `Fetched more than once: ${twice.join(", ")}` : "Every URL fetched once (the preloads are reused).");
const warnings = [...new Set(fast.concat(slow).flatMap((l) => l.warnings))];
if (warnings.length) console.log(`Browser warnings: ${warnings.join(" | ")}`);

console.log(`\nLoopback, ${LOADS} cold loads: interactive ${stats(fast.map((s) => s.tti))}; ` +
  `Name validated ${stats(fast.map((s) => s.validated))}; DOMContentLoaded median ${median(fast.map((s) => s.dcl)).toFixed(0)} ms.`);
// The waterfall of the median slow load: what the first screen needs starts together.
const mid = [...slow].sort((a, b) => a.validated - b.validated)[Math.floor(slow.length / 2)];
const zero = Math.min(...mid.responses.map((r) => r.sent));
console.log("\nSlow 4G waterfall (the median load; ms from the first request):\n\n| response | sent | finished |\n|---|---:|---:|");
for (const r of mid.responses) {
  console.log(`| ${r.method} ${new URL(r.url).pathname.slice(0, 60)} | ${((r.sent - zero) * 1000).toFixed(0)} | ${r.done ? ((r.done - zero) * 1000).toFixed(0) : "-"} |`);
}
console.log(`\nSlow 4G (400 ms, 1.6 Mbit/s down, 750 kbit/s up), ${SLOW_LOADS} cold loads: ` +
  `Name validated ${stats(slow.map((s) => s.validated))} (target 2500 ms); interactive ${stats(slow.map((s) => s.tti))}; ` +
  `DOMContentLoaded median ${median(slow.map((s) => s.dcl)).toFixed(0)} ms; transferred median ${kb(median(slow.map((l) => total(l.responses))))} KB.`);
