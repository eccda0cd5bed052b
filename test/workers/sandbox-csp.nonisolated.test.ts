// The same on a page that is not cross-origin isolated: see sandbox-csp.test.ts.
import './sandbox-csp.test.js';
