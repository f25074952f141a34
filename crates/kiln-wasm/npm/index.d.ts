// The API of kiln-validator. Message types are generated from the protos into ./types.d.ts.
import type { CreateImageRequest, RequestTypes } from "./types.js";

export * from "./types.js";

/** A full message name that `validate` accepts. */
export type MessageName = keyof RequestTypes;

/** Stable rule ids: named after the proto annotation, or a shape problem. */
export type Rule =
  | "required"
  | "length"
  | "pattern"
  | "size"
  | "value"
  | "map_key.length"
  | "map_key.pattern"
  | "exactly_one"
  | "oneof"
  | "type"
  | "unknown_field"
  | "enum";

export interface Violation {
  /** Proto field path: `labels["Team"]`, `product_ids[2]`, `source`. */
  field: string;
  rule: Rule;
  /** One English sentence naming the limit. */
  message: string;
}

export type ValidationResult =
  | { kind: "valid" }
  | { kind: "invalid"; violations: Violation[] }
  | { kind: "error"; error: string };

/**
 * Options of `validate` and `validateCreateImageRequest`. This version defines none: the object
 * is where later ones go (a `locale` is planned), and a key this version does not know gives an
 * `error` result, so a misspelt or not yet supported option is never silently ignored.
 */
export interface ValidateOptions {
  readonly [option: string]: never;
}

/** Validates a `yandex.cloud.compute.v1.CreateImageRequest` (an object or JSON text). */
export function validateCreateImageRequest(input: CreateImageRequest | string, options?: ValidateOptions): ValidationResult;

/** Validates any request message with rules, by full name. */
export function validate<K extends MessageName>(
  messageName: K,
  input: RequestTypes[K] | string,
  options?: ValidateOptions,
): ValidationResult;

export interface Bounds {
  min: number | null;
  max: number | null;
  /** The rule string as written in the .proto file. */
  spec: string;
}

export interface FieldRules {
  /** Proto path as in violations; `[]` marks list elements, `{}` map values. */
  path: string;
  jsonPath: string;
  type: string;
  shape: "single" | "list" | "map";
  required: boolean;
  length: Bounds | null;
  pattern: string | null;
  size: Bounds | null;
  value: Bounds | null;
  mapKeyLength: Bounds | null;
  mapKeyPattern: string | null;
  enumValues: string[] | null;
  oneof: string | null;
  /** The limits in words, e.g. "at most 63 characters". */
  hints: string[];
}

export interface OneofRules {
  path: string;
  members: string[];
  exactlyOne: boolean;
}

export interface MessageRules {
  message: string;
  fields: FieldRules[];
  oneofs: OneofRules[];
}

/** Every field's limits, as data (for `maxlength`, hints); `undefined` for an unknown name. */
export function describeRules(messageName: MessageName): MessageRules;

/** Every message name `validate` accepts. */
export const messageNames: readonly MessageName[];
