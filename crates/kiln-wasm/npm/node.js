// Node entry (the "node" export condition): reads the wasm next to this file and instantiates
// it synchronously, so `import { validate } from "kiln-validator"` works with no init call.
import { readFileSync } from "node:fs";
import * as raw from "./kiln_wasm.js";
import { bind } from "./api.js";

const { memory } = raw.initSync({ module: readFileSync(new URL("./kiln_wasm_bg.wasm", import.meta.url)) });

export const { validate, validateCreateImageRequest, describeRules, messageNames } = bind(raw, memory);
