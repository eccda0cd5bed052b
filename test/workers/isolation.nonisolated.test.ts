// Per-task isolation on a plain page, where tasks go one at a time (see isolation-cases.ts).
import { isolationCases } from './isolation-cases.js';

describe('per-task isolation (plain page)', () => {
  isolationCases();
});
