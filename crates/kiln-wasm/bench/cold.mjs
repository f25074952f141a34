// One cold start: import a validator (building its schema or instantiating its wasm) and run
// the first validation, in a fresh process. Prints milliseconds.
const name = process.argv[2];
const start = performance.now();
const { validate } = await import(`./validators/${name}.mjs`);
const { valid } = await import("./inputs.mjs");
if (validate(valid) !== 0) throw new Error(`${name} rejects the valid request`);
console.log((performance.now() - start).toFixed(2));
