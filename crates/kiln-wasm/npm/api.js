// The package's API over the wasm exports. Objects cross into wasm as JSON text: one native
// JSON.stringify and one UTF-8 copy are cheaper than reading the object field by field across
// the boundary, and a valid request (the common case) comes back as `undefined` with no result
// object built on the wasm side. See BENCHMARKS.md for the measurements.

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

/** Binds the API to the wasm-bindgen exports once the module is initialised. */
export function bind(raw) {
  const messageNames = Object.freeze(raw.messageNames());
  const indexOf = new Map(messageNames.map((name, index) => [name, index]));

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
      out = raw.validateJson(index, json);
    } catch (e) {
      return { kind: "error", error: `validator failed: ${describeError(e)}` };
    }
    return out === undefined ? { kind: "valid" } : JSON.parse(out);
  }

  function validateCreateImageRequest(input) {
    return validate(CREATE_IMAGE_REQUEST, input);
  }

  function describeRules(messageName) {
    if (typeof messageName !== "string") return undefined;
    return raw.describeRules(messageName);
  }

  return { validate, validateCreateImageRequest, describeRules, messageNames };
}
