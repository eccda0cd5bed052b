/**
 * Files a pool writes into its workers' interpreter (`files` at boot, `writeFile` later).
 * A `writeFile` that comes before the interpreter is up waits here and is applied after
 * the boot's own files, so every worker ends with the same files whenever it started.
 *
 * @internal
 */
import type { PyodideAPI } from 'pyodide';

export class Files {
  /** Files `write` got before the interpreter was up, applied after the boot's own. */
  #early: { path: string; data: Uint8Array }[] = [];
  /** The interpreter, once its files are in: from then on files go straight in. */
  #pyodide: PyodideAPI | undefined;

  /**
   * The interpreter is up: write the boot's `files`, then those written meanwhile. A
   * message saying why, when one of the boot's files could not be written (nothing more is).
   */
  open(pyodide: PyodideAPI, files: { path: string; data: Uint8Array }[]): string | undefined {
    for (const file of files) {
      const problem = writeOne(pyodide, file.path, file.data);
      if (problem) return problem;
    }
    for (const file of this.#early.splice(0)) writeOne(pyodide, file.path, file.data);
    this.#pyodide = pyodide;
    return undefined;
  }

  /** Write (or replace) a file for the tasks from now on; a module under it is re-imported fresh. */
  async write(path: string, data: Uint8Array): Promise<string | undefined> {
    const pyodide = this.#pyodide;
    if (!pyodide) {
      this.#early.push({ path, data });
      return undefined;
    }
    const problem = writeOne(pyodide, path, data);
    if (!problem) pyodide.runPython('import importlib\nimportlib.invalidate_caches()');
    return problem;
  }
}

/** Write one file (making its directories); a message saying why not, on failure. */
function writeOne(pyodide: PyodideAPI, path: string, data: Uint8Array): string | undefined {
  try {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) pyodide.FS.mkdirTree(dir);
    pyodide.FS.writeFile(path, data);
  } catch (err) {
    return `the file '${path}' could not be written: ${(err as Error)?.message ?? err}`;
  }
  return undefined;
}
