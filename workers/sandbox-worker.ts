/**
 * The worker of a sandboxed pool: the pool worker, locked down first. Built as one
 * self-contained file (`sandbox-worker.js`): the page hands its text to a worker started
 * from a `data:` URL, which has an opaque origin and so can import nothing by URL.
 *
 * @internal
 */
// Order matters: the lockdown runs before any other module of the worker is evaluated.
import './worker/lockdown.js';
import './worker/start.js';
import { replayEarlyMessages } from './worker/endpoint.js';

replayEarlyMessages();
