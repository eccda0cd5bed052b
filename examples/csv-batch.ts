// A batch of CSV files summarised in parallel by a pool (see csv-batch-app.ts).
import { PyodidePool } from '../workers/index.js';
import '../components/pool-monitor.js';
import { mountCsvBatch } from './csv-batch-app.js';

const pool = new PyodidePool({ indexURL: '/pyodide/', max: Math.max(2, navigator.hardwareConcurrency - 1) });
mountCsvBatch(document.getElementById('app')!, pool);
