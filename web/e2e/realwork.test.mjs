// The console under real conditions: a folder of 3,000 images, a link where every call takes
// 2.5 s, another client (grpc-js, a real gRPC client) creating in the same folder, two tabs,
// addresses opened directly, and a Create in flight across a language switch.
// Run by `cargo xtask test` (KILN_BIN, KILN_DIST set); Debian's /usr/bin/chromium.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const BIN = process.env.KILN_BIN;
const DIST = process.env.KILN_DIST;
assert.ok(BIN && DIST, "KILN_BIN and KILN_DIST must be set (cargo xtask test sets them)");
const PROTO = join(dirname(fileURLToPath(import.meta.url)), "../../proto");
const IMAGES = 3000;

let work, kiln, base, browser, images, operations, files, fileBase;
const consoleErrors = [];
function watch(p) {
  p.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e}`));
  p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(`console.error: ${m.text()}`); });
}
afterEach(() => assert.deepEqual(consoleErrors.splice(0), [], "nothing in the browser console"));

/** `big-0000` … `big-2999`, one second apart: big-2999 is the newest. */
function seed() {
  const pad = (i) => String(i).padStart(4, "0");
  return {
    folderId: "dev-folder",
    disks: [
      { id: "fhm0big0disk0slow001", name: "slow-data", size: String(200 * 2 ** 30) },
      { id: "fhm0big0disk0boot001", name: "boot", size: String(20 * 2 ** 30) },
    ],
    snapshots: [],
    images: Array.from({ length: IMAGES }, (_, i) => ({
      id: `fd8big0image0${pad(i)}`,
      name: `big-${pad(i)}`,
      minDiskSize: String(2 ** 30),
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace(".000", ""),
    })),
  };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "kiln-realwork-"));
  // A file server with nothing on it (the service never downloads from itself).
  files = createServer((req, res) => res.writeHead(404).end());
  await new Promise((ok) => files.listen(0, "127.0.0.1", ok));
  fileBase = `http://127.0.0.1:${files.address().port}`;
  writeFileSync(join(work, "seed.json"), JSON.stringify(seed()));
  // A folder this big needs a quota to match (the default is 32 images).
  writeFileSync(join(work, "kiln.toml"), "[quotas]\nrunning_operations_per_folder = 15\nimages_per_folder = 10000\n");
  kiln = spawn(BIN, ["serve", "--config", join(work, "kiln.toml"), "--listen", "127.0.0.1:0", "--data-dir", join(work, "data"),
    "--web-dir", DIST, "--seed", join(work, "seed.json"), "--copy-rate", "1GiB"],
  { stdio: ["ignore", "ignore", "pipe"] });
  base = await new Promise((ok, fail) => {
    let log = "";
    const timer = setTimeout(() => fail(new Error(`kiln serve did not start:\n${log}`)), 60_000);
    kiln.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    kiln.on("exit", (code) => fail(new Error(`kiln serve exited ${code}:\n${log}`)));
  });
  const definition = protoLoader.loadSync("yandex/cloud/compute/v1/image_service.proto", {
    includeDirs: [PROTO], keepCase: false, longs: String, enums: String, defaults: false, oneofs: true,
  });
  const api = grpc.loadPackageDefinition(definition);
  images = new api.yandex.cloud.compute.v1.ImageService(base.replace("http://", ""), grpc.credentials.createInsecure());
  const opsApi = grpc.loadPackageDefinition(protoLoader.loadSync("yandex/cloud/operation/operation_service.proto", {
    includeDirs: [PROTO], keepCase: false, longs: String, enums: String, defaults: false, oneofs: true,
  }));
  operations = new opsApi.yandex.cloud.operation.OperationService(base.replace("http://", ""), grpc.credentials.createInsecure());
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  images?.close();
  operations?.close();
  kiln?.kill("SIGKILL");
  files?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A unary call of the second client, with the development token. */
function call(method, request, client = images) {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", "Bearer dev-token");
  return new Promise((ok, fail) => client[method](request, metadata, { deadline: Date.now() + 10_000 },
    (e, reply) => (e ? fail(e) : ok(reply))));
}

async function open(path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", ...options });
  const page = await context.newPage();
  watch(page);
  await page.goto(base + path);
  return { context, page };
}

const rowNames = (page) => page.locator("table.image-table tbody tr td:first-child").allInnerTexts();

test("a folder of 3,000 images: newest first, paged both ways, the oldest found by name and by ID, idle costs little", async () => {
  const { context, page } = await open("/images");
  try {
    await page.locator("tr", { hasText: "big-2999" }).waitFor();
    const first = await rowNames(page);
    assert.equal(first.length, 50, "a page of 50");
    assert.equal(first[0], "big-2999", "newest first");
    assert.equal(first[49], "big-2950");
    await page.getByText("Images 1–50, newest first. More on the next page.").waitFor();
    await page.getByRole("button", { name: "Next page" }).click();
    await page.locator("tr", { hasText: "big-2949" }).waitFor();
    await page.getByText("Images 51–100, newest first. More on the next page.").waitFor();
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.locator("tr", { hasText: "big-2999" }).waitFor();
    // The oldest: by its exact name, then by its ID.
    await page.getByLabel("Find by exact name or ID").fill("big-0000");
    await page.getByLabel("Find by exact name or ID").press("Enter");
    await page.getByText("1 image found for “big-0000”.").waitFor();
    assert.deepEqual(await rowNames(page), ["big-0000"]);
    await page.getByLabel("Find by exact name or ID").fill("fd8big0image00001");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.getByText("1 image found for “fd8big0image00001”.").waitFor();
    assert.deepEqual(await rowNames(page), ["big-0001"]);
    await page.getByLabel("Find by exact name or ID").fill("no-such-image");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.getByText("No image in this folder is named “no-such-image” or has that ID.").waitFor();
    await page.getByRole("button", { name: "Show all" }).click();
    await page.locator("tr", { hasText: "big-2999" }).waitFor();
    // 20 s idle with one image being created by another client (its row and its operation
    // are refreshed, nothing else): what crosses the wire.
    const slow = await call("create", { folderId: "dev-folder", name: "idle-creating", diskId: "fhm0big0disk0slow001" });
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("tr", { hasText: "idle-creating" }).locator("progress").waitFor({ timeout: 15_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
    const link = page.getByRole("link", { name: "big-2990", exact: true });
    await link.focus();
    await page.waitForTimeout(20_000);
    console.log(`idle on Images with ${IMAGES} images, 20 s: ${bytes} bytes`);
    assert.ok(bytes <= 100_000, `at most 100 KB in 20 idle seconds (moved ${bytes} bytes)`);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "big-2990", "focus stays");
    assert.ok(bytes > 0, "the creating row was refreshed meanwhile");
    const progress = await page.locator("tr", { hasText: "idle-creating" }).locator("progress").getAttribute("value");
    assert.ok(Number(progress) > 0, `its progress moved (${progress}%)`);
    await call("cancel", { operationId: slow.id }, operations);
    // The source picker pages on the service too.
    await page.getByRole("link", { name: "Create image", exact: true }).click();
    await page.getByLabel("Image", { exact: true }).check();
    await page.locator(".pick", { hasText: "big-2999" }).waitFor();
    assert.equal(await page.locator(".pick").count(), 50);
    await page.locator(".source").getByRole("button", { name: "Next page" }).click();
    await page.locator(".pick", { hasText: "big-2949" }).waitFor();
    await page.getByLabel("Find an image by exact name or ID").fill("big-0000");
    await page.getByLabel("Find an image by exact name or ID").press("Enter");
    await page.locator(".pick", { hasText: "big-0000" }).waitFor();
    assert.equal(await page.locator(".pick").count(), 1);
  } finally {
    await context.close();
  }
});

test("every screen loads when each call takes 2.5 s, and no call is aborted by a timer", async () => {
  const { context, page } = await open("/settings");
  try {
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 2500, downloadThroughput: -1, uploadThroughput: -1,
    });
    const failed = [];
    const started = new Map();
    page.on("request", (r) => started.set(r, page.url()));
    // A call dropped before its answer came. (tonic-web-wasm-client drops a fetch once it has
    // read the trailers, which Chromium may report as ERR_ABORTED after the response: that
    // one was answered.)
    page.on("requestfailed", async (r) => {
      if (!(await r.response().catch(() => null))) {
        failed.push(`${r.url()}: ${r.failure()?.errorText} (sent on ${started.get(r)}, failed on ${page.url()})`);
      }
    });
    // The first listing is held 5 s more: a call that long says it is still waiting.
    let held = false;
    await page.route("**/yandex.cloud.compute.v1.ImageService/List", async (route) => {
      if (!held) { held = true; await new Promise((ok) => setTimeout(ok, 5000)); }
      await route.continue();
    });
    await page.getByRole("link", { name: "Images", exact: true }).click();
    await page.getByText(/Still waiting for the service/).waitFor({ timeout: 20_000 });
    await page.locator("tr", { hasText: "big-2999" }).waitFor({ timeout: 30_000 });
    await page.getByRole("link", { name: "big-2999", exact: true }).click();
    await page.locator("dl.details").waitFor({ timeout: 30_000 });
    await page.locator(".history").waitFor();
    await page.getByRole("link", { name: "Create image", exact: true }).click();
    await page.locator(".pick").first().waitFor({ timeout: 30_000 });
    assert.deepEqual(failed, [], "no call was aborted or failed");
    // Another kind of source is the user asking for something else: only then may the
    // listing in flight be dropped.
    await page.getByLabel("Disk", { exact: true }).check();
    await page.locator(".pick", { hasText: "slow-data" }).waitFor({ timeout: 30_000 });
  } finally {
    await context.close();
  }
});

test("another client's Create shows with its operation and progress, and is cancelled from the console without a reload", async () => {
  const { context, page } = await open("/images");
  try {
    await page.locator("tr", { hasText: "big-2999" }).waitFor();
    const op = await call("create", { folderId: "dev-folder", name: "from-grpc-js", diskId: "fhm0big0disk0slow001" });
    await page.getByRole("button", { name: "Refresh" }).click();
    const row = page.locator("tr", { hasText: "from-grpc-js" });
    await row.locator(".status", { hasText: "Creating" }).waitFor();
    assert.equal((await rowNames(page))[0], "from-grpc-js", "the newest row is first");
    await row.locator("progress").waitFor({ timeout: 10_000 });
    const panelRow = page.locator(".operation", { has: page.locator("strong", { hasText: /^from-grpc-js$/ }) });
    await panelRow.locator("progress").waitFor();
    await panelRow.getByText(op.id).waitFor();
    // Its own page shows the running operation with Cancel.
    await row.getByRole("link", { name: "from-grpc-js" }).click();
    const running = page.getByRole("group", { name: "Running operation" });
    await running.locator("progress").waitFor();
    await running.getByRole("button", { name: "Cancel creation of from-grpc-js" }).click();
    await panelRow.locator(".status", { hasText: "Cancelled" }).waitFor({ timeout: 20_000 });
    const after = await call("get", { imageId: (await page.url()).split("/").pop() }).catch((e) => e);
    assert.equal(after.code, grpc.status.NOT_FOUND, "the cancelled image is gone");
  } finally {
    await context.close();
  }
});

test("addresses: a deep link in a new tab, reload and Back; tabs share the panel live", async () => {
  const { context, page } = await open("/images/fd8big0image01234");
  try {
    await page.getByRole("heading", { name: /big-1234/ }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === "image-title");
    assert.match(await page.title(), /big-1234 · Kiln console$/, "the tab names the image");
    const settings = await context.newPage();
    watch(settings);
    await settings.goto(base + "/settings");
    await settings.getByRole("heading", { name: "Settings" }).waitFor();
    assert.equal(await settings.title(), "Settings · Kiln console");
    const missing = await settings.request.get(base + "/no-such-asset.wasm");
    assert.equal(missing.status(), 404, "a missing asset is still a 404");
    // A Create in one tab shows in the other tab's panel without a reload.
    await settings.getByRole("link", { name: "Create image", exact: true }).click();
    await settings.getByLabel("Name", { exact: true }).fill("two-tabs");
    await settings.getByLabel("Disk", { exact: true }).check();
    await settings.locator(".pick", { hasText: "boot" }).first().click();
    await settings.getByRole("main").getByRole("button", { name: "Create image", exact: true }).click();
    await settings.locator(".banner-ok", { hasText: "Create started" }).waitFor();
    await page.locator(".operation", { has: page.locator("strong", { hasText: /^two-tabs$/ }) }).waitFor();
    // In-app navigation, then Back, Forward and a reload.
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/settings");
    await page.goBack();
    await page.getByRole("heading", { name: /big-1234/ }).waitFor();
    await page.goForward();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    // An address that cannot name an image says so without asking the service.
    await page.goto(base + "/images/" + "x".repeat(80));
    await page.getByRole("heading", { name: /xxxx/ }).waitFor();
  } finally {
    await context.close();
  }
});

test("a Create in flight survives a language switch: pressing again sends nothing more", async () => {
  const { context, page } = await open("/create");
  const creates = [];
  let release;
  const held = new Promise((ok) => { release = ok; });
  try {
    await page.route("**/yandex.cloud.compute.v1.ImageService/Create", async (route) => {
      creates.push(route.request());
      await held;
      await route.continue();
    });
    await page.getByLabel("Name", { exact: true }).fill("in-flight");
    await page.getByLabel("Disk", { exact: true }).check();
    await page.locator(".pick", { hasText: "boot" }).first().click();
    await page.getByRole("main").getByRole("button", { name: "Create image", exact: true }).click();
    await page.getByRole("main").getByRole("button", { name: "Creating…" }).waitFor();
    await page.getByRole("button", { name: "Русский" }).click();
    await page.getByRole("heading", { name: "Создание образа" }).waitFor();
    const create = page.getByRole("main").getByRole("button", { name: /Созда/ }).last();
    assert.equal(await create.getAttribute("aria-disabled"), "true", "still sending after the switch");
    await create.focus();
    await page.keyboard.press("Enter");
    await page.getByText("Этот запрос на создание ещё отправляется: дождитесь ответа.").waitFor();
    await page.getByRole("link", { name: "Образы", exact: true }).click();
    await page.getByRole("link", { name: "Создать образ", exact: true }).click();
    await page.getByRole("main").getByRole("button", { name: /Созда/ }).last().focus();
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    assert.equal(creates.length, 1, "one Create sent");
    release();
    await page.locator(".banner-ok", { hasText: "Создание запущено" }).waitFor();
    assert.equal(creates.length, 1, "still one");
    // The banner is worded when shown: switched back, it speaks English.
    await page.getByRole("button", { name: "English" }).click();
    await page.locator(".banner-ok", { hasText: "Create started" }).waitFor();
  } finally {
    release();
    await context.close();
  }
});

test("the service's answers read in Russian: a URI import that meets HTTP 404, the raw text kept for support", async () => {
  const { context, page } = await open("/create", { locale: "ru-RU" });
  try {
    await page.getByRole("heading", { name: "Создание образа" }).waitFor();
    assert.equal(await page.title(), "Создание образа · Консоль Kiln");
    await page.getByLabel("Имя", { exact: true }).fill("ru-404");
    await page.locator("#source-kind-uri").check();
    const uri = `${fileBase}/missing.qcow2`;
    await page.locator("#source-value").fill(uri);
    await page.getByRole("main").getByRole("button", { name: "Создать образ", exact: true }).click();
    const row = page.locator(".operation", { has: page.locator("strong", { hasText: /^ru-404$/ }) });
    await row.locator(".status", { hasText: "Завершена с ошибкой" }).waitFor({ timeout: 30_000 });
    const result = row.locator(".op-result");
    const sentence = `Не удалось импортировать образ из ${fileBase}: сервер ответил HTTP 404.`;
    await result.getByText(sentence, { exact: false }).waitFor({ timeout: 5_000 })
      .catch(async () => assert.fail(`expected «${sentence}» in: ${await row.innerText()}`));
    assert.doesNotMatch(await result.locator(".error-text").innerText(), /cannot import|answered/, "no English in the sentence");
    await result.locator("details.raw summary").click();
    assert.match(await result.locator("details.raw pre").innerText(), /404/, "the service's own text for support");
  } finally {
    await context.close();
  }
});
