// The API of kiln-validator. Message types and the rule ids are generated into ./types.d.ts.
import type { CreateImageRequest, RequestTypes, Rule } from "./types.js";

export * from "./types.js";

/** A full message name that `validate` accepts. */
export type MessageName = keyof RequestTypes;

export interface Violation {
  /** Proto field path: `labels["Team"]`, `product_ids[2]`, `source`. */
  field: string;
  rule: Rule;
  /** One sentence saying what is wrong, in the locale asked for (English by default). */
  message: string;
}

export type ValidationResult =
  | { kind: "valid" }
  | { kind: "invalid"; violations: Violation[] }
  | { kind: "error"; error: string };

/** A language kiln-validator speaks; tags with a region are accepted too ("ru-RU", "en-US"). */
export type Locale = "en" | "ru" | `en-${string}` | `ru-${string}`;

/**
 * Options of `validate`, `validateCreateImageRequest` and `describeRules`. A key this version
 * does not know gives an `error` result, so a misspelt option is never silently ignored.
 */
export interface ValidateOptions {
  /**
   * The language of the messages (and of `describeRules`' hints and texts): "en" (the
   * default) or "ru"; a BCP 47 tag or POSIX name with a region ("ru-RU", "ru_RU.UTF-8") is
   * read by its language. Any other gives an `error` result (`describeRules`: `undefined`).
   */
  readonly locale?: Locale;
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
  /** The limits in words, one per rule, e.g. "at most 63 characters" (in the locale asked for). */
  hints: string[];
  /**
   * Every rule of the field in one line of plain language, e.g. "empty, or 1–63 characters:
   * lowercase Latin letters, digits, hyphens and underscores; starts with a letter; ends with a
   * letter or a digit"; empty when the field has no rule.
   */
  text: string;
}

export interface OneofRules {
  path: string;
  members: string[];
  exactlyOne: boolean;
  /** The rule in words, e.g. "choose a source: an image, a disk, a snapshot or a URI". */
  text: string;
}

export interface MessageRules {
  message: string;
  fields: FieldRules[];
  oneofs: OneofRules[];
}

/**
 * Every field's limits, as data (for `maxlength`, hints), with words in `options.locale`;
 * `undefined` for an unknown name or an unsupported locale.
 */
export function describeRules(messageName: MessageName, options?: ValidateOptions): MessageRules;

/** Every message name `validate` accepts. */
export const messageNames: readonly MessageName[];
