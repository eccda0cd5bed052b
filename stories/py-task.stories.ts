import type { Meta, StoryObj } from '@storybook/web-components';
import { html } from 'lit';
import { expect } from 'storybook/test';
import type { PyTaskElement } from '../components/index.js';
import { busy, INDEX_URL, part, poll, whenStatus } from './shared.js';

/**
 * `<py-task>` runs Python on the pool of its `<worker-pool>` and shows status, printed
 * output, progress, the result or the error, as text.
 */
const meta: Meta = {
  title: 'Elements/py-task',
  component: 'py-task',
};
export default meta;

type Story = StoryObj;

const task = (canvas: HTMLElement, id = 'task') => canvas.querySelector(`#${id}`) as PyTaskElement;

/** Without `auto`, a task waits for `run()`. */
export const Idle: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task"><script type="text/python">sum(range(10))</script></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await el.updateComplete;
    await expect(el.status).toBe('idle');
    await expect(part(el, 'status')?.textContent).toBe('Not run yet');
  },
};

/** A one-worker pool is busy with another task, so this one waits in the queue. */
export const Queued: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL} max="1">
    <py-task auto .code=${busy(30)}>Keeps the only worker busy</py-task>
    <py-task id="task" auto><script type="text/python">"my turn"</script></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['queued']);
    await expect(part(el, 'status')?.textContent).toContain('Waiting');
  },
};

/** Code that reports `progress()` shows a progress bar and message while it runs. */
export const RunningWithProgress: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto>
      <script type="text/python">
        import time
        from worker_pool import progress
        for step in range(1, 301):
            end = time.monotonic() + 0.1
            while time.monotonic() < end:
                pass
            progress(step / 300, f"step {step} of 300")
      </script>
    </py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['running']);
    await new Promise((r) => setTimeout(r, 500));
    await el.updateComplete;
    await expect(part(el, 'progress')).not.toBeNull();
  },
};

/** The final expression's value, shown as text, with what the code printed. */
export const Done: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto inputs='{"values": [3, 1, 4, 1, 5, 9, 2, 6]}'>
      <script type="text/python">
        print("sorting", len(values), "values")
        sorted(values)
      </script>
    </py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['done']);
    await el.updateComplete;
    await expect(el.result).toEqual([1, 1, 2, 3, 4, 5, 6, 9]);
    await expect(part(el, 'stdout')?.textContent).toBe('sorting 8 values\n');
    await expect(JSON.parse(part(el, 'result')!.textContent!)).toEqual([1, 1, 2, 3, 4, 5, 6, 9]);
  },
};

/** A Python exception: its type, message and a traceback pointing at the task's line. */
export const PythonErrorWithTraceback: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto>
      <script type="text/python">
        prices = {"apple": 1.2}
        total = prices["apple"] + prices["pear"]
      </script>
    </py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['failed']);
    await el.updateComplete;
    const text = part(el, 'error')!.textContent!;
    await expect(text).toContain("KeyError: 'pear'");
    await expect(text).toContain('line 2');
  },
};

/** A runaway loop stopped by the task's `timeout`; the worker stays warm. */
export const Timeout: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto timeout="500"><script type="text/python">while True:\n    pass</script></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['failed']);
    await expect(el.error?.name).toBe('TaskTimeoutError');
  },
};

/** `cancel()` on a running task: KeyboardInterrupt, status "cancelled". */
export const Cancelled: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto><script type="text/python">while True:\n    pass</script></py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['running']);
    el.cancel('cancelled in the story');
    await whenStatus(el, ['cancelled']);
    await el.updateComplete;
    await expect(part(el, 'status')?.textContent).toBe('Cancelled');
  },
};

/**
 * An interactive task: `input()` shows a text field (part `input`) while the code waits,
 * and Enter answers it. Needs a cross-origin-isolated page; elsewhere give `stdin`.
 */
export const AwaitingInput: Story = {
  render: () => html`<worker-pool index-url=${INDEX_URL}>
    <py-task id="task" auto>
      <script type="text/python">
        name = input("What is your name? ")
        colour = input(f"Hello {name}! Favourite colour? ")
        f"{name} likes {colour}"
      </script>
    </py-task>
  </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    for (const answer of ['Ada', 'green']) {
      await poll(
        () => part(el, 'input') !== null,
        () => `no input field; status '${el.status}'`,
      );
      const field = part(el, 'input') as HTMLInputElement;
      field.value = answer;
      field.form!.requestSubmit();
      await poll(
        () => el.awaitingInput === undefined,
        () => 'the answer was not taken',
      );
    }
    await whenStatus(el, ['done']);
    await expect(el.result).toBe('Ada likes green');
  },
};

/** Styled with the CSS custom properties and parts. */
export const Styled: Story = {
  render: () => html`<style>
      .styled {
        --py-task-border: 2px solid rebeccapurple;
        --py-task-radius: 1rem;
        --py-task-background: light-dark(#f6f0ff, #21162e);
        --py-task-mono-font: 'Courier New', monospace;
      }
      .styled::part(result) {
        font-size: 1.6rem;
      }
    </style>
    <worker-pool index-url=${INDEX_URL}>
      <py-task class="styled" id="task" auto><script type="text/python">"styled with parts and properties"</script></py-task>
    </worker-pool>`,
  play: async ({ canvasElement }) => {
    const el = task(canvasElement);
    await whenStatus(el, ['done']);
    await expect(getComputedStyle(el).borderTopStyle).toBe('solid');
  },
};
