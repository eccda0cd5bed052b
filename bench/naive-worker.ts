// The baseline users write today (the seed worker-pool pattern): one loadPyodide per
// worker, Comlink, and runPython(code) per task.
import * as Comlink from 'comlink';
import type { PyodideAPI } from 'pyodide';

let pyodide: PyodideAPI;

Comlink.expose({
  async init(indexURL: string): Promise<void> {
    const { loadPyodide } = (await import(/* @vite-ignore */ `${indexURL}pyodide.mjs`)) as typeof import('pyodide');
    pyodide = await loadPyodide({ indexURL });
  },
  run(code: string): unknown {
    return pyodide.runPython(code);
  },
});
