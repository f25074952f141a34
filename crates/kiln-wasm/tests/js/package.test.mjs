// The built package (target/npm/kiln-validator, or KILN_VALIDATOR_DIR) under node --test:
// the shared conformance table case by case, the API's shapes, and hostile input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, resolve } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../../..");
const packageDir = process.env.KILN_VALIDATOR_DIR ?? join(root, "target/npm/kiln-validator");
const kiln = await import(pathToFileURL(join(packageDir, "node.js")).href);
const { validate, validateCreateImageRequest, describeRules, messageNames } = kiln;

const CREATE = "yandex.cloud.compute.v1.CreateImageRequest";

function loadCases() {
  const dir = join(root, "tests/conformance");
  const cases = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".json") || file === "expected-failures.json") continue;
    const doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
    for (const c of doc.cases) cases.push({ ...c, message: c.message ?? doc.message });
  }
  return cases;
}

function pairs(result) {
  if (result.kind === "valid") return [];
  if (result.kind === "error") return "error";
  return result.violations.map((v) => `${v.field} ${v.rule}`).sort();
}

test("conformance table: every case agrees with the expected (field, rule) pairs", () => {
  const cases = loadCases();
  const expectedFailures = JSON.parse(readFileSync(join(root, "tests/conformance/expected-failures.json"), "utf8"));
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  const failures = [];
  for (const c of cases) {
    const asObject = validate(c.message, c.input);
    const asText = validate(c.message, JSON.stringify(c.input));
    const want = c.expect === "error" ? "error" : c.expect.map(([f, r]) => `${f} ${r}`).sort();
    const ok = JSON.stringify(pairs(asObject)) === JSON.stringify(want);
    if (ok === expectedFailures.includes(c.name)) failures.push(`${c.name}: got ${JSON.stringify(pairs(asObject))}`);
    // A string input is JSON text, so a case whose input is itself a JSON string reads
    // differently as an object; both must still be errors.
    if (typeof c.input === "string") assert.equal(asText.kind, asObject.kind, c.name);
    else assert.deepEqual(asText, asObject, `${c.name}: object and JSON text inputs disagree`);
  }
  assert.deepEqual(failures, []);
});

test("results have exactly the contract's shape", () => {
  assert.deepEqual(validateCreateImageRequest({ folderId: "f", imageId: "i" }), { kind: "valid" });
  const invalid = validateCreateImageRequest({ folderId: "f", name: "Bad", imageId: "i" });
  assert.equal(invalid.kind, "invalid");
  assert.deepEqual(Object.keys(invalid), ["kind", "violations"]);
  assert.deepEqual(Object.keys(invalid.violations[0]), ["field", "rule", "message"]);
  assert.equal(invalid.violations[0].message, "may only contain lowercase Latin letters, digits, hyphens and underscores (it has “B”)");
  const error = validateCreateImageRequest("[1]");
  assert.deepEqual(Object.keys(error), ["kind", "error"]);
});

test("validateCreateImageRequest is validate with the CreateImageRequest name", () => {
  const input = { folderId: "", labels: { Env: "x" }, diskId: "d", uri: "u" };
  assert.deepEqual(validateCreateImageRequest(input), validate(CREATE, input));
});

test("BigInt int64 values are validated as numbers", () => {
  assert.deepEqual(validateCreateImageRequest({ folderId: "f", imageId: "i", minDiskSize: 10737418240n }), { kind: "valid" });
  const small = validateCreateImageRequest({ folderId: "f", imageId: "i", minDiskSize: 5n });
  assert.deepEqual(pairs(small), ["min_disk_size value"]);
});

test("describeRules gives limits as data", () => {
  const rules = describeRules(CREATE);
  const field = (p) => rules.fields.find((f) => f.path === p);
  assert.equal(field("description").length.max, 256);
  assert.equal(field("labels").size.max, 64);
  assert.equal(field("labels").mapKeyPattern, "[a-z][-_./\\@0-9a-z]*");
  assert.equal(field("folder_id").required, true);
  assert.equal(field("name").length, null);
  assert.deepEqual(field("os.type").enumValues, ["TYPE_UNSPECIFIED", "LINUX", "WINDOWS"]);
  assert.deepEqual(rules.oneofs[0], {
    path: "source", members: ["image_id", "disk_id", "snapshot_id", "uri"], exactlyOne: true,
    text: "choose a source: an image, a disk, a snapshot or a URI",
  });
  assert.equal(field("name").pattern, "|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?");
  assert.equal(field("name").text,
    "empty, or 1–63 characters: lowercase Latin letters, digits, hyphens and underscores; starts with a letter; ends with a letter or a digit");
  assert.equal(describeRules("yandex.cloud.Nope"), undefined);
  assert.ok(messageNames.includes("yandex.cloud.operation.CancelOperationRequest"));
  for (const name of messageNames) assert.equal(describeRules(name).message, name);
});

test("errors name the problem: a wrong message name, a non-object, a cycle, options", () => {
  const cases = [
    [validate("yandex.cloud.Nope", {}), 'unknown message name "yandex.cloud.Nope" (messageNames lists every name)'],
    [validate("createimagerequest", {}),
      'unknown message name "createimagerequest": did you mean "yandex.cloud.compute.v1.CreateImageRequest"? (messageNames lists every name)'],
    [validate("yandex.cloud.compute.v2.UpdateImageRequest", {}),
      'unknown message name "yandex.cloud.compute.v2.UpdateImageRequest": did you mean "yandex.cloud.compute.v1.UpdateImageRequest"? (messageNames lists every name)'],
    [validate('a"b\\', {}), 'unknown message name "a\\"b\\\\" (messageNames lists every name)'],
    [validate(42, {}), "messageName must be a string, got a number"],
    [validateCreateImageRequest([]), "input must be a JSON object, got an array"],
    [validateCreateImageRequest(null), "input must be a JSON object, got null"],
    [validateCreateImageRequest(7), "input must be a JSON object, got a number"],
    [validateCreateImageRequest("[]"), "input must be a JSON object, got an array"],
    [validateCreateImageRequest({}, { lang: "ru" }), 'unknown option "lang": kiln-validator takes only "locale"'],
    [validateCreateImageRequest({}, { locale: "de" }), 'unsupported locale "de": kiln-validator speaks "en" and "ru"'],
    [validateCreateImageRequest({}, { locale: 7 }), 'options.locale must be a string such as "en" or "ru", got a number'],
    [validateCreateImageRequest(undefined), "input must be a JSON object, got undefined"],
    [validateCreateImageRequest({}, "ru"), "options must be an object, got a string"],
    [validate(CREATE, {}, null), "options must be an object, got null"],
  ];
  const cyclic = { folderId: "f", productIds: ["a", {}] };
  cyclic.productIds[1].back = cyclic.productIds;
  cases.push([validateCreateImageRequest(cyclic),
    "input cannot be read as JSON: it is cyclic, productIds[1].back refers back to an object that contains it"]);
  const self = { folderId: "f" };
  self.self = self;
  cases.push([validateCreateImageRequest(self),
    "input cannot be read as JSON: it is cyclic, self refers back to an object that contains it"]);
  for (const [result, error] of cases) assert.deepEqual(result, { kind: "error", error });
  // Options given as an empty object are no options.
  assert.deepEqual(validateCreateImageRequest({ folderId: "f", imageId: "i" }, {}), { kind: "valid" });
  // The same object twice is not a cycle.
  const shared = { key: "v" };
  assert.deepEqual(pairs(validateCreateImageRequest({ folderId: "f", imageId: "i", labels: shared, os: { shared } })),
    ["os.shared unknown_field"]);
});

test("results are plain objects and arrays", () => {
  const invalid = validateCreateImageRequest({ folderId: "", imageId: "i" });
  for (const value of [invalid, invalid.violations[0], validateCreateImageRequest({ folderId: "f", imageId: "i" }),
    validateCreateImageRequest(1), describeRules(CREATE), describeRules(CREATE).fields[0]]) {
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  }
  assert.ok(Array.isArray(invalid.violations) && Array.isArray(describeRules(CREATE).fields));
  assert.ok(Array.isArray(messageNames) && Object.isFrozen(messageNames));
});

const hostile = () => {
  const cyclic = { folderId: "f" };
  cyclic.self = cyclic;
  const deep = {};
  let at = deep;
  for (let i = 0; i < 100000; i++) at = at.os = {};
  const moderatelyDeep = { folderId: "f", imageId: "i" };
  at = moderatelyDeep;
  for (let i = 0; i < 500; i++) at = at.os = {};
  const throwing = { folderId: "f" };
  Object.defineProperty(throwing, "name", { enumerable: true, get() { throw new Error("boom"); } });
  const badToJson = { toJSON() { throw new Error("nope"); } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error("trap"); } });
  return {
    cyclic,
    deep,
    moderatelyDeep,
    throwing,
    badToJson,
    proxy,
    hugeString: { folderId: "f", imageId: "i", description: "x".repeat(10 * 1024 * 1024) },
    hugeJsonText: JSON.stringify({ folderId: "f", imageId: "i", description: "д".repeat(5 * 1024 * 1024) }),
    bigint: { folderId: "f", imageId: "i", minDiskSize: 2n ** 70n },
    undefinedValues: { folderId: "f", imageId: undefined, diskId: "d", name: undefined },
    symbols: { folderId: "f", imageId: "i", [Symbol("s")]: 1, name: Symbol("n") },
    functions: { folderId: "f", imageId: "i", name: () => 1 },
    topUndefined: undefined,
    topSymbol: Symbol("x"),
    topBigint: 5n,
    topFunction: () => 1,
    nullProto: Object.assign(Object.create(null), { folderId: "f", imageId: "i" }),
    date: { folderId: new Date(0), imageId: "i" },
    loneSurrogate: { folderId: "\ud800", imageId: "i" },
    notJsonText: "{'folderId': 'f'}",
    emptyText: "",
    nulChar: { folderId: "a\u0000b", imageId: "i" },
    numbers: { folderId: "f", imageId: "i", minDiskSize: Number.MAX_VALUE },
    nan: { folderId: "f", imageId: "i", minDiskSize: NaN },
  };
};

test("hostile input never throws, always gives a contract outcome, and the next call works", () => {
  for (const [name, input] of Object.entries(hostile())) {
    let result;
    assert.doesNotThrow(() => { result = validateCreateImageRequest(input); }, name);
    assert.ok(["valid", "invalid", "error"].includes(result.kind), `${name}: ${JSON.stringify(result)}`);
    assert.deepEqual(validateCreateImageRequest({ folderId: "f", imageId: "i" }), { kind: "valid" }, `after ${name}`);
  }
  const h = hostile();
  assert.equal(validateCreateImageRequest(h.cyclic).kind, "error");
  assert.equal(validateCreateImageRequest(h.throwing).kind, "error");
  assert.equal(validateCreateImageRequest(h.topUndefined).kind, "error");
  assert.deepEqual(pairs(validateCreateImageRequest(h.hugeString)), ["description length"]);
  assert.deepEqual(pairs(validateCreateImageRequest(h.hugeJsonText)), ["description length"]);
  assert.deepEqual(pairs(validateCreateImageRequest(h.bigint)), ["min_disk_size type"]);
  assert.deepEqual(validateCreateImageRequest(h.undefinedValues), { kind: "valid" });
  assert.deepEqual(validateCreateImageRequest(h.nan), { kind: "valid" }, "NaN has no JSON form: stringify writes null (unset)");
});

test("invalid results carry each violation's field, rule and message whole", () => {
  const result = validateCreateImageRequest({
    folderId: "b1gexamplefolder0000",
    name: "Ubuntu 24.04",
    description: "ё".repeat(257),
    labels: { 'Te"am\\': "web" },
    imageId: "fd8source",
  });
  assert.deepEqual(result, {
    kind: "invalid",
    violations: [
      { field: "name", rule: "pattern", message: "may only contain lowercase Latin letters, digits, hyphens and underscores (it has “U”)" },
      { field: "description", rule: "length", message: "must be at most 256 characters long (it has 257)" },
      { field: 'labels["Te\\"am\\\\"]', rule: "map_key.pattern", message: "key may only contain lowercase Latin letters, digits, hyphens, underscores, dots, slashes and @ signs (it has “T”)" },
    ],
  });
});

test("texts are right whatever came before: many distinct fields and messages, in turn and again", () => {
  // lib.rs keeps the JS strings of recent texts in 64 slots; 300 texts share them.
  const check = (n) => {
    const result = validateCreateImageRequest({ folderId: "f", imageId: "i", description: "d".repeat(n), labels: { [`K${n}`]: "v" } });
    assert.deepEqual(result.violations, [
      { field: "description", rule: "length", message: `must be at most 256 characters long (it has ${n})` },
      { field: `labels["K${n}"]`, rule: "map_key.pattern", message: "key may only contain lowercase Latin letters, digits, hyphens, underscores, dots, slashes and @ signs (it has “K”)" },
    ]);
  };
  for (let n = 257; n < 557; n++) check(n);
  for (let n = 556; n >= 257; n -= 7) check(n);
});

test("two bindings of one instance, in turn, each get their own texts right", async () => {
  // Both read the one instance's reused violations buffer and text cache (lib.rs, FOUND, TEXTS).
  const raw = await import(pathToFileURL(join(packageDir, "kiln_wasm.js")).href);
  const { bind } = await import(pathToFileURL(join(packageDir, "api.js")).href);
  const memory = raw.initSync({ module: readFileSync(join(packageDir, "kiln_wasm_bg.wasm")) }).memory;
  const [a, b] = [bind(raw, memory), bind(raw, memory)];
  const long = "k".repeat(300);
  const expect = (n) => [
    { field: "description", rule: "length", message: `must be at most 256 characters long (it has ${n})` },
    { field: long, rule: "unknown_field", message: "is not a field of CreateImageRequest" },
    { field: `labels["K${n}"]`, rule: "map_key.pattern", message: "key may only contain lowercase Latin letters, digits, hyphens, underscores, dots, slashes and @ signs (it has “K”)" },
  ];
  for (let n = 257; n < 400; n++) {
    for (const [api, m] of [[a, n], [b, n + 1000], [a, n], [validateCreateImageRequest, n + 7]]) {
      const input = { folderId: "f", imageId: "i", description: "d".repeat(m), [long]: 1, labels: { [`K${m}`]: "v" } };
      const got = (api.validateCreateImageRequest ?? api)(input);
      assert.deepEqual(got, { kind: "invalid", violations: expect(m) }, `${m}`);
    }
  }
});

test("inputs over 64 KiB and small ones in turn all read whole", () => {
  const sized = (n) => ({ folderId: "f", imageId: "i", description: "d".repeat(n) });
  for (const n of [100_000, 10, 256, 70_000, 257, 65_536, 0, 200_000, 300]) {
    const expected = n > 256 ? ["description length"] : [];
    assert.deepEqual(pairs(validateCreateImageRequest(sized(n))), expected, `${n} characters`);
    assert.deepEqual(pairs(validateCreateImageRequest(JSON.stringify(sized(n)))), expected, `${n} characters as text`);
  }
});

test("fuzz: seeded random JSON-like values never throw and keep the module working", () => {
  let seed = 20261126;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const keys = ["folderId", "folder_id", "name", "labels", "imageId", "diskId", "uri", "os", "type", "minDiskSize",
    "productIds", "hardwareGeneration", "legacyFeatures", "generation2Features", "pciTopology", "x", "", "__proto__"];
  const strings = ["", "a", "Web", "ubuntu-2404", "д".repeat(64), "😀", "\u0000", "LINUX", "PCI_TOPOLOGY_V2", "4194304", "-1", "x".repeat(300)];
  const value = (depth) => {
    switch (rand(depth > 4 ? 6 : 9)) {
      case 0: return null;
      case 1: return rand(2) === 0;
      case 2: return rand(1e6) - 5e5;
      case 3: return rand(3) === 0 ? 2 ** 62 : rand(1000) / 7;
      case 4: case 5: return strings[rand(strings.length)];
      case 6: return Array.from({ length: rand(5) }, () => value(depth + 1));
      case 7: case 8: {
        const o = {};
        for (let i = rand(6); i > 0; i--) o[keys[rand(keys.length)]] = value(depth + 1);
        return o;
      }
    }
  };
  const kinds = { valid: 0, invalid: 0, error: 0 };
  for (let i = 0; i < 5000; i++) {
    const input = rand(10) === 0 ? value(3) : Object.fromEntries(
      Array.from({ length: rand(8) }, () => [keys[rand(keys.length)], value(1)]));
    const result = validateCreateImageRequest(rand(2) === 0 ? input : JSON.stringify(input));
    assert.ok(result.kind in kinds, JSON.stringify(result));
    kinds[result.kind]++;
  }
  assert.ok(kinds.invalid > 1000 && kinds.error > 0, JSON.stringify(kinds));
  assert.deepEqual(validateCreateImageRequest({ folderId: "f", imageId: "i" }), { kind: "valid" });
});

test("locale: every rule kind reads in English and Russian, with the same fields and rules", () => {
  const rules = new Set();
  let errors = 0;
  for (const c of loadCases()) {
    const en = validate(c.message, c.input);
    const ru = validate(c.message, c.input, { locale: "ru" });
    assert.deepEqual(validate(c.message, c.input, { locale: "en" }), en, c.name);
    assert.equal(ru.kind, en.kind, c.name);
    if (en.kind === "invalid") {
      assert.deepEqual(ru.violations.map((v) => [v.field, v.rule]), en.violations.map((v) => [v.field, v.rule]), c.name);
      en.violations.forEach((v, i) => {
        const r = ru.violations[i].message;
        assert.ok(v.message.length > 0 && r.length > 0, c.name);
        assert.notEqual(r, v.message, `${c.name}: ${v.rule} not translated`);
        assert.match(r, /[а-я]/, `${c.name}: ${r}`);
        rules.add(v.rule);
      });
    } else if (en.kind === "error") {
      assert.notEqual(ru.error, en.error, c.name);
      errors++;
    }
  }
  assert.deepEqual([...rules].sort(), ["enum", "exactly_one", "length", "map_key.length", "map_key.pattern",
    "oneof", "pattern", "required", "size", "type", "unknown_field", "value"]);
  assert.ok(errors > 0);
});

test("locale: the texts of five rules, tags with a region, describeRules", () => {
  const ru = { locale: "ru" };
  const message = (input, field, options) =>
    validateCreateImageRequest(input, options).violations.find((v) => v.field === field).message;
  const image = { folderId: "b1g", imageId: "fd8" };
  assert.equal(message({ ...image, name: "a".repeat(70) }, "name", ru), "должно содержать не более 63 символов (сейчас 70)");
  assert.equal(message({ ...image, name: "a".repeat(70) }, "name"), "must be at most 63 characters long (it has 70)");
  assert.equal(message({ ...image, name: "Web" }, "name", ru),
    "может содержать только строчные латинские буквы, цифры, дефисы и знаки подчёркивания (встречается «W»)");
  assert.equal(message({ folderId: "b1g" }, "source", ru), "выберите источник: образ, диск, снимок или URI");
  assert.equal(message({ folderId: "b1g" }, "source"), "choose a source: an image, a disk, a snapshot or a URI");
  assert.equal(message({ ...image, labels: { Team: "web" } }, 'labels["Team"]', { locale: "ru-RU" }),
    "ключ может содержать только строчные латинские буквы, цифры, дефисы, знаки подчёркивания, точки, косые черты и знаки @ (встречается «T»)");
  assert.equal(message({ ...image, minDiskSize: 1024 }, "min_disk_size", { locale: "ru_RU.UTF-8" }),
    "должно быть от 4194304 до 4398046511104 (сейчас 1024)");
  // The error outcomes of the validator and the package speak the locale too.
  assert.deepEqual(validateCreateImageRequest([], ru), { kind: "error", error: "входные данные должны быть объектом JSON, а не массивом" });
  assert.deepEqual(validateCreateImageRequest("[]", ru), { kind: "error", error: "входные данные должны быть объектом JSON, а не массивом" });
  assert.match(validate("createimagerequest", {}, ru).error, /^неизвестное имя сообщения "createimagerequest": возможно/);
  const cyclic = { folderId: "f" };
  cyclic.self = cyclic;
  assert.deepEqual(validateCreateImageRequest(cyclic, ru),
    { kind: "error", error: "входные данные нельзя прочитать как JSON: в нём цикл: self ссылается на объект, который его содержит" });
  let deep = {};
  for (let i = 0; i < 200; i++) deep = { os: deep };
  assert.deepEqual(validateCreateImageRequest(deep, ru).error.startsWith("входные данные"), true);
  assert.deepEqual(validateCreateImageRequest(undefined, ru), { kind: "error", error: "входные данные должны быть объектом JSON, а не undefined" });
  // describeRules: the same limits, words in the locale.
  const en = describeRules(CREATE);
  const rules = describeRules(CREATE, ru);
  const name = rules.fields.find((f) => f.path === "name");
  assert.equal(name.pattern, en.fields.find((f) => f.path === "name").pattern);
  assert.equal(name.text,
    "пусто или от 1 до 63 символов: строчные латинские буквы, цифры, дефисы и знаки подчёркивания; начинается с буквы; заканчивается буквой или цифрой");
  assert.equal(rules.oneofs[0].text, "выберите источник: образ, диск, снимок или URI");
  assert.deepEqual(describeRules(CREATE, { locale: "en" }), en);
  assert.equal(describeRules(CREATE, { locale: "de" }), undefined);
  assert.equal(describeRules(CREATE, { colour: "red" }), undefined);
});
