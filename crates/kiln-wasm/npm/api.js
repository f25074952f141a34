// The package's API over the wasm exports of kiln-wasm's lib.rs. The input crosses as JSON text:
// one native JSON.stringify and one TextEncoder.encodeInto straight into wasm memory (measured
// faster than letting wasm walk the object through serde-wasm-bindgen, see BENCHMARKS.md). Every
// result is the core's Outcome, a Rust value that serde-wasm-bindgen turns into the contract's
// plain object; this file builds none. It only finds words for inputs that have no JSON text and
// for the options (in English; every other sentence comes from Rust in the chosen locale).

const CREATE_IMAGE_REQUEST = "yandex.cloud.compute.v1.CreateImageRequest";

function bigintToString(_key, value) {
  return typeof value === "bigint" ? value.toString() : value;
}

/** What a non-object input is, as `notObject` in lib.rs numbers it. */
function notObjectKind(value) {
  if (value === null) return 3;
  if (Array.isArray(value)) return 1;
  switch (typeof value) {
    case "boolean": return 2;
    case "number": case "bigint": return 4;
    case "undefined": return 5;
    case "function": return 6;
    default: return 7;
  }
}

function kindOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

function describeError(e) {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "unknown error";
  }
}

/**
 * Why JSON.stringify failed on `input`, when the reason is a cycle (`[0, path]`) or a nesting
 * deeper than the contract's 128 levels (`[1, ""]`), as `noJson` in lib.rs takes it; `undefined`
 * otherwise. Only runs after a failure; bounded and iterative,
 * and any property that cannot be read ends the search.
 */
function whyNoJson(input) {
  const onPath = new Set([input]);
  const stack = [{ value: input, path: "", keys: null, at: 0 }];
  let visited = 0;
  try {
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      frame.keys ??= Object.keys(frame.value);
      if (frame.at === frame.keys.length || ++visited > 100_000) {
        onPath.delete(frame.value);
        stack.pop();
        continue;
      }
      const key = frame.keys[frame.at++];
      const value = frame.value[key];
      if (value === null || typeof value !== "object" || typeof value.toJSON === "function") continue;
      const path = Array.isArray(frame.value) ? `${frame.path}[${key}]` : frame.path === "" ? key : `${frame.path}.${key}`;
      if (onPath.has(value)) return [0, path];
      if (stack.length >= 128) return [1, ""];
      onPath.add(value);
      stack.push({ value, path, keys: null, at: 0 });
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Binds the API to the wasm-bindgen exports once the module is initialised; `memory` is the
 * instance's memory (what `init`/`initSync` return has it as `.memory`).
 */
export function bind(raw, memory) {
  const messageNames = Object.freeze(raw.messageNames());
  const indexOf = new Map(messageNames.map((name, index) => [name, index]));
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(memory.buffer);

  /** The contract's error outcome for `sentence`, made by the same Rust code as every result. */
  const error = (sentence) => raw.inputError(sentence);

  /** JSON text of `input`, or the error outcome. BigInt values become decimal strings (int64). */
  function toJson(input, locale) {
    if (typeof input === "string") return input;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return raw.notObject(notObjectKind(input), locale);
    }
    let json;
    try {
      json = JSON.stringify(input);
    } catch (first) {
      try {
        // BigInt has no JSON form; proto3 JSON writes int64 as a decimal string.
        json = JSON.stringify(input, bigintToString);
      } catch {
        const [kind, detail] = whyNoJson(input) ?? [2, describeError(first)];
        return raw.noJson(kind, detail, locale);
      }
    }
    return typeof json === "string" ? json : raw.noJson(3, "", locale);
  }

  /** Locale tags already asked about: tag → index for the wasm calls, or -1 (unsupported). */
  const locales = new Map();

  /**
   * The locale index `options` asks for (0, English, when it names none), or an error outcome
   * when `options` is not what this version accepts: an object with at most `locale`, a tag
   * such as "en", "ru" or "ru-RU".
   */
  function readOptions(options) {
    if (options === undefined) return 0;
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      return error(`options must be an object, got ${kindOf(options)}`);
    }
    let tag;
    try {
      for (const key in options) {
        if (key !== "locale") {
          return error(`unknown option ${JSON.stringify(key)}: kiln-validator takes only "locale"`);
        }
      }
      tag = options.locale;
    } catch (e) {
      return error(`options cannot be read: ${describeError(e)}`);
    }
    if (tag === undefined) return 0;
    if (typeof tag !== "string") {
      return error(`options.locale must be a string such as "en" or "ru", got ${kindOf(tag)}`);
    }
    let at = locales.get(tag);
    if (at === undefined) {
      at = raw.localeIndex(tag);
      if (locales.size < 64) locales.set(tag, at);
    }
    return at < 0 ? raw.unsupportedLocale(tag) : at;
  }

  function validate(messageName, input, options) {
    const locale = readOptions(options);
    if (typeof locale !== "number") return locale;
    const index = typeof messageName === "string" ? indexOf.get(messageName) : undefined;
    if (index === undefined) {
      return typeof messageName === "string"
        ? raw.unknownMessage(messageName, locale)
        : error(`messageName must be a string, got ${kindOf(messageName)}`);
    }
    const json = toJson(input, locale);
    if (typeof json !== "string") return json;
    try {
      // UTF-8 takes at most 3 bytes per UTF-16 unit. Memory that grew has a new buffer.
      const address = raw.inputBuffer(json.length * 3);
      if (bytes.buffer !== memory.buffer) bytes = new Uint8Array(memory.buffer);
      const { written } = encoder.encodeInto(json, bytes.subarray(address, address + json.length * 3));
      return raw.validateInput(index, written, locale);
    } catch (e) {
      return error(`validator failed: ${describeError(e)}`);
    }
  }

  function validateCreateImageRequest(input, options) {
    return validate(CREATE_IMAGE_REQUEST, input, options);
  }

  function describeRules(messageName, options) {
    if (typeof messageName !== "string") return undefined;
    const locale = readOptions(options);
    return typeof locale === "number" ? raw.describeRules(messageName, locale) : undefined;
  }

  return { validate, validateCreateImageRequest, describeRules, messageNames };
}
