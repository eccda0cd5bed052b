// WebAssembly text (.wat) to binary, with wabt (threads on: shared memory and atomics).
// The tests' and benchmarks' modules are written as .wat beside them and compiled when
// served (`/__fixtures__/<name>.wasm` from test/fixtures/wasm/<name>.wat) or bundled.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let wabt;

/** The binary of the .wat file at `path`. */
export async function compileWat(path) {
  wabt ??= await require('wabt')();
  const module = wabt.parseWat(path, readFileSync(path, 'utf8'), { threads: true, bulk_memory: true });
  try {
    module.resolveNames();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
