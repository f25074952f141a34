// Browser entry (plain <script type="module"> and bundlers such as Vite): fetches and
// instantiates the wasm next to this file with top-level await, so importers need no init call.
import init, * as raw from "./kiln_wasm.js";
import { bind } from "./api.js";

const { memory } = await init({ module_or_path: new URL("./kiln_wasm_bg.wasm", import.meta.url) });

export const { validate, validateCreateImageRequest, describeRules, messageNames } = bind(raw, memory);
