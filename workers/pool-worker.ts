/**
 * The pool worker's entry point (`pool-worker.js`, beside the page-side modules and the
 * drop-in bundle): the run loop of `worker/run-loop.ts`, loaded as a module worker.
 *
 * @internal
 */
import './worker/run-loop.js';
