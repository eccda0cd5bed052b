// Per-task isolation on a cross-origin isolated page (see isolation-cases.ts).
import { isolationCases } from './isolation-cases.js';

describe('per-task isolation (isolated page)', () => {
  isolationCases();
});
