// The console's budget (a benchmark, not a test): first-load transfer of wasm + JS + CSS as
// gzip, and time to interactive on localhost in headless Chromium, served by a real
// `kiln serve` (which gzips static files). Run: cargo xtask web-budget. Results: web/BUDGET.md.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const BIN = process.env.KILN_BIN;
const DIST = process.env.KILN_DIST;
const LOADS = Number(process.env.LOADS ?? 9);
if (!BIN || !DIST) throw new Error("KILN_BIN and KILN_DIST must be set (cargo xtask web-budget sets them)");

// Sizes from the files themselves.
const files = readdirSync(DIST).map((name) => {
  const bytes = readFileSync(join(DIST, name));
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const kind = (name) => name.endsWith(".wasm") ? "wasm" : name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : "html";

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
// folder), so typing is validated and Create can be pressed.
const readyScript = () => {
  window.__interactive = new Promise((resolve) => {
    const check = () => document.querySelector("#name") &&
      document.querySelector(".where")?.textContent.includes("dev-folder");
    const start = () => {
      if (check()) return resolve(performance.now());
      const obs = new MutationObserver(() => { if (check()) { obs.disconnect(); resolve(performance.now()); } });
      obs.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  });
};

const samples = [];
let transfer;
try {
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext(); // cold cache every load
    const page = await context.newPage();
    await page.addInitScript(readyScript);
    await page.goto(base + "/");
    const tti = await page.evaluate(() => window.__interactive);
    const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0].toJSON());
    transfer = await page.evaluate(() => performance.getEntriesByType("resource")
      .filter((r) => /\.(wasm|js|css)$/.test(new URL(r.name).pathname))
      .map((r) => ({ name: new URL(r.name).pathname.slice(1), transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })));
    samples.push({ tti, dcl: nav.domContentLoadedEventEnd });
    await context.close();
  }
} finally {
  await browser.close();
  kiln.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (n) => (n / 1000).toFixed(1);
console.log(`# Kiln console budget, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}`);
console.log("\n| file | kind | raw KB | gzip -9 KB | sent by kiln serve KB |\n|---|---|---:|---:|---:|");
let gz = 0, sent = 0;
for (const f of files) {
  const t = transfer.find((r) => r.name === f.name);
  if (kind(f.name) !== "html") { gz += f.gzip; sent += t?.encoded ?? 0; }
  console.log(`| ${f.name} | ${kind(f.name)} | ${kb(f.raw)} | ${kb(f.gzip)} | ${t ? kb(t.encoded) : "-"} |`);
}
console.log(`\nFirst-load wasm + JS + CSS: ${kb(gz)} KB gzip -9 (${kb(sent)} KB as kiln serve sends it). Budget 300 KB, aim 250 KB.`);
console.log(`Time to interactive (form rendered, runtime config applied), ${LOADS} cold loads: median ${median(samples.map((s) => s.tti)).toFixed(0)} ms ` +
  `(min ${Math.min(...samples.map((s) => s.tti)).toFixed(0)}, max ${Math.max(...samples.map((s) => s.tti)).toFixed(0)}); ` +
  `DOMContentLoaded median ${median(samples.map((s) => s.dcl)).toFixed(0)} ms.`);
