// Task code that hides its heap, on a plain page (see heap-limit-cases.ts); the control
// block's attacks need shared memory, which a plain page has not (see hostile.test.ts).
import { heapLimitCases } from './heap-limit-cases.js';

describe('heap limits (plain page)', () => {
  heapLimitCases();
});
