import { exampleConfig } from '../vite.shared.js';

export default exampleConfig(import.meta.dirname);
