/**
 * The module pools' worker entry point (`module-worker.js`, beside the page-side modules
 * and the drop-in bundle): `worker/module-start.ts` (a run loop over a module's or a
 * WebAssembly instance's exports), loaded as a module worker.
 *
 * @internal
 */
import './worker/module-start.js';
