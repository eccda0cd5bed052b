// The static-host service worker as it ships (dist/isolation-sw.js) and as the demo server
// serves it: its TypeScript compiled to one classic script, comments kept (sites copy the
// file and may read it), and the `export {}` that keeps its names out of the type-checked
// global scope dropped (a classic script cannot export).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const ISOLATION_SW_SOURCE = 'workers/isolation/isolation-sw.ts';

/** The text of `isolation-sw.js`, compiled from its source under `rootDir`. */
export function isolationServiceWorkerScript(rootDir = process.cwd()) {
  const source = readFileSync(join(rootDir, ISOLATION_SW_SOURCE), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false } });
  const script = outputText.replace(/^export \{\};\s*$/m, '');
  if (/^\s*(import|export)\b/m.test(script)) throw new Error(`${ISOLATION_SW_SOURCE} must import and export nothing: it ships as a classic script`);
  // Its own scope: a classic script's top-level names would otherwise be the page's globals.
  return `'use strict';\n(() => {\n${script.trim()}\n})();\n`;
}
