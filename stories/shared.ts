// Helpers shared by the stories.
import type { PyTaskElement, WorkerPoolElement } from '../components/index.js';

/** Where the catalogue serves Pyodide (see .storybook/main.ts staticDirs). */
export const INDEX_URL = '/pyodide/';

/** Python that keeps a worker busy for `seconds`. */
export const busy = (seconds: number) => `import time\nend = time.monotonic() + ${seconds}\nwhile time.monotonic() < end:\n    pass`;

/** Resolves once `check()` holds (polled every 50 ms); rejects after `ms` saying `what`. */
export function poll(check: () => boolean, what: () => string, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (!check()) return;
      clearInterval(timer);
      clearTimeout(limit);
      resolve();
    };
    const timer = setInterval(tick, 50);
    const limit = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(what()));
    }, ms);
    tick();
  });
}

/** Resolves when the element reaches one of `statuses` (or rejects after `ms`). */
export function whenStatus(el: PyTaskElement, statuses: string[], ms = 60_000): Promise<void> {
  return poll(
    () => statuses.includes(el.status),
    () => `status stayed '${el.status}', expected one of ${statuses.join(', ')}`,
    ms,
  );
}

/** The shadow part `name` of `el`. */
export const part = (el: Element, name: string) => el.shadowRoot?.querySelector(`[part="${name}"]`) ?? null;

/** The first `<worker-pool>` inside a story's canvas. */
export const poolIn = (canvas: HTMLElement) => canvas.querySelector('worker-pool') as WorkerPoolElement;
