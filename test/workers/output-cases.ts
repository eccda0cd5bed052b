// How a task's output reaches the page: at once at a human pace, gathered into few
// messages in a flood, never reordered or lost. Shared by the isolated and plain pages.
import { expect } from 'chai';
import type { OutputEvent, PyodidePool } from '../../workers/index.js';
import { rejection, until } from '../helpers.js';

export function outputCases(pool: () => PyodidePool, spin: string): void {
  it('a flood of prints arrives whole and in order, in far fewer messages than prints', async () => {
    const events: OutputEvent[] = [];
    const count = 50_000;
    const task = pool().submit(`for i in range(${count}):\n    print(i)\nprint("done", flush=True)`, { onOutput: (ev) => events.push(ev) });
    await task.result;
    const expected = Array.from({ length: count }, (_, i) => `${i}\n`).join('') + 'done\n';
    const texts = events.filter((ev) => ev.type === 'stdout').map((ev) => (ev as { text: string }).text);
    expect(texts.join('')).to.equal(expected);
    expect(task.stdout.value).to.equal(expected);
    expect(texts.length, 'messages for 50,001 prints').to.be.below(count / 10);
  });

  it('a line printed at a human pace shows while the task still computes', async () => {
    const task = pool().submit(`print("started", flush=True)\n${spin}`);
    await until(task.stdout, (out) => out.includes('started'));
    expect(task.status.value).to.equal('running');
    task.cancel('seen');
    expect(await rejection(task.result)).to.have.property('name', 'TaskCancelledError');
  });

  it('stdout and progress keep their order in a flood', async () => {
    const events: OutputEvent[] = [];
    const code = 'from worker_pool import progress\nfor i in range(2000):\n    print(i)\n    if i % 500 == 499:\n        progress((i + 1) / 2000)';
    await pool().run(code, { onOutput: (ev) => events.push(ev) });
    let printed = '';
    for (const ev of events) {
      if (ev.type === 'stdout') printed += ev.text;
      else if (ev.type === 'progress') {
        // Every line printed before this report has arrived before it.
        const before = Math.round(ev.fraction * 2000);
        expect(printed.endsWith(`${before - 1}\n`), `progress ${ev.fraction} after ${JSON.stringify(printed.slice(-12))}`).to.equal(true);
      }
    }
  });
}
