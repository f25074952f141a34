// The Chromium bench page's entry (bundled by browser.mjs): every validator, the same rounds
// as run.mjs; the result lands in window.benchResult.
import { measureRates } from "../measure.mjs";
import * as ajv from "../validators/ajv.mjs";
import * as kiln from "../validators/kiln.mjs";
import * as protovalidate from "../validators/protovalidate.mjs";
import * as valibot from "../validators/valibot.mjs";
import * as zod from "../validators/zod.mjs";

const libraries = Object.entries({ kiln, ajv, valibot, zod, protovalidate }).map(([name, m]) => ({ name, validate: m.validate }));
// After the page has loaded, so the measurement does not hold up the load event.
setTimeout(() => {
  window.benchResult = measureRates(libraries);
}, 100);
