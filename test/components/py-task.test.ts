// <py-task> inside one shared <worker-pool>: code sources, inputs, auto runs, events,
// rendering, bad input.
import { expect, oneEvent } from '@open-wc/testing';
import '../../components/index.js';
import type { PyTaskElement, TaskErrorEvent, WorkerPoolElement } from '../../components/index.js';
import { PoolError, PythonError, STDOUT_LIMIT, TaskCancelledError } from '../../workers/index.js';
import { allSettled, indexURL, onePoolElement, waitFor } from '../helpers.js';

let host: WorkerPoolElement;

/** A <py-task> inside the shared pool, from markup. */
function task(markup: string): PyTaskElement {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild as PyTaskElement;
  host.append(el);
  return el;
}

/** Resolves once the element reaches a final status. */
function settled(el: PyTaskElement): Promise<Event> {
  return Promise.race([oneEvent(el, 'task-result'), oneEvent(el, 'task-error')]);
}

const part = (el: Element, name: string) => el.shadowRoot!.querySelector(`[part="${name}"]`);

describe('<py-task>', () => {
  // Made by hand, not with fixture(): @open-wc/testing removes fixtures after every test.
  before(async () => {
    host = document.createElement('worker-pool');
    host.setAttribute('index-url', indexURL);
    host.setAttribute('max', '2');
    const setup = document.createElement('script');
    setup.type = 'text/python';
    setup.textContent = '\n    def double(x):\n        return 2 * x\n';
    host.append(setup);
    document.body.append(host);
    await host.updateComplete;
    await host.pool!.ready();
  });

  after(() => host.remove());

  afterEach(() => {
    for (const el of host.querySelectorAll('py-task')) el.remove();
  });

  it('runs code from a child script with the pool setup in scope, and shows the result', async () => {
    const el = task(`<py-task auto inputs='{"x": 20}'><script type="text/python">
        y = double(x)
        y + 1
      </script></py-task>`);
    const event = (await oneEvent(el, 'task-result')) as CustomEvent;
    expect(event.detail).to.deep.equal({ result: 41 });
    await el.updateComplete;
    expect(el.status).to.equal('done');
    expect(el.result).to.equal(41);
    expect(part(el, 'result')!.textContent).to.equal('41');
  });

  it('runs the code property and code fetched from src', async () => {
    const fromProperty = task('<py-task></py-task>');
    fromProperty.code = 'double(5)';
    expect(await fromProperty.run()).to.equal(10);
    const fromSrc = task('<py-task src="/test/fixtures/answer.py"></py-task>');
    expect(await fromSrc.run()).to.equal(42);
  });

  it('does not run without auto until run() is called', async () => {
    const el = task('<py-task><script type="text/python">1 + 1</script></py-task>');
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    expect(await el.run()).to.equal(2);
    expect(el.status).to.equal('done');
  });

  it('fires task-start, task-output in order, then task-result', async () => {
    const el = task(`<py-task><script type="text/python">
        from worker_pool import progress
        print("hello")
        progress(0.5, "half")
        "ok"
      </script></py-task>`);
    const seen: string[] = [];
    for (const type of ['task-start', 'task-output', 'task-result', 'task-error']) {
      el.addEventListener(type, (e) => {
        const detail = (e as CustomEvent).detail;
        seen.push(type === 'task-output' ? `${type}:${detail.type}` : type);
      });
    }
    const bubbled = oneEvent(host, 'task-result');
    await el.run();
    await bubbled;
    expect(seen).to.deep.equal(['task-start', 'task-output:stdout', 'task-output:progress', 'task-result']);
    expect(el.stdout).to.equal('hello\n');
  });

  it('draws what the code prints in blocks that keep lines whole, and a new run replaces it', async () => {
    const el = task('<py-task></py-task>');
    // 200,000 characters in 40-character lines: several blocks of the stdout part.
    el.code = 'for i in range(5000):\n    print(f"{i:039d}")';
    await el.run();
    expect(el.stdout.length).to.equal(200_000);
    const pre = await waitFor(() => (part(el, 'stdout')?.textContent === el.stdout ? part(el, 'stdout') : null), 30_000, 'the output drawn');
    expect(pre.children.length).to.be.greaterThan(1);
    for (const block of pre.children) expect(block.textContent!.endsWith('\n')).to.equal(true);
    // Output of less than a frame shows with the update that ends the run.
    el.code = 'print("second")';
    await el.run();
    await el.updateComplete;
    expect(part(el, 'stdout')!.textContent).to.equal('second\n');
    el.code = '1';
    await el.run();
    await el.updateComplete;
    expect(part(el, 'stdout')).to.equal(null);
  });

  it('keeps at most STDOUT_LIMIT characters and shows the truncation mark', async () => {
    const el = task('<py-task></py-task>');
    // A few big prints, 9 M characters in all: past the limit by one million.
    el.code = 'line = "x" * 999_999\nfor _ in range(9):\n    print(line)';
    await el.run();
    await el.updateComplete;
    expect(el.stdoutTruncated).to.equal(true);
    const note = '\n[pyodide-pool: stdout past 8000000 characters is not kept]\n';
    expect(el.stdout.length).to.equal(STDOUT_LIMIT + note.length);
    expect(part(el, 'stdout-truncated')!.textContent).to.contain('Output truncated');
    const drawn = () => part(el, 'stdout')?.textContent ?? '';
    await waitFor(() => drawn().length === el.stdout.length, 30_000, 'all of the kept output drawn');
    expect(drawn().endsWith(note)).to.equal(true);
    el.code = 'print("small")';
    await el.run();
    await el.updateComplete;
    expect(el.stdoutTruncated).to.equal(false);
    expect(part(el, 'stdout-truncated')).to.equal(null);
    await waitFor(() => drawn() === 'small\n', 30_000, "the next run's output");
  });

  it('re-runs when inputs change, cancelling the stale run, and the newer result wins', async () => {
    const el = task(`<py-task auto inputs='{"n": 1, "wait": 1.0}'><script type="text/python">
        import time
        end = time.monotonic() + wait
        while time.monotonic() < end:
            pass
        n
      </script></py-task>`);
    const results: unknown[] = [];
    let starts = 0;
    el.addEventListener('task-start', () => starts++);
    el.addEventListener('task-result', (e) => results.push(e.detail.result));
    await oneEvent(el, 'task-start');
    el.inputs = { n: 2, wait: 0 };
    await oneEvent(el, 'task-result');
    // The stale run has settled too (cancelled) once the pool has nothing left in hand.
    await allSettled(host.pool!);
    expect(results).to.deep.equal([2]);
    expect(starts).to.equal(2);
    expect(el.result).to.equal(2);
  });

  it('re-runs when its script changes', async () => {
    const el = task('<py-task auto><script type="text/python">"first"</script></py-task>');
    await oneEvent(el, 'task-result');
    el.querySelector('script')!.textContent = '"second"';
    const event = await oneEvent(el, 'task-result');
    expect(event.detail.result).to.equal('second');
  });

  it('renders a result that looks like markup as text', async () => {
    const el = task(`<py-task auto><script type="text/python">'<img src=x onerror="window.hacked=1"><b>bold</b>'</script></py-task>`);
    await oneEvent(el, 'task-result');
    await el.updateComplete;
    const result = part(el, 'result')!;
    expect(result.textContent).to.equal('<img src=x onerror="window.hacked=1"><b>bold</b>');
    expect(el.shadowRoot!.querySelector('img, b')).to.equal(null);
    expect((window as unknown as { hacked?: number }).hacked).to.equal(undefined);
  });

  it('reports a Python error with its line in the error part', async () => {
    const el = task('<py-task auto><script type="text/python">\nx = 1\nx / 0\n</script></py-task>');
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error).to.be.instanceOf(PythonError);
    expect((event.detail.error as PythonError).line).to.equal(2);
    await el.updateComplete;
    expect(el.status).to.equal('failed');
    expect(part(el, 'error')!.textContent).to.contain('ZeroDivisionError');
    expect(part(el, 'error')!.textContent).to.contain('line 2');
  });

  it('ends invalid inputs JSON in task-error, without throwing', async () => {
    const el = task(`<py-task auto inputs='{"x": oops'><script type="text/python">x</script></py-task>`);
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error.message).to.match(/not valid JSON/);
    expect(el.status).to.equal('failed');
  });

  it('ends a src that fails to load in task-error', async () => {
    const el = task('<py-task auto src="/test/fixtures/no-such-file.py"></py-task>');
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error.message).to.contain('404');
  });

  it('ends a task with no code in task-error', async () => {
    const el = task('<py-task></py-task>');
    const outcome = settled(el);
    await el.run().catch(() => undefined);
    expect(((await outcome) as TaskErrorEvent).detail.error.message).to.match(/no code/);
  });

  it('cancels a running task', async () => {
    const el = task('<py-task><script type="text/python">print("go", flush=True)\nwhile True:\n    pass</script></py-task>');
    const run = el.run();
    await oneEvent(el, 'task-output');
    el.cancel();
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error).to.be.instanceOf(TaskCancelledError);
    expect(el.status).to.equal('cancelled');
    await run.catch(() => undefined);
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Cancelled');
  });

  it('shows a text field while input() waits, and Enter answers it', async () => {
    const el = task('<py-task><script type="text/python">name = input("name? ")\nf"hi {name}"</script></py-task>');
    const run = el.run();
    await waitFor(() => el.shadowRoot!.querySelector('[part="input"]'), 30_000, 'the input field');
    expect(el.awaitingInput).to.equal('name? ');
    const field = part(el, 'input') as HTMLInputElement;
    expect(field.labels?.[0]?.textContent).to.equal('name? ');
    await expect(el).to.be.accessible();
    field.value = 'Ada';
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(await run).to.equal('hi Ada');
    await el.updateComplete;
    expect(part(el, 'input')).to.equal(null);
  });

  it('feeds the stdin attribute to input(), and send() to receive()', async () => {
    const fed = task('<py-task stdin="one"><script type="text/python">input()</script></py-task>');
    expect(await fed.run()).to.equal('one');
    const listening = task('<py-task><script type="text/python">from worker_pool import receive\nreceive()["n"] * 2</script></py-task>');
    const run = listening.run();
    listening.send({ n: 21 });
    expect(await run).to.equal(42);
  });

  it('shows a progress bar while the code reports progress', async () => {
    const el = task(`<py-task><script type="text/python">
        from worker_pool import progress
        import time
        progress(0.25, "a quarter")
        end = time.monotonic() + 0.6
        while time.monotonic() < end:
            pass
      </script></py-task>`);
    const run = el.run();
    await oneEvent(el, 'task-output');
    await el.updateComplete;
    const bar = part(el, 'progress') as HTMLProgressElement;
    expect(bar).to.be.instanceOf(HTMLProgressElement);
    expect(bar.value).to.equal(0.25);
    await run;
    await el.updateComplete;
    expect(part(el, 'progress')).to.equal(null);
  });

  it("shows a generator task's yields as its progress bar", async () => {
    const el = task(`<py-task><script type="text/python">
        import time
        def work():
            yield 0.5
            end = time.monotonic() + 0.6
            while time.monotonic() < end:
                pass
            return "done"
        work()
      </script></py-task>`);
    const run = el.run();
    await oneEvent(el, 'task-output');
    await el.updateComplete;
    expect((part(el, 'progress') as HTMLProgressElement).value).to.equal(0.5);
    expect(await run).to.equal('done');
  });

  it('maps its code over the items attribute, counting items in its progress', async () => {
    const el = task(`<py-task auto items='[1, 2, 3]'><script type="text/python">double(item)</script></py-task>`);
    await settled(el);
    expect(el.result).to.deep.equal([2, 4, 6]);
    expect(el.status).to.equal('done');
    // A property takes any iterable; a change maps again.
    el.items = new Set([5]);
    await settled(el);
    expect(el.result).to.deep.equal([10]);
  });

  it('ends an items attribute that is not a JSON array in task-error', async () => {
    const el = task(`<py-task auto items='{"a": 1}'><script type="text/python">item</script></py-task>`);
    const event = (await oneEvent(el, 'task-error')) as TaskErrorEvent;
    expect(event.detail.error.message).to.match(/items attribute must be a JSON array/);
  });

  it('announces the outcome to screen readers and passes an accessibility audit', async () => {
    const el = task('<py-task auto><script type="text/python">"all good"</script></py-task>');
    await oneEvent(el, 'task-result');
    await el.updateComplete;
    const live = el.shadowRoot!.querySelector('[aria-live]')!;
    expect(live.textContent).to.contain('all good');
    await expect(el).to.be.accessible();
  });

  it('runs again on the new pool when its <worker-pool> rebuilds, with auto and mid-run', async () => {
    const own = onePoolElement(`<script type="text/python">VALUE = "old setup"</script>
      <py-task auto><script type="text/python">VALUE</script></py-task>
      <py-task id="slow"><script type="text/python">
        import time
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            pass
        VALUE
      </script></py-task>`);
    const auto = own.querySelector('py-task')!;
    const slow = own.querySelector<PyTaskElement>('#slow')!;
    const first = oneEvent(auto, 'task-result');
    document.body.append(own);
    try {
      expect((await first).detail.result).to.equal('old setup');
      const run = slow.run();
      await waitFor(() => slow.status === 'running', 30_000, 'the slow task running');
      const again = oneEvent(auto, 'task-result');
      // New setup: the element ends its pool and makes another.
      own.querySelector(':scope > script')!.textContent = 'VALUE = "new setup"';
      expect(await run).to.equal('new setup');
      expect((await again).detail.result).to.equal('new setup');
      expect(auto.status).to.equal('done');
    } finally {
      own.remove();
    }
  });

  it('settles a run in progress when its <worker-pool> is removed with it', async () => {
    const own = onePoolElement('<py-task><script type="text/python">\nwhile True:\n    pass\n</script></py-task>');
    document.body.append(own);
    const el = own.querySelector('py-task')!;
    const run = el.run();
    await waitFor(() => el.status === 'running', 30_000, 'the task running');
    own.remove();
    const error = await run.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).to.be.instanceOf(PoolError);
    expect(el.status).to.be.oneOf(['failed', 'cancelled']);
  });
});
