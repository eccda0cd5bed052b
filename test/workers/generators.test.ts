import { describeGenerators } from './generator-cases.js';

describeGenerators('generator tasks (isolated page)');
