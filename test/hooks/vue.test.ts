// Vue 3 adapter (render functions) against a real pool.
import { expect } from 'chai';
import { createApp, defineComponent, h, reactive, ref, type App } from 'vue';
import { useCall, useMap, usePool, usePoolState, useTask } from '../../hooks/vue.js';
import { ModulePool, PythonError, PyodidePool } from '../../workers/index.js';
import { allSettled, indexURL, liveWorkers, waitFor } from '../helpers.js';

const SETUP = 'def double(x):\n    return 2 * x';
const text = (el: HTMLElement, id: string) => el.querySelector(`#${id}`)?.textContent ?? '';

let container: HTMLElement;
let app: App | undefined;

function mount(component: ReturnType<typeof defineComponent>): void {
  container = document.createElement('div');
  document.body.append(container);
  app = createApp(component);
  app.mount(container);
}

afterEach(() => {
  app?.unmount();
  app = undefined;
  container?.remove();
});

describe('Vue: usePool, usePoolState, useTask', () => {
  it('renders results, follows a ref input, and ends its pool on unmount', async () => {
    const x = ref(2);
    mount(
      defineComponent({
        setup() {
          const pool = usePool({ indexURL, min: 1, max: 1, setup: SETUP });
          const { workers, completed } = usePoolState(pool);
          const { status, result } = useTask<number>(pool, 'double(x)', { inputs: () => ({ x: x.value }), auto: true });
          return () =>
            h('div', [
              h('b', { id: 'status' }, status.value),
              h('b', { id: 'result' }, String(result.value ?? '')),
              h('b', { id: 'workers' }, workers.value.length),
              h('b', { id: 'completed' }, completed.value),
            ]);
        },
      }),
    );
    await waitFor(() => text(container, 'result') === '4', 30_000, 'result 4');
    expect(text(container, 'workers')).to.equal('1');
    x.value = 7;
    await waitFor(() => text(container, 'result') === '14', 30_000, 'result 14');
    expect(Number(text(container, 'completed'))).to.be.at.least(2);
    app!.unmount();
    app = undefined;
    await waitFor(async () => (await liveWorkers()) === 0, 5_000, 'no workers left');
  });
});

describe('Vue: useTask on a shared pool', () => {
  let pool: PyodidePool;
  before(async () => {
    pool = new PyodidePool({ indexURL, min: 2, max: 2, setup: SETUP });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('follows a reactive object deeply, and the newest run wins', async () => {
    const inputs = reactive({ x: 1, wait: 0.8 });
    mount(
      defineComponent({
        setup() {
          const { status, result } = useTask<number>(pool, 'import time\nend = time.monotonic() + wait\nwhile time.monotonic() < end:\n    pass\nx', { inputs, auto: true });
          return () => h('p', [h('b', { id: 'status' }, status.value), h('b', { id: 'result' }, String(result.value ?? ''))]);
        },
      }),
    );
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running');
    inputs.x = 2;
    inputs.wait = 0;
    await waitFor(() => text(container, 'result') === '2', 30_000, 'result 2');
    // The stale run has settled too (cancelled) once the pool has nothing left in hand.
    await allSettled(pool);
    expect(text(container, 'result')).to.equal('2');
    expect(text(container, 'status')).to.equal('done');
  });

  it('exposes awaitingInput as a ref, and sendInput and send', async () => {
    let task!: ReturnType<typeof useTask<string>>;
    mount(
      defineComponent({
        setup() {
          task = useTask<string>(pool, 'from worker_pool import receive\nf"{input(\'name? \')} {receive()}"', { auto: true });
          return () => h('b', { id: 'prompt' }, task.awaitingInput.value ?? '');
        },
      }),
    );
    await waitFor(() => text(container, 'prompt') === 'name? ', 30_000, 'the prompt');
    task.send('says hi');
    expect(task.sendInput('Ada')).to.equal(true);
    await waitFor(() => task.result.value === 'Ada says hi', 30_000, 'the result');
    expect(text(container, 'prompt')).to.equal('');
  });

  it('shows errors, cancels, and cancels its run on unmount', async () => {
    let error: unknown;
    let cancel: () => void = () => {};
    mount(
      defineComponent({
        setup() {
          const failing = useTask(pool, '1 / 0', { auto: true });
          const spinning = useTask(pool, 'while True:\n    pass', { auto: true });
          cancel = () => spinning.cancel();
          return () => {
            error = failing.error.value;
            return h('p', [h('b', { id: 'failing' }, failing.status.value), h('b', { id: 'spinning' }, spinning.status.value)]);
          };
        },
      }),
    );
    await waitFor(() => text(container, 'failing') === 'failed', 30_000, 'failed');
    expect(error).to.be.instanceOf(PythonError);
    await waitFor(() => text(container, 'spinning') === 'running', 30_000, 'running');
    cancel();
    await waitFor(() => text(container, 'spinning') === 'cancelled', 30_000, 'cancelled');
    app!.unmount();
    app = undefined;
    mount(
      defineComponent({
        setup() {
          const spinning = useTask(pool, 'while True:\n    pass', { auto: true });
          return () => h('b', { id: 'spinning' }, spinning.status.value);
        },
      }),
    );
    await waitFor(() => text(container, 'spinning') === 'running', 30_000, 'running again');
    app!.unmount();
    app = undefined;
    await waitFor(() => pool.state.running.value === 0, 10_000, 'nothing running');
  });

  it('passes Date, Map, typed arrays and BigInt inputs through to Python untouched', async () => {
    const inputs = ref({ when: new Date(Date.UTC(2024, 0, 2)), lookup: new Map([['k', 7]]), raw: new Uint8Array([1, 2, 3]), big: 2n ** 70n });
    let result: unknown;
    mount(
      defineComponent({
        setup() {
          const t = useTask(pool, '[when.year, lookup["k"], bytes(raw).hex(), big == 2 ** 70]', { inputs, auto: true });
          return () => {
            result = t.result.value;
            return h('b', { id: 'status' }, t.status.value);
          };
        },
      }),
    );
    await waitFor(() => ['done', 'failed'].includes(text(container, 'status')), 30_000, 'a result');
    expect(result).to.deep.equal([2024, 7, '010203', true]);
    // A change deep inside a reactive Map is a change by value.
    inputs.value.lookup.set('k', 8);
    await waitFor(() => (result as unknown[] | undefined)?.[1] === 8, 30_000, 'the new value');
  });

  it('maps with useMap over a reactive array, again when it changes deeply', async () => {
    const items = reactive([1, 2, 3]);
    mount(
      defineComponent({
        setup() {
          const { status, result, progress } = useMap<number>(pool, 'item * 10', items, { auto: true });
          return () =>
            h('div', [h('b', { id: 'status' }, status.value), h('b', { id: 'result' }, (result.value ?? []).join(',')), h('b', { id: 'done' }, String(progress.value?.done ?? 0))]);
        },
      }),
    );
    await waitFor(() => text(container, 'result') === '10,20,30', 30_000, 'mapped');
    expect(text(container, 'done')).to.equal('3');
    items.push(4);
    await waitFor(() => text(container, 'result') === '10,20,30,40', 30_000, 'mapped again');
  });
});

describe('Vue: useCall on a ModulePool', () => {
  let pool: ModulePool;
  before(async () => {
    pool = new ModulePool({ module: new URL('../fixtures/modules/calc.js', import.meta.url), min: 1, max: 2 });
    await pool.ready();
  });
  after(() => pool.terminate());

  it('calls with args from a getter, again when a ref in them changes, and with a reactive array deeply', async () => {
    const a = ref(2);
    const list = reactive([1, 2, 3]);
    mount(
      defineComponent({
        setup() {
          const sum = useCall<number>(pool, 'add', () => [a.value, 3], { auto: true });
          const total = useCall<number>(pool, 'sum', () => [list], { auto: true });
          const { workers } = usePoolState(pool);
          return () =>
            h('p', [
              h('b', { id: 'sum' }, String(sum.result.value ?? '')),
              h('b', { id: 'total' }, String(total.result.value ?? '')),
              h('b', { id: 'workers' }, workers.value.length),
            ]);
        },
      }),
    );
    await waitFor(() => text(container, 'sum') === '5' && text(container, 'total') === '6', 30_000, 'results');
    expect(Number(text(container, 'workers'))).to.be.at.least(1);
    a.value = 10;
    await waitFor(() => text(container, 'sum') === '13', 30_000, 'sum 13');
    list.push(4);
    await waitFor(() => text(container, 'total') === '10', 30_000, 'total 10');
  });

  it('shows what the export logged in stdout', async () => {
    let call!: ReturnType<typeof useCall<number>>;
    mount(
      defineComponent({
        setup() {
          call = useCall<number>(pool, 'chatty', ['ada'], { auto: true });
          return () => h('pre', { id: 'stdout' }, call.stdout.value);
        },
      }),
    );
    await waitFor(() => call.status.value === 'done', 30_000, 'done');
    expect(call.result.value).to.equal(3);
    await waitFor(() => text(container, 'stdout') === 'hello ada {"n":1}\ndone\n', 10_000, 'the output');
  });

  it('puts what the export threw in error, and run() calls again', async () => {
    let call!: ReturnType<typeof useCall>;
    mount(
      defineComponent({
        setup() {
          call = useCall(pool, 'reject', ['type'], { auto: true });
          return () => h('b', { id: 'status' }, call.status.value);
        },
      }),
    );
    await waitFor(() => text(container, 'status') === 'failed', 30_000, 'failed');
    expect(call.error.value).to.be.instanceOf(TypeError);
    expect(call.error.value!.message).to.equal('not a number');
    const again = await call.run(['custom']).catch((err: Error) => err);
    expect((again as Error).name).to.equal('ValidationError');
    expect(call.error.value).to.equal(again);
  });

  it('cancels its running call when the scope is disposed', async () => {
    mount(
      defineComponent({
        setup() {
          const call = useCall(pool, 'forever', [], { auto: true });
          return () => h('b', { id: 'status' }, call.status.value);
        },
      }),
    );
    await waitFor(() => text(container, 'status') === 'running', 30_000, 'running');
    const failed = pool.state.failed.value;
    app!.unmount();
    app = undefined;
    await waitFor(() => pool.state.running.value === 0 && pool.state.failed.value === failed + 1, 10_000, 'the call cancelled');
    expect(await pool.call('add', [1, 2])).to.equal(3);
  });
});
