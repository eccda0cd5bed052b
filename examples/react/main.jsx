// React: a task bound to an input, and a live pool-state panel.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { usePool, usePoolState, useTask } from '../../hooks/react.ts';

const CODE = `import random
random.seed(seed)
hits = sum(1 for _ in range(darts) if random.random() ** 2 + random.random() ** 2 <= 1)
4 * hits / darts`;

function App() {
  const [darts, setDarts] = useState(100_000);
  const pool = usePool({ indexURL: '/pyodide/', max: 2 });
  const { workers, queued, running, completed } = usePoolState(pool);
  const { status, result, error } = useTask(pool, CODE, { inputs: { darts, seed: 1 }, auto: true });
  return (
    <main>
      <h1>React + pyodide-pool</h1>
      <label>
        Darts: {darts.toLocaleString('en')}
        <input type="range" min="10000" max="1000000" step="10000" value={darts} onChange={(e) => setDarts(Number(e.target.value))} />
      </label>
      <p className="result" id="result" data-status={status}>
        {status === 'done' ? `π ≈ ${result.toFixed(5)}` : status === 'failed' ? error.message : '…'}
      </p>
      <p className="panel" id="pool-state">
        <span>workers {workers.length}</span>
        <span>queued {queued}</span>
        <span>running {running}</span>
        <span>completed {completed}</span>
      </p>
    </main>
  );
}

createRoot(document.getElementById('app')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
