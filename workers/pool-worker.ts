/**
 * The pool worker's entry point (`pool-worker.js`, beside the page-side modules and the
 * drop-in bundle): `worker/start.ts` (a run loop over the Pyodide runtime), loaded as a
 * module worker.
 *
 * @internal
 */
import './worker/start.js';
