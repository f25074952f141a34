// The dev loop as a developer runs it: `kiln serve`, then `cargo xtask dev --kiln URL` (Trunk's
// `trunk serve` with live reload, gRPC-Web and kiln-config.json proxied to that kiln), the
// console loaded through Trunk's port in headless Chromium, then a source file changed and the
// page seen to reload. Run by `cargo xtask test` (KILN_BIN set); slow: Trunk builds the console
// in debug mode, twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.KILN_BIN;
assert.ok(BIN, "KILN_BIN must be set (cargo xtask test sets it)");
const ROOT = resolve(import.meta.dirname, "../..");
const SOURCE = join(ROOT, "web/src/main.rs");
const BUILD_TIMEOUT = 10 * 60_000;

let work, kiln, trunk, trunkLog = "", browser, original;

/** A free loopback port (closed again, for trunk to take). */
async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

async function waitFor(what, check, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${trunkLog.slice(-3000)}`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "kiln-devloop-"));
  kiln = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--data-dir", join(work, "data")],
    { stdio: ["ignore", "ignore", "pipe"] });
  const base = await new Promise((ok, fail) => {
    let log = "";
    const timer = setTimeout(() => fail(new Error(`kiln serve did not start:\n${log}`)), 30_000);
    kiln.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
  });
  const port = await freePort();
  // Its own process group, so the whole tree (cargo, xtask, trunk) stops together.
  trunk = spawn("cargo", ["xtask", "dev", "--kiln", base, "--port", String(port)],
    { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  trunk.stdout.on("data", (c) => { trunkLog += c; });
  trunk.stderr.on("data", (c) => { trunkLog += c; });
  trunk.url = `http://127.0.0.1:${port}/`;
  await waitFor("trunk serve to build and serve the console", async () => {
    const response = await fetch(trunk.url);
    return response.ok && (await response.text()).includes("kiln-web");
  }, BUILD_TIMEOUT);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (original !== undefined) writeFileSync(SOURCE, original);
  await browser?.close();
  if (trunk?.pid) { try { process.kill(-trunk.pid, "SIGTERM"); } catch {} }
  kiln?.kill("SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the console through trunk serve: proxied calls, live validation, reload on a source change", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`uncaught: ${e}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console.error: ${m.text()}`); });
  await page.goto(trunk.url);
  // The runtime config came through Trunk's proxy from kiln serve.
  await page.getByText("folder dev-folder").waitFor({ timeout: 60_000 });
  // The folder's disks: a gRPC-Web call through Trunk's proxy.
  await page.getByLabel("Disk", { exact: true }).check();
  await page.locator(".pick", { hasText: "ubuntu-boot" }).waitFor();
  // Live validation by the core compiled into the page.
  await page.getByLabel("Name", { exact: true }).fill("Bad_Name!");
  await page.keyboard.press("Tab");
  await page.locator('[data-field="name"] .messages li').first().waitFor();
  // Change a source file: Trunk rebuilds and the page reloads itself.
  await page.evaluate(() => { window.beforeTheChange = true; });
  original = readFileSync(SOURCE, "utf8");
  const reloaded = page.waitForEvent("load", { timeout: BUILD_TIMEOUT });
  writeFileSync(SOURCE, original + "// changed by the dev-loop test\n");
  await reloaded;
  assert.equal(await page.evaluate(() => window.beforeTheChange), undefined, "a new page, not the old one");
  writeFileSync(SOURCE, original);
  original = undefined;
  await page.getByText("folder dev-folder").waitFor({ timeout: 60_000 });
  assert.deepEqual(errors, [], "nothing in the browser console");
});
