// The throughput measurement shared by run.mjs (Node) and the Chromium page (browser.mjs):
// every library checks that it agrees on the inputs, then ROUNDS rounds, libraries back to back
// within a round, of SECONDS per cell after a warm-up. Ratios are taken round by round, then the
// median: steadier than a ratio of medians on a machine whose speed drifts.
import { invalid, valid } from "./inputs.mjs";

export const ROUNDS = 5;
export const SECONDS = 0.4;

function rate(validate, input) {
  for (let i = 0; i < 2000; i++) validate(input); // warm up
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let i = 0; i < 500; i++) validate(input);
    count += 500;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `libraries`: [{ name, validate }]; each row gets `violations` and per-round `valid`, `invalid` rates. */
export function measureRates(libraries) {
  const rows = [];
  for (const { name, validate } of libraries) {
    const counts = [validate(valid), validate(invalid)];
    if (counts[0] !== 0 || counts[1] < 1) throw new Error(`${name} disagrees on the inputs: ${counts}`);
    rows.push({ name, validate, violations: counts[1], valid: [], invalid: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      row.valid.push(rate(row.validate, valid));
      row.invalid.push(rate(row.validate, invalid));
    }
  }
  return rows.map(({ validate: _, ...row }) => row);
}

/** kiln's ratio to `other` for "valid" or "invalid", median of per-round ratios. */
export function ratio(rows, other, key) {
  const kiln = rows.find((r) => r.name === "kiln");
  const them = rows.find((r) => r.name === other);
  return median(kiln[key].map((x, i) => x / them[key][i]));
}

export function ratioLines(rows) {
  return ["protovalidate", "valibot", "ajv"].map((name) =>
    `kiln vs ${name}: ${ratio(rows, name, "valid").toFixed(2)}× valid, ${ratio(rows, name, "invalid").toFixed(2)}× invalid`);
}
