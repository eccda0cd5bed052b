// Per-task isolation (`isolate: 'task'`, and `recycle: { afterTasks: 1 }` alike): every
// task starts in a worker no earlier task has touched. Shared by the isolated and the
// plain page's files.
import { expect } from 'chai';
import { effect } from '@preact/signals-core';
import { PyodidePool, type PoolOptions } from '../../workers/index.js';
import { indexURL, until } from '../helpers.js';

/** A task that leaves what it can behind: a builtin, and a profiler that reads the next task's globals. */
const SPY = `
import sys, builtins
builtins.left_behind = "from an earlier task"
builtins.stolen = []
def profile(frame, event, arg):
    secret = frame.f_globals.get("secret")
    if secret is not None:
        builtins.stolen.append(secret)
sys.setprofile(profile)
"spying"
`;

/** What the next task can see of the spy. */
const LOOK = `
import sys, builtins
[getattr(builtins, "left_behind", None), getattr(builtins, "stolen", None), sys.getprofile() is not None]
`;

export function isolationCases(): void {
  const variants: [string, PoolOptions][] = [
    ["isolate: 'task'", { isolate: 'task' }],
    ['recycle: { afterTasks: 1 }', { recycle: { afterTasks: 1 } }],
    ["isolate: 'task' in a sandboxed pool", { isolate: 'task', sandbox: true }],
  ];
  for (const [name, options] of variants) {
    it(`${name}: no task sees what an earlier one left, even when all are queued at once`, async () => {
      const pool = new PyodidePool({ indexURL, min: 1, max: 1, ...options });
      // Every worker the pool has, and the most tasks each was seen to hold or run.
      const most = new Map<number, number>();
      const stop = effect(() => pool.state.workers.value.forEach((w) => most.set(w.id, Math.max(most.get(w.id) ?? 0, w.tasksRun))));
      try {
        await pool.ready();
        // Submitted together: the spy's worker is spent before its successor is warm,
        // and must not take the next task meanwhile.
        const results = await Promise.all([pool.run(SPY), pool.run('secret', { inputs: { secret: 's3cret' } }), pool.run(LOOK)]);
        expect(results).to.deep.equal(['spying', 's3cret', [null, null, false]]);
        expect(
          [...most.values()].every((n) => n <= 1),
          JSON.stringify([...most]),
        ).to.equal(true);
        // A worker per task, each restored from the snapshot made before any task ran; a
        // spare was started as the last one took its task.
        expect(most.size).to.be.at.least(4);
        await until(pool.state.workers, (ws) => ws.length > 0 && ws.every((w) => w.status === 'idle'));
        expect(pool.state.workers.value.map((w) => w.bootMode)).to.satisfy((modes: string[]) => modes.every((m) => m === 'snapshot'));
      } finally {
        stop();
        await pool.terminate();
      }
    });
  }

  it('rejects a bad isolate option', () => {
    expect(() => new PyodidePool({ indexURL, isolate: 'worker' as never })).to.throw(TypeError, /isolate/);
  });
}
