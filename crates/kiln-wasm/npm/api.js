// The package's API over the wasm exports. Objects cross into wasm as JSON text: one native
// JSON.stringify and one TextEncoder.encodeInto straight into wasm memory (reading the object
// field by field across the boundary would cost a call and a string copy per key and value; not
// measured). A valid request (the common case)
// comes back as `undefined`; an invalid one as NUL-ended texts that are split here, cheaper
// than JSON.parse of the same result. See BENCHMARKS.md for the measurements.

const CREATE_IMAGE_REQUEST = "yandex.cloud.compute.v1.CreateImageRequest";

function bigintToString(_key, value) {
  return typeof value === "bigint" ? value.toString() : value;
}

function kindOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value === "undefined" ? "undefined" : "a " + typeof value}`;
}

function describeError(e) {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "unknown error";
  }
}

/** JSON text of `input`, or an error outcome. BigInt values become decimal strings (int64). */
function toJson(input) {
  if (typeof input === "string") return { json: input };
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { error: { kind: "error", error: `input must be a JSON object, got ${kindOf(input)}` } };
  }
  let json;
  try {
    json = JSON.stringify(input);
  } catch (first) {
    try {
      // BigInt has no JSON form; proto3 JSON writes int64 as a decimal string.
      json = JSON.stringify(input, bigintToString);
    } catch {
      return { error: { kind: "error", error: `input cannot be read as JSON: ${describeError(first)}` } };
    }
  }
  if (typeof json !== "string") {
    return { error: { kind: "error", error: "input must be a JSON object" } };
  }
  return { json };
}

/** The contract's result from what `validateInput` returns (see kiln-wasm's lib.rs). */
function outcome(out) {
  if (out === undefined) return { kind: "valid" };
  switch (out.charCodeAt(0)) {
    case 1:
      return { kind: "error", error: out.slice(1) };
    case 2:
      return JSON.parse(out.slice(1));
    default: {
      // The field, rule and message of each violation, each ended by NUL.
      const texts = out.split("\0");
      const violations = [];
      for (let i = 0; i + 2 < texts.length; i += 3) {
        violations.push({ field: texts[i], rule: texts[i + 1], message: texts[i + 2] });
      }
      return { kind: "invalid", violations };
    }
  }
}

/** An input buffer larger than this is freed by wasm after its call (KEPT_INPUT in lib.rs). */
const KEPT_INPUT = 64 * 1024;

/**
 * Binds the API to the wasm-bindgen exports once the module is initialised; `memory` is the
 * instance's memory (what `init`/`initSync` return has it as `.memory`).
 */
export function bind(raw, memory) {
  const messageNames = Object.freeze(raw.messageNames());
  const indexOf = new Map(messageNames.map((name, index) => [name, index]));
  const encoder = new TextEncoder();
  let address = 0;
  let capacity = 0;
  let bytes = new Uint8Array(memory.buffer);

  /** Writes `text` as UTF-8 into the wasm input buffer; its length in bytes. */
  function writeInput(text) {
    const most = text.length * 3;
    if (most > capacity) {
      address = raw.inputBuffer(most);
      capacity = most;
    }
    // Memory that grew has a new buffer: views of the old one are empty.
    if (bytes.buffer !== memory.buffer) bytes = new Uint8Array(memory.buffer);
    return encoder.encodeInto(text, bytes.subarray(address, address + capacity)).written;
  }

  function validate(messageName, input) {
    if (typeof messageName !== "string") {
      return { kind: "error", error: `messageName must be a string, got ${kindOf(messageName)}` };
    }
    const index = indexOf.get(messageName);
    if (index === undefined) return { kind: "error", error: `unknown message ${JSON.stringify(messageName)}` };
    const { json, error } = toJson(input);
    if (error) return error;
    let out;
    try {
      const length = writeInput(json);
      // wasm frees an input buffer this large after the call.
      if (capacity > KEPT_INPUT) capacity = 0;
      out = raw.validateInput(index, length);
    } catch (e) {
      capacity = 0;
      return { kind: "error", error: `validator failed: ${describeError(e)}` };
    }
    return outcome(out);
  }

  function validateCreateImageRequest(input) {
    return validate(CREATE_IMAGE_REQUEST, input);
  }

  function describeRules(messageName) {
    if (typeof messageName !== "string") return undefined;
    const text = raw.describeRules(messageName);
    return text === undefined ? undefined : JSON.parse(text);
  }

  return { validate, validateCreateImageRequest, describeRules, messageNames };
}
