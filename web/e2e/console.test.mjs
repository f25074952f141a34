// End to end: the built console (dist/) in headless Chromium against a real `kiln serve`.
// Run by `cargo xtask test`, which builds both and sets KILN_BIN, KILN_DIST and
// KILN_SCREENSHOTS. Needs Debian's /usr/bin/chromium and qemu-img.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const BIN = process.env.KILN_BIN;
const DIST = process.env.KILN_DIST;
const SHOTS = process.env.KILN_SCREENSHOTS ?? join(tmpdir(), "kiln-screenshots");
assert.ok(BIN && DIST, "KILN_BIN and KILN_DIST must be set (cargo xtask test sets them)");

let work, kiln, files, base, fileBase, browser, page;

// Every page the suite opens reports its console errors and uncaught exceptions here; each test
// fails on any it did not declare with `expectConsoleErrors` (a console must stay clean on every
// screen: a 404 favicon counts).
const consoleErrors = [];
let expectedConsoleErrors = [];
function watchConsole(p) {
  p.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e}`));
  p.on("console", (m) => {
    if (m.type() !== "error") return;
    if (expectedConsoleErrors.some((pattern) => pattern.test(m.text()))) return;
    consoleErrors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
}
/** Console errors the current test provokes on purpose (an injected HTTP 503, say). */
function expectConsoleErrors(...patterns) {
  expectedConsoleErrors = patterns;
}
afterEach(() => {
  const seen = consoleErrors.splice(0);
  expectedConsoleErrors = [];
  assert.deepEqual(seen, [], "nothing in the browser console");
});

before(async () => {
  work = mkdtempSync(join(tmpdir(), "kiln-e2e-"));
  mkdirSync(SHOTS, { recursive: true });
  // A real qcow2 image (1 GiB virtual, a few hundred KB on disk) served from loopback.
  execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", join(work, "web.qcow2"), "1G"]);
  files = createServer((req, res) => {
    if (req.url === "/web.qcow2") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(readFileSync(join(work, "web.qcow2")));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => files.listen(0, "127.0.0.1", ok));
  fileBase = `http://127.0.0.1:${files.address().port}`;
  kiln = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--data-dir", join(work, "data"),
    "--web-dir", DIST, "--copy-rate", "4GiB"], { stdio: ["ignore", "ignore", "pipe"] });
  base = await new Promise((ok, fail) => {
    let log = "";
    const timer = setTimeout(() => fail(new Error(`kiln serve did not start:\n${log}`)), 30_000);
    kiln.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    kiln.on("exit", (code) => fail(new Error(`kiln serve exited ${code}:\n${log}`)));
  });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  watchConsole(page);
  await page.goto(base + "/");
  await page.getByText("folder dev-folder").waitFor();
});

after(async () => {
  await browser?.close();
  kiln?.kill("SIGKILL");
  files?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** axe-core on the current screen: no serious or critical violation. */
async function accessible(p, screen) {
  await p.addScriptTag({ path: AXE });
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [],
    `${screen}: axe found serious or critical violations`);
}

const field = (name) => page.locator(`[data-field="${name}"]`);
const messages = (name) => field(name).locator(".messages li");
const createButton = () => page.getByRole("main").getByRole("button", { name: "Create image", exact: true });

async function newForm(name) {
  await page.getByLabel("Name", { exact: true }).fill(name);
}

async function pickSource(kind, text) {
  await page.getByLabel(kind, { exact: true }).check();
  await page.locator(".pick", { hasText: text }).first().click();
}

/** Submits the form; the operation's row in the panel. */
async function submit(name) {
  await createButton().click();
  await page.locator(".banner-ok", { hasText: "Create started" }).waitFor();
  return page.locator(".operation", { has: page.locator("strong", { hasText: new RegExp(`^${name}$`) }) }).first();
}

async function finished(row, status, timeout = 60_000) {
  await row.locator(".status", { hasText: status }).waitFor({ timeout });
}

test("the create screen loads with the runtime config and is accessible", async () => {
  assert.equal(await page.getByLabel("Folder ID").inputValue(), "dev-folder");
  for (const label of ["Folder ID", "Name", "Description", "Family", "Minimum disk size (GB)", "OS type", "NVIDIA driver", "Optimize for deployment (pooled)"]) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `a control labelled ${label}`);
  }
  // The form in the task's order: name, then the source, then what depends on it.
  const order = await page.locator("form [data-field]").evaluateAll((els) => els.map((e) => e.dataset.field));
  assert.deepEqual(order.slice(0, 3), ["name", "source", "min_disk_size"]);
  // The rarely used options are grouped and collapsed until opened.
  const more = page.locator("details.more");
  assert.equal(await more.getAttribute("open"), null, "collapsed at first");
  assert.equal(await page.locator("legend", { hasText: "Hardware generation" }).isVisible(), false);
  await more.locator("summary").click();
  for (const legend of ["Labels", "Product IDs", "Source", "Hardware generation"]) {
    await page.locator("legend", { hasText: legend }).waitFor();
  }
  await more.locator("summary").click();
  // Hints come from the rules: the description's max length is the proto's.
  assert.equal(await page.getByLabel("Description").getAttribute("maxlength"), "256");
  await page.screenshot({ path: join(SHOTS, "create.png"), fullPage: true });
  await accessible(page, "create");
  assert.ok(!page.url().includes("token"));
});

test("a live validation message appears after leaving the field, and goes when fixed", async () => {
  await newForm("Bad_Name!");
  assert.equal(await messages("name").count(), 0, "no message before the field is left");
  await page.keyboard.press("Tab");
  await messages("name").first().waitFor();
  assert.equal(await messages("name").first().innerText(), "may only contain lowercase Latin letters, digits, hyphens and underscores (it has “B”)");
  assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
  assert.equal(await createButton().getAttribute("aria-disabled"), "true", "Create says it is unavailable while the form is invalid");
  await newForm("e2e-disk");
  await page.waitForFunction(() => !document.querySelector('[data-field="name"] .messages li'));
  // Labels: keyboard-operable rows, checked by the same core.
  await page.getByRole("button", { name: "Add label" }).focus();
  await page.keyboard.press("Enter");
  await page.getByLabel("Label 1 key").fill("Env");
  await page.getByLabel("Label 1 value").fill("e2e");
  await page.keyboard.press("Tab");
  await messages("labels").first().waitFor();
  assert.match(await messages("labels").first().innerText(), /^labels\["Env"\]: key may only contain lowercase Latin letters/);
  await page.getByLabel("Label 1 key").fill("env");
  await page.waitForFunction(() => !document.querySelector('[data-field="labels"] .messages li'));
  // The minimum disk size is typed in GB and shown in bytes.
  await page.getByLabel("Minimum disk size (GB)").fill("30");
  assert.match(await page.locator("#min-disk-size-bytes").innerText(), /32\u202f212\u202f254\u202f720\u00a0bytes/);
});

test("the preview shows the request as JSON, a yc command and Terraform", async () => {
  const preview = page.locator(".preview pre");
  assert.match(await preview.innerText(), /"folderId": "dev-folder"/);
  assert.match(await preview.innerText(), /"minDiskSize": "32212254720"/);
  await page.getByRole("button", { name: "yc", exact: true }).click();
  assert.match(await preview.innerText(), /yc compute image create[\s\S]*--min-disk-size 30/);
  await page.getByRole("button", { name: "Terraform", exact: true }).click();
  assert.match(await preview.innerText(), /resource "yandex_compute_image" "e2e_disk"/);
  await page.getByRole("button", { name: "JSON", exact: true }).click();
});

test("create from a disk picked from the folder's list, and watch it finish", async () => {
  await pickSource("Disk", "ubuntu-boot");
  assert.equal(await page.getByLabel("Disk ID").inputValue(), "fhm0dev0disk0ubuntu1");
  const row = await submit("e2e-disk");
  await finished(row, "Done");
  assert.match(await row.innerText(), /Image fd/);
  await page.screenshot({ path: join(SHOTS, "operation-done.png"), fullPage: true });
});

test("a superseded load stops its call: switching the source kind aborts the listing in flight", async () => {
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route("**/yandex.cloud.compute.v1.DiskService/List", async (route) => {
    await held; // the disks' listing hangs until the page has moved on
    await route.continue().catch(() => {}); // the page aborted it: nothing left to continue
  });
  const aborted = page.waitForEvent("requestfailed", {
    predicate: (r) => r.url().endsWith("/yandex.cloud.compute.v1.DiskService/List"),
    timeout: 10_000,
  });
  try {
    await page.getByLabel("Snapshot", { exact: true }).check();
    await page.locator(".pick").first().waitFor();
    await page.getByLabel("Disk", { exact: true }).check();
    await page.getByText("Loading the folder's resources…").waitFor();
    await page.getByLabel("Snapshot", { exact: true }).check();
    const failed = await aborted;
    assert.match(failed.failure().errorText, /ABORTED/);
    await page.locator(".pick").first().waitFor(); // the snapshots' listing still shows
  } finally {
    release();
    await page.unroute("**/yandex.cloud.compute.v1.DiskService/List");
  }
});

test("create from a snapshot", async () => {
  await newForm("e2e-snap");
  await page.getByLabel("Minimum disk size (GB)").fill("");
  await pickSource("Snapshot", "ubuntu-boot-2026-11-01");
  await finished(await submit("e2e-snap"), "Done");
});

test("create from the latest image of a family", async () => {
  await newForm("e2e-image");
  await page.getByLabel("Image", { exact: true }).check();
  await page.getByLabel("Latest of family").fill("ubuntu-2404");
  await page.getByRole("button", { name: "Use latest" }).click();
  await page.getByText("Latest of family ubuntu-2404: ubuntu-2404-base").waitFor();
  assert.equal(await page.getByLabel("Image ID").inputValue(), "fd80dev0image0ubuntu");
  await finished(await submit("e2e-image"), "Done");
});

test("a look-up answered after its screen was left still fills the form, and breaks nothing", async () => {
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route("**/yandex.cloud.compute.v1.ImageService/GetLatestByFamily", async (route) => {
    await held;
    await route.continue();
  });
  try {
    await newForm("e2e-late");
    await page.getByLabel("Image", { exact: true }).check();
    await page.getByLabel("Latest of family").fill("ubuntu-2404");
    await page.getByRole("button", { name: "Use latest" }).click();
    await page.getByText("Looking up the latest image of ubuntu-2404").waitFor();
    await page.getByRole("link", { name: "Images", exact: true }).click();
    await page.getByRole("heading", { name: "Images" }).waitFor();
    const answered = page.waitForResponse("**/yandex.cloud.compute.v1.ImageService/GetLatestByFamily");
    release();
    await answered;
    await page.waitForTimeout(200); // the action's continuation runs after the response
    await page.getByRole("link", { name: "Create image", exact: true }).first().click();
    assert.equal(await page.getByLabel("Image ID").inputValue(), "fd80dev0image0ubuntu");
  } finally {
    release();
    await page.unroute("**/yandex.cloud.compute.v1.ImageService/GetLatestByFamily");
  }
});

test("create from a URI: the file is really imported", async () => {
  await newForm("e2e-uri");
  await page.getByLabel("URI", { exact: true }).check();
  await page.locator("#source-value").fill(`${fileBase}/web.qcow2`);
  await page.getByText("This is not an Object Storage link").waitFor();
  await finished(await submit("e2e-uri"), "Done");
});

test("UNAVAILABLE is retried with backoff and the same idempotency key; a new form gets a new key", async () => {
  // The browser logs each injected 503 response.
  expectConsoleErrors(/status of 503/);
  const keys = [];
  let failures = 2;
  await page.route("**/yandex.cloud.compute.v1.ImageService/Create", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (failures > 0) {
      failures -= 1;
      await route.fulfill({ status: 503, body: "" }); // a proxy with the service down
    } else {
      await route.continue();
    }
  });
  try {
    await newForm("e2e-retry");
    await pickSource("Disk", "ubuntu-boot");
    await createButton().click();
    await page.locator(".banner-info", { hasText: "Retrying in" }).waitFor();
    await page.locator(".banner-ok", { hasText: "Create started" }).waitFor();
    const row = page.locator(".operation", { has: page.locator("strong", { hasText: /^e2e-retry$/ }) });
    assert.equal(keys.length, 3, `two failures, then the call that went through (${keys})`);
    assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(new Set(keys).size, 1, "every retry carries the same key");
    await finished(row, "Done");
    await newForm("e2e-retry-2");
    await submit("e2e-retry-2");
    assert.equal(keys.length, 4);
    assert.notEqual(keys[3], keys[0], "a new submission, a new key");
  } finally {
    await page.unroute("**/yandex.cloud.compute.v1.ImageService/Create");
  }
});

test("a server-side error lands on its field", async () => {
  // A name the folder already has: only the service knows, and says so on the name.
  await newForm("e2e-disk");
  await pickSource("Disk", "ubuntu-boot");
  assert.equal(await messages("name").count(), 0, "the name passes the rule");
  await createButton().click();
  await page.locator(".banner-error", { hasText: "Create failed." }).waitFor();
  assert.match(await messages("name").first().innerText(), /e2e-disk/);
  await page.screenshot({ path: join(SHOTS, "server-error.png"), fullPage: true });
  // Editing the form clears the service's verdict.
  await page.getByLabel("Name", { exact: true }).fill("e2e-disk-2");
  await page.waitForFunction(() => !document.querySelector('[data-field="name"] .messages li'));
});

test("a minimum disk size below the picked source's is refused before sending, said once", async () => {
  const creates = [];
  const count = (r) => { if (r.url().endsWith(".ImageService/Create")) creates.push(r); };
  page.on("request", count);
  try {
    await newForm("e2e-small");
    await pickSource("Disk", "ubuntu-boot");
    await page.getByLabel("Minimum disk size (GB)").fill("10");
    await createButton().focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await messages("min_disk_size").allInnerTexts(), ["must be at least 20\u00a0GB: the source needs that much"]);
    await page.waitForTimeout(300);
    assert.equal(creates.length, 0, "nothing sent");
    await page.getByLabel("Minimum disk size (GB)").fill("");
    await page.waitForFunction(() => !document.querySelector('[data-field="min_disk_size"] .messages li'));
  } finally {
    page.off("request", count);
  }
});

test("cancel a running operation", async () => {
  await newForm("e2e-cancel");
  await pickSource("Disk", "postgres-data");
  const row = await submit("e2e-cancel");
  await row.locator("progress").waitFor();
  await row.getByRole("button", { name: "Cancel" }).click();
  await finished(row, "Cancelled");
  // Said once: the status says Cancelled, the result what became of the image.
  const said = await row.innerText();
  assert.match(said, /The image was removed\./);
  assert.equal(said.match(/[Cc]ancelled/g).length, 1, `cancelled said once: ${said}`);
  await page.screenshot({ path: join(SHOTS, "operation-cancelled.png"), fullPage: true });
});

test("after a reload the operations are restored and polled again", async () => {
  await newForm("e2e-reload");
  await pickSource("Disk", "postgres-data");
  const before = await submit("e2e-reload");
  await before.locator("progress").waitFor();
  const progressBefore = Number(await before.locator("progress").getAttribute("value"));
  await page.reload();
  await page.getByText("folder dev-folder").waitFor();
  const names = await page.locator(".operation strong").allInnerTexts();
  for (const name of ["e2e-reload", "e2e-cancel", "e2e-uri", "e2e-image", "e2e-snap", "e2e-disk"]) {
    assert.ok(names.includes(name), `${name} restored (found ${names})`);
  }
  // The form survived too.
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "e2e-reload");
  const row = page.locator(".operation", { has: page.locator("strong", { hasText: /^e2e-reload$/ }) });
  await page.waitForFunction((p) => {
    const bar = [...document.querySelectorAll(".operation")]
      .find((li) => li.querySelector("strong")?.textContent === "e2e-reload")?.querySelector("progress");
    return bar && Number(bar.getAttribute("value")) > p;
  }, progressBefore, { timeout: 30_000 });
  await row.getByRole("button", { name: "Cancel" }).click();
  await finished(row, "Cancelled");
});

test("the images screen lists the folder's images, shows details and deletes with confirmation", async () => {
  await page.getByRole("link", { name: "Images", exact: true }).click();
  const table = page.locator("table");
  await table.locator("tr", { hasText: "e2e-disk" }).waitFor();
  for (const name of ["e2e-disk", "e2e-snap", "e2e-image", "e2e-uri", "ubuntu-2404-base"]) {
    await table.locator("tr", { hasText: name }).waitFor();
  }
  assert.equal(await table.locator("tr", { hasText: "e2e-cancel" }).count(), 0, "the cancelled image is gone");
  await page.screenshot({ path: join(SHOTS, "images-list.png"), fullPage: true });
  // An image's page: its own address, its details in view with focus on its heading, its
  // operations (who, when, what, outcome).
  await table.getByRole("link", { name: "e2e-uri", exact: true }).click();
  await page.waitForURL(/\/images\/fd8[0-9a-v]+$/);
  const details = page.locator("dl.details");
  await details.getByText("Hardware generation").waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "image-title");
  assert.match(await details.innerText(), /Gen 1\.1/, "URI imports default to Gen 1.1");
  assert.match(await details.innerText(), /1\u202f073\u202f741\u202f824\u00a0bytes \(1\u00a0GB\)/, "the qcow2's virtual size");
  const history = page.locator(".history");
  await history.locator("td", { hasText: "Create" }).first().waitFor();
  assert.match(await history.innerText(), /dev/, "who started it");
  await accessible(page, "an image's page");
  // Back returns to the list; Forward and a reload come back to the image.
  const imageUrl = page.url();
  await page.goBack();
  await page.getByRole("heading", { name: "Images" }).waitFor();
  await page.goForward();
  await details.getByText("Hardware generation").waitFor();
  await page.reload();
  await details.getByText("Hardware generation").waitFor();
  assert.equal(page.url(), imageUrl);
  await page.getByRole("link", { name: "All images" }).click();
  await table.locator("tr", { hasText: "e2e-uri" }).waitFor();
  await page.screenshot({ path: join(SHOTS, "images.png"), fullPage: true });
  await accessible(page, "images");
  // The confirmation is a modal dialog: focus inside, Escape closes it, focus goes back.
  const deleteButton = table.getByRole("button", { name: "Delete e2e-uri" });
  await deleteButton.click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("Delete image e2e-uri? This cannot be undone.").waitFor();
  assert.ok(await page.evaluate(() => document.activeElement?.closest("dialog[open]") !== null), "focus is inside the dialog");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector("dialog[open]"));
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Delete e2e-uri");
  await deleteButton.click();
  await dialog.getByRole("button", { name: "Keep it" }).click();
  await page.waitForFunction(() => !document.querySelector("dialog[open]"));
  await deleteButton.click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete image" }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll("table tr")].some((tr) => tr.textContent.includes("e2e-uri")),
    null, { timeout: 30_000 });
  const deletion = page.locator(".operation", { has: page.locator("strong", { hasText: /^Delete e2e-uri$/ }) });
  await finished(deletion, "Done");
  assert.match(await deletion.locator(".op-result").innerText(), /^The image was deleted\.$/);
});

test("settings keep the token in session storage only", async () => {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  assert.equal(await page.getByLabel("Token").getAttribute("type"), "password");
  await page.getByLabel("Token").fill("dev-token");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Saved.").waitFor();
  const stored = await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) }));
  assert.ok(!stored.local.includes("dev-token"), "no token in local storage");
  assert.ok(stored.session.includes("dev-token"), "the token is in session storage");
  assert.ok(!page.url().includes("dev-token"));
  await page.screenshot({ path: join(SHOTS, "settings.png"), fullPage: true });
  await accessible(page, "settings");
  // A wrong token gives a clear error from the service.
  await page.getByLabel("Token").fill("wrong");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("link", { name: "Images", exact: true }).click();
  const refused = page.locator(".banner-error", { hasText: "Cannot list images. The service does not know this token: check the token in Settings." });
  await refused.waitFor();
  // The service's own words stay, folded, for support.
  await refused.locator("details.raw summary").click();
  assert.match(await refused.locator("details.raw pre").innerText(), /Unauthenticated \(16\): unknown token/);
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByLabel("Token").fill("dev-token");
  await page.getByRole("button", { name: "Save settings" }).click();
  // The form's folder follows the settings' folder (the user had not typed another one).
  await page.getByLabel("Folder ID").fill("other-folder");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("link", { name: "Create image", exact: true }).first().click();
  assert.equal(await page.locator("#folder-id").inputValue(), "other-folder");
  await page.locator(".where", { hasText: "folder other-folder" }).waitFor();
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByLabel("Folder ID").fill("dev-folder");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("link", { name: "Create image", exact: true }).first().click();
  assert.equal(await page.locator("#folder-id").inputValue(), "dev-folder");
});

test("works at 375 px wide", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const narrow = await context.newPage();
  watchConsole(narrow);
  await narrow.goto(base + "/");
  await narrow.getByText("folder dev-folder").waitFor();
  const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal scrolling (page is ${width} px wide)`);
  // A fresh form: the folder comes from the runtime config, the source is missing. Create is
  // disabled, and "Show them" shows every message without leaving each field first.
  await narrow.getByText("Create is unavailable: 1 problem to fix").waitFor();
  assert.equal(await narrow.locator('[data-field="source"] .messages li').count(), 0);
  await narrow.getByRole("button", { name: "Show them" }).click();
  assert.equal(await narrow.locator('[data-field="source"] .messages li').first().innerText(),
    "choose a source: an image, a disk, a snapshot or a URI");
  await narrow.screenshot({ path: join(SHOTS, "create-375px.png"), fullPage: true });
  await accessible(narrow, "create at 375 px");
  await context.close();
});

test("the language switch turns every screen Russian, is remembered, and keeps <html lang> true", async () => {
  await page.getByRole("link", { name: "Create image", exact: true }).first().click();
  const typed = await page.getByLabel("Name", { exact: true }).inputValue();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.getByRole("button", { name: "Русский" }).click();
  await page.getByRole("heading", { name: "Создание образа" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "ru");
  for (const label of ["Идентификатор каталога", "Имя", "Описание", "Семейство", "Минимальный размер диска (ГБ)", "Тип ОС", "Драйвер NVIDIA"]) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `a control labelled ${label}`);
  }
  assert.equal(await page.getByLabel("Имя", { exact: true }).inputValue(), typed, "the form survives the switch");
  await page.reload();
  await page.getByRole("heading", { name: "Создание образа" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "ru", "the choice is remembered");
  await page.getByRole("link", { name: "Образы", exact: true }).click();
  await page.getByRole("heading", { name: "Образы", exact: true }).waitFor();
  await page.getByRole("columnheader", { name: "Семейство" }).waitFor();
  await page.getByRole("link", { name: "Настройки", exact: true }).click();
  await page.getByRole("button", { name: "Сохранить настройки" }).waitFor();
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Settings" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.getByRole("link", { name: "Create image", exact: true }).first().click();
});

// The main scenarios again, once per language, each in a browser whose own language it is (so
// the first choice comes from navigator.languages), with every text expected from that
// language's catalogue.
const WORDS = {
  en: {
    locale: "en-US", heading: "Create image", create: "Create image", name: "Name", disk: "Disk",
    minDisk: "Minimum disk size (GB)", showThem: "Show them", problems: "Create is unavailable: 1 problem to fix",
    source: /^choose a source: an image, a disk, a snapshot or a URI$/,
    nameHint: "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; starts with a letter; ends with a letter or a digit",
    tooLong: "must be at most 63 characters long (it has 70)",
    floor: "The chosen source needs at least 20\u00a0GB", below: "must be at least 20\u00a0GB: the source needs that much",
    started: "Create started", done: "Done", cancelled: "Cancelled", creating: "Creating",
    already: "This form was already sent", cancelOf: (n) => `Cancel creation of ${n}`,
    cancelOutcome: "The image was removed.",
    images: "Images", deleteOf: (n) => `Delete ${n}`, question: (n) => `Delete image ${n}? This cannot be undone.`,
    settings: "Settings", endpoint: "Endpoint", save: "Save settings",
    unreachable: "Cannot reach the service at http://127.0.0.1:9: check the endpoint in Settings",
  },
  ru: {
    locale: "ru-RU", heading: "Создание образа", create: "Создать образ", name: "Имя", disk: "Диск",
    minDisk: "Минимальный размер диска (ГБ)", showThem: "Показать", problems: "Создать образ пока нельзя: нужно исправить 1 ошибку",
    source: /^выберите источник: образ, диск, снимок или URI$/,
    nameHint: "пусто или от 1 до 63 символов: строчные латинские буквы, цифры, дефисы и знаки подчёркивания; начинается с буквы; заканчивается буквой или цифрой",
    tooLong: "должно содержать не более 63 символов (сейчас 70)",
    floor: "Выбранному источнику нужно не меньше 20\u00a0ГБ", below: "должно быть не меньше 20\u00a0ГБ: столько нужно источнику",
    started: "Создание запущено", done: "Завершена", cancelled: "Отменена", creating: "Создаётся",
    already: "Эта форма уже отправлена", cancelOf: (n) => `Отменить создание ${n}`,
    cancelOutcome: "Образ удалён.",
    images: "Образы", deleteOf: (n) => `Удалить ${n}`, question: (n) => `Удалить образ ${n}? Это действие нельзя отменить.`,
    settings: "Настройки", endpoint: "Эндпоинт", save: "Сохранить настройки",
    unreachable: "Не удалось связаться с сервисом по адресу http://127.0.0.1:9: проверьте эндпоинт в настройках",
  },
};

for (const [lang, w] of Object.entries(WORDS)) {
  test(`[${lang}] the flow keeps the user oriented: problems, the source's floor, the new operation, Create again, Cancel`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: w.locale });
    const p = await context.newPage();
    watchConsole(p);
    const creates = [];
    p.on("request", (r) => { if (r.url().endsWith(".ImageService/Create")) creates.push(r); });
    try {
      await p.goto(base + "/");
      await p.getByRole("heading", { name: w.heading }).waitFor();
      assert.equal(await p.evaluate(() => document.documentElement.lang), lang, "<html lang> follows the browser's language");
      // Create explains why it is unavailable; pressing it (or "Show them") shows every problem
      // and moves focus to the first.
      const create = p.getByRole("main").getByRole("button", { name: w.create, exact: true });
      assert.equal(await create.getAttribute("aria-disabled"), "true");
      assert.equal(await p.locator("#create-why").innerText(), w.problems);
      assert.equal(await p.locator("#" + (await create.getAttribute("aria-describedby"))).innerText(), w.problems);
      await p.getByRole("button", { name: w.showThem }).click();
      await p.waitForFunction(() => document.activeElement?.id === "source-value");
      assert.match(await p.locator('[data-field="source"] .messages li').first().innerText(), w.source);
      await p.screenshot({ path: join(SHOTS, `create-${lang}-1280.png`), fullPage: true });
      await accessible(p, `create (${lang})`);
      // The name's hint is its pattern in words; a name too long says so.
      assert.equal(await p.locator("#name-hint").innerText(), w.nameHint);
      await p.getByLabel(w.name, { exact: true }).fill("a".repeat(70));
      await p.keyboard.press("Tab");
      assert.equal(await p.locator('[data-field="name"] .messages li').first().innerText(), w.tooLong);
      // A picked source's size is the minimum disk size's floor, shown before Create.
      const name = `e2e-${lang}-flow`;
      await p.getByLabel(w.name, { exact: true }).fill(name);
      await p.getByLabel(w.disk, { exact: true }).check();
      await p.locator(".pick", { hasText: "ubuntu-boot" }).first().click();
      await p.getByText(w.floor).waitFor();
      // A size below it is a problem like any other: said once, and Create sends nothing.
      await p.getByLabel(w.minDisk).fill("10");
      await p.keyboard.press("Tab");
      assert.deepEqual(await p.locator('[data-field="min_disk_size"] .messages li').allInnerTexts(), [w.below]);
      assert.equal(await p.locator("#create-why").innerText(), w.problems);
      await create.focus();
      await p.keyboard.press("Enter");
      await p.waitForTimeout(300);
      assert.equal(creates.length, 0, "nothing is sent below the source's floor");
      await p.getByLabel(w.minDisk).fill("");
      // After Create, the new operation is in view and has the focus.
      await create.click();
      await p.locator(".banner-ok", { hasText: w.started }).waitFor();
      await p.waitForFunction((n) => document.activeElement?.matches(".operation")
        && document.activeElement.querySelector("strong")?.textContent === n, name);
      const row = p.locator(".operation", { has: p.locator("strong", { hasText: new RegExp(`^${name}$`) }) });
      await row.locator(".status", { hasText: w.done }).waitFor({ timeout: 60_000 });
      // The same form again: said so, not sent.
      assert.equal(creates.length, 1);
      await create.click();
      await p.locator(".banner", { hasText: w.already }).waitFor();
      assert.equal(creates.length, 1, "the form that already succeeded is not sent again");
      // Cancel is named by its image and says what happened.
      const cancelName = `e2e-${lang}-cancel`;
      await p.getByLabel(w.name, { exact: true }).fill(cancelName);
      await p.locator(".pick", { hasText: "postgres-data" }).first().click();
      await create.click();
      const cancelRow = p.locator(".operation", { has: p.locator("strong", { hasText: new RegExp(`^${cancelName}$`) }) });
      await cancelRow.locator("progress").waitFor();
      await cancelRow.getByRole("button", { name: w.cancelOf(cancelName), exact: true }).click();
      await cancelRow.locator(".status", { hasText: w.cancelled }).waitFor();
      await cancelRow.getByText(w.cancelOutcome).waitFor();
    } finally {
      await context.close();
    }
  });

  test(`[${lang}] images: no Delete while creating, a real dialog, an unreachable endpoint in words, 375 px on every screen`, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: w.locale });
    const p = await context.newPage();
    watchConsole(p);
    try {
      await p.goto(base + "/");
      await p.getByRole("heading", { name: w.heading }).waitFor();
      const wide = async (screen) => {
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `${screen} (${lang}) at 375 px: no horizontal scrolling (page is ${width} px wide)`);
      };
      await wide("create");
      await p.screenshot({ path: join(SHOTS, `create-${lang}-375.png`), fullPage: true });
      // A slow copy stays CREATING for a while: the Images screen offers no Delete for it.
      const name = `e2e-${lang}-slow`;
      await p.getByLabel(w.name, { exact: true }).fill(name);
      await p.getByLabel(w.disk, { exact: true }).check();
      await p.locator(".pick", { hasText: "postgres-data" }).first().click();
      await p.getByRole("main").getByRole("button", { name: w.create, exact: true }).click();
      const opRow = p.locator(".operation", { has: p.locator("strong", { hasText: new RegExp(`^${name}$`) }) });
      await opRow.locator("progress").waitFor();
      await p.getByRole("link", { name: w.images, exact: true }).click();
      const tr = p.locator("tr", { hasText: name });
      await tr.locator(".status", { hasText: w.creating }).waitFor();
      assert.equal(await tr.getByRole("button", { name: w.deleteOf(name) }).count(), 0, "no Delete while creating");
      await wide("images");
      // Each image is a card: name, status and its actions in view without sideways scrolling.
      const card = p.locator("tr", { hasText: "ubuntu-2404-base" });
      const box = await card.getByRole("button", { name: w.deleteOf("ubuntu-2404-base") }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `Delete is in view at 375 px (${JSON.stringify(box)})`);
      await card.locator("code").waitFor({ state: "visible" });
      await card.getByRole("link", { name: "ubuntu-2404-base", exact: true }).click();
      await p.locator("dl.details").waitFor();
      await wide("an image's page");
      await p.goBack();
      await accessible(p, `images (${lang})`);
      // The delete dialog: focus inside, Escape closes, focus back on its button.
      const del = p.locator("tr", { hasText: "ubuntu-2404-base" }).getByRole("button", { name: w.deleteOf("ubuntu-2404-base") });
      await del.click();
      await p.getByRole("dialog").getByText(w.question("ubuntu-2404-base")).waitFor();
      assert.ok(await p.evaluate(() => document.activeElement?.closest("dialog[open]") !== null), "focus is inside the dialog");
      await wide("the delete dialog");
      await p.keyboard.press("Escape");
      await p.waitForFunction(() => !document.querySelector("dialog[open]"));
      await p.waitForFunction((label) => document.activeElement?.getAttribute("aria-label") === label, w.deleteOf("ubuntu-2404-base"));
      // Settings at 375 px, then an endpoint nothing listens on: the error names the address.
      await p.getByRole("link", { name: w.settings, exact: true }).click();
      await wide("settings");
      await accessible(p, `settings (${lang})`);
      expectConsoleErrors(/ERR_CONNECTION_REFUSED|Failed to load resource/);
      await p.getByLabel(w.endpoint).fill("http://127.0.0.1:9");
      await p.getByRole("button", { name: w.save }).click();
      await p.getByRole("link", { name: w.images, exact: true }).click();
      // The listing's error (the panel's poll of the running copy says the same).
      await p.locator(".banner-error", { hasText: w.unreachable }).waitFor();
      // The browser's own words are only in the folded detail for support, never in the sentence.
      assert.equal(await p.getByText("Failed to fetch").filter({ visible: true }).count(), 0, "not the browser's words");
      await p.getByRole("link", { name: w.settings, exact: true }).click();
      await p.getByLabel(w.endpoint).fill("");
      await p.getByRole("button", { name: w.save }).click();
      // Leave nothing running for the other tests.
      await p.getByRole("link", { name: w.images, exact: true }).click();
      await opRow.getByRole("button", { name: w.cancelOf(name), exact: true }).click();
      await opRow.locator(".status", { hasText: w.cancelled }).waitFor();
    } finally {
      await context.close();
    }
  });
}
