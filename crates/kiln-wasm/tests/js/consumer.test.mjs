// A consumer's view: `npm pack` the built package, install the tarball into a fresh temporary
// project, and use it from Node ESM (the Node running this test), Bun and Deno, from TypeScript
// (type errors included), from a Vite build loaded in headless Chromium, and from a plain
// <script type="module"> page. Needs the npm registry (vite 7, playwright-core, typescript),
// Debian's /usr/bin/chromium, and Bun and Deno (KILN_BUN, KILN_DENO; `cargo xtask test` sets them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../../..");
const packageDir = process.env.KILN_VALIDATOR_DIR ?? join(root, "target/npm/kiln-validator");
let project;

const run = (cmd, args, cwd = project) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });

before(() => {
  project = mkdtempSync(join(tmpdir(), "kiln-consumer-"));
  const tarball = run("npm", ["pack", packageDir, "--pack-destination", project, "--silent"]).trim().split("\n").pop();
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--silent", join(project, tarball),
    "vite@7", "playwright-core@1.65", "typescript@5"]);
});

after(() => rmSync(project, { recursive: true, force: true }));

test("the tarball holds the package files and nothing else", () => {
  const files = run("tar", ["-tzf", run("ls", []).split("\n").find((f) => f.endsWith(".tgz"))]).trim().split("\n").sort();
  assert.deepEqual(files, [
    "package/README.md", "package/api.js", "package/index.d.ts", "package/index.js", "package/kiln_wasm.js",
    "package/kiln_wasm_bg.wasm", "package/node.js", "package/package.json", "package/types.d.ts",
  ]);
});

// What every runtime runs: a plain import (no init call), each outcome, describeRules, and the
// errors a user can act on. Printed as JSON for the test to compare.
const CHECK = `
  import { validateCreateImageRequest, validate, describeRules } from "kiln-validator";
  const cyclic = { folderId: "b1g", os: {} };
  cyclic.os.parent = cyclic;
  const out = {
    valid: validateCreateImageRequest({ folderId: "b1g", uri: "https://storage.yandexcloud.net/b/d.qcow2" }),
    invalid: validateCreateImageRequest('{"folderId":"b1g","name":"Web"}'),
    cancel: validate("yandex.cloud.operation.CancelOperationRequest", {}),
    maxDescription: describeRules("yandex.cloud.compute.v1.CreateImageRequest").fields.find((f) => f.path === "description").length.max,
    wrongName: validate("CreateImageRequest", {}),
    notObject: validateCreateImageRequest([1, 2]),
    cyclic: validateCreateImageRequest(cyclic),
    option: validateCreateImageRequest({}, { lang: "ru" }),
    russian: validateCreateImageRequest({ folderId: "b1g" }, { locale: "ru" }).violations[0].message,
  };
  console.log(JSON.stringify(out));`;

function checkOutput(text) {
  const out = JSON.parse(text);
  assert.deepEqual(out.valid, { kind: "valid" });
  assert.deepEqual(out.invalid.violations.map((v) => [v.field, v.rule]), [["name", "pattern"], ["source", "exactly_one"]]);
  assert.deepEqual(out.cancel.violations.map((v) => [v.field, v.rule]), [["operation_id", "required"]]);
  assert.equal(out.maxDescription, 256);
  assert.deepEqual(out.wrongName, {
    kind: "error",
    error: 'unknown message name "CreateImageRequest": did you mean "yandex.cloud.compute.v1.CreateImageRequest"? (messageNames lists every name)',
  });
  assert.deepEqual(out.notObject, { kind: "error", error: "input must be a JSON object, got an array" });
  assert.deepEqual(out.cyclic, {
    kind: "error",
    error: "input cannot be read as JSON: it is cyclic, os.parent refers back to an object that contains it",
  });
  assert.deepEqual(out.option, {
    kind: "error",
    error: 'unknown option "lang": kiln-validator takes only "locale"',
  });
  assert.equal(out.russian, "выберите источник: образ, диск, снимок или URI");
}

test("Node ESM: plain import, no init", () => {
  writeFileSync(join(project, "check.mjs"), CHECK);
  assert.match(run("node", ["--version"]), new RegExp(`^${process.version}`), "the Node on PATH is the one running the test");
  checkOutput(run("node", ["check.mjs"]));
});

// cargo xtask test installs both from npm into target/runtimes (crates/xtask/src/runtimes.rs).
const bun = process.env.KILN_BUN ?? join(root, "target/runtimes/bun/node_modules/.bin/bun");
const deno = process.env.KILN_DENO ?? join(root, "target/runtimes/deno/node_modules/.bin/deno");

test("Bun: plain import, no init", () => {
  writeFileSync(join(project, "check.mjs"), CHECK);
  checkOutput(run(bun, ["check.mjs"]));
});

test("Deno: plain import from node_modules, no init", () => {
  writeFileSync(join(project, "check.mjs"), CHECK);
  checkOutput(run(deno, ["run", "--allow-read", "--allow-env", "check.mjs"]));
});

test("TypeScript: the generated types accept requests and reject wrong field types", () => {
  writeFileSync(join(project, "check.ts"), `
    import { validateCreateImageRequest, validate, describeRules, type CreateImageRequest, type ValidationResult, type ValidateOptions } from "kiln-validator";
    const request: CreateImageRequest = { folderId: "b1g", minDiskSize: 10n, os: { type: "LINUX" }, labels: { a: "b" } };
    const ok: ValidationResult = validateCreateImageRequest(request);
    validate("yandex.cloud.compute.v1.ListImagesRequest", { folderId: "f", pageSize: 10 });
    // @ts-expect-error folderId is a string
    validateCreateImageRequest({ folderId: 1 });
    // @ts-expect-error no such field
    validateCreateImageRequest({ folderID: "f" });
    // @ts-expect-error not an OS type
    validateCreateImageRequest({ os: { type: "MACOS" } });
    // @ts-expect-error not a message name
    validate("yandex.cloud.compute.v1.Nope", {});
    const options: ValidateOptions = {};
    validateCreateImageRequest(request, options);
    validate("yandex.cloud.compute.v1.ListImagesRequest", "{}", {});
    validateCreateImageRequest(request, { locale: "ru" });
    validate("yandex.cloud.compute.v1.ListImagesRequest", {}, { locale: "ru-RU" });
    const hint: string = describeRules("yandex.cloud.compute.v1.CreateImageRequest", { locale: "en" }).fields[0].text;
    // @ts-expect-error not a locale kiln-validator speaks
    validateCreateImageRequest(request, { locale: "de" });
    // @ts-expect-error an option this version does not have
    validateCreateImageRequest(request, { lang: "ru" });
    // @ts-expect-error options are an object
    validateCreateImageRequest(request, "ru");
    if (ok.kind === "invalid") ok.violations.map((v) => v.field + v.rule);
  `);
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", skipLibCheck: false },
    files: ["check.ts"],
  }));
  run(join(project, "node_modules/.bin/tsc"), ["-p", "."]);
});

function serve(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(dir) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function inChromium(url) {
  const { chromium } = await import(join(project, "node_modules/playwright-core/index.mjs"));
  // launch() gives every browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.kilnResult !== undefined, null, { timeout: 30_000 });
    return { result: await page.evaluate(() => window.kilnResult), errors };
  } finally {
    await browser.close();
  }
}

const pageScript = (from) => `
  import { validateCreateImageRequest, validate, describeRules } from "${from}";
  const cyclic = { folderId: "b1g", labels: {} };
  cyclic.labels.self = cyclic.labels;
  window.kilnResult = {
    valid: validateCreateImageRequest({ folderId: "b1g", diskId: "fhm1" }),
    invalid: validateCreateImageRequest({ folderId: "b1g", labels: { Team: "x" }, diskId: "d" }),
    hints: describeRules("yandex.cloud.compute.v1.CreateImageRequest").fields.find((f) => f.path === "name").hints,
    russian: describeRules("yandex.cloud.compute.v1.CreateImageRequest", { locale: "ru" }).fields.find((f) => f.path === "name").text,
    wrongName: validate("yandex.cloud.compute.v1.CreateImage", {}).error,
    cyclic: validateCreateImageRequest(cyclic).error,
  };`;

function checkPage({ result, errors }) {
  assert.deepEqual(errors, []);
  assert.deepEqual(result.valid, { kind: "valid" });
  assert.deepEqual(result.invalid.violations.map((v) => [v.field, v.rule]), [['labels["Team"]', "map_key.pattern"]]);
  assert.deepEqual(result.hints, [
    "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; starts with a letter; ends with a letter or a digit",
  ]);
  assert.equal(result.russian, "пусто или от 1 до 63 символов: строчные латинские буквы, цифры, дефисы и знаки подчёркивания; начинается с буквы; заканчивается буквой или цифрой");
  assert.equal(result.wrongName, 'unknown message name "yandex.cloud.compute.v1.CreateImage" (messageNames lists every name)');
  assert.equal(result.cyclic, "input cannot be read as JSON: it is cyclic, labels.self refers back to an object that contains it");
}

test("Vite build loaded in headless Chromium", async () => {
  const app = join(project, "app");
  run("mkdir", ["-p", app]);
  writeFileSync(join(app, "index.html"), `<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>`);
  writeFileSync(join(app, "main.js"), pageScript("kiln-validator"));
  run(join(project, "node_modules/.bin/vite"), ["build", app, "--outDir", join(project, "dist"), "--emptyOutDir", "--logLevel", "error"]);
  const server = await serve(join(project, "dist"));
  try {
    checkPage(await inChromium(`http://127.0.0.1:${server.address().port}/index.html`));
  } finally {
    server.close();
  }
});

test("plain <script type=module> in headless Chromium", async () => {
  writeFileSync(join(project, "plain.html"),
    `<!doctype html><html><body><script type="module">${pageScript("./node_modules/kiln-validator/index.js")}</script></body></html>`);
  const server = await serve(project);
  try {
    checkPage(await inChromium(`http://127.0.0.1:${server.address().port}/plain.html`));
  } finally {
    server.close();
  }
});
