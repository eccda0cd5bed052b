// Run by scripts/base-snapshot.mjs where no Chromium is at hand: makes the snapshot in
// Node, writes the raw bytes to argv[2] and prints what it was made with (`jspi`: whether
// WebAssembly could switch stacks here; the snapshot keeps the interpreter's record of it).
import { writeFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';

const pyodide = await loadPyodide({ _makeSnapshot: true, stdout: () => {}, stderr: () => {} });
const jspi = pyodide._module.jspiSupported === true;
writeFileSync(process.argv[2], pyodide.makeMemorySnapshot());
console.log(JSON.stringify({ pyodideVersion: pyodide.version, jspi }));
