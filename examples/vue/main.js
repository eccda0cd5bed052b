// Vue: a task bound to an input, and a live pool-state panel (render functions, no SFC build step).
import { createApp, defineComponent, h, ref } from 'vue';
import { usePool, usePoolState, useTask } from '../../hooks/vue.ts';

const CODE = `import random
random.seed(seed)
hits = sum(1 for _ in range(darts) if random.random() ** 2 + random.random() ** 2 <= 1)
4 * hits / darts`;

const App = defineComponent({
  setup() {
    const darts = ref(100_000);
    const pool = usePool({ indexURL: '/pyodide/', max: 2 });
    const { workers, queued, running, completed } = usePoolState(pool);
    const { status, result, error } = useTask(pool, CODE, { inputs: () => ({ darts: darts.value, seed: 1 }), auto: true });
    return () =>
      h('main', [
        h('h1', 'Vue + pyodide-pool'),
        h('label', [
          `Darts: ${darts.value.toLocaleString('en')}`,
          h('input', { type: 'range', min: 10000, max: 1000000, step: 10000, value: darts.value, onInput: (e) => (darts.value = Number(e.target.value)) }),
        ]),
        h(
          'p',
          { class: 'result', id: 'result', 'data-status': status.value },
          status.value === 'done' ? `π ≈ ${result.value.toFixed(5)}` : status.value === 'failed' ? error.value.message : '…',
        ),
        h('p', { class: 'panel', id: 'pool-state' }, [
          h('span', `workers ${workers.value.length}`),
          h('span', `queued ${queued.value}`),
          h('span', `running ${running.value}`),
          h('span', `completed ${completed.value}`),
        ]),
      ]);
  },
});

createApp(App).mount('#app');
