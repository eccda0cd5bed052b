/**
 * Where a `<py-task>`'s run gets what it runs: its `<worker-pool>` (found again only
 * when it may have changed), its code (the `code` property, a child script, or `src`),
 * and its inputs and items from JSON attributes (text that is not JSON fails the run,
 * saying so, rather than throwing while the attribute is set).
 *
 * @internal
 */
import type { CodeSource, InputsSource, ItemsSource } from '../workers/index.js';
import { checkScript, fetchSrcCode } from './code-policy.js';
import type { PoolHolder } from '../workers/index.js';
import { discoverPoolHolder, findPoolHolder } from './find-pool.js';
import { childPython, childScripts } from './text.js';

/** The `inputs` attribute held text that is not JSON; reported when the task runs. */
class InvalidInputs {
  constructor(readonly message: string) {}
  /** As the run's inputs: fails the run with the message. */
  readonly fail = (): never => {
    throw new TypeError(this.message);
  };
}

/** Reads a JSON attribute; text that is not JSON (or not `shape`) fails the run, saying so. */
function jsonConverter(name: string, shape: (value: unknown) => boolean, wanted: string) {
  return {
    fromAttribute(value: string | null): unknown {
      if (value === null || value.trim() === '') return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (err) {
        return new InvalidInputs(`the ${name} attribute is not valid JSON (${(err as Error).message})`);
      }
      return shape(parsed) ? parsed : new InvalidInputs(`the ${name} attribute must be ${wanted}`);
    },
  };
}

export const inputsConverter = jsonConverter('inputs', () => true, 'a JSON object');
export const itemsConverter = jsonConverter('items', Array.isArray, 'a JSON array');

/** The `inputs` property as the run takes it: an attribute that was not JSON fails the run. */
export function inputsSource(inputs: unknown): InputsSource {
  if (inputs instanceof InvalidInputs) return inputs.fail;
  return inputs as Record<string, unknown> | undefined;
}

/** The `items` property as the run takes it: an attribute that was not a JSON array fails the run. */
export function itemsSource(items: unknown): ItemsSource | undefined {
  if (items instanceof InvalidInputs) return items.fail as () => never;
  return items as Iterable<unknown> | undefined;
}

/** No code anywhere: the run fails saying where code can come from. */
const NO_CODE = (): never => {
  throw new Error('no code to run: set the code property, add a <script type="text/python"> child, or a src attribute');
};

/** The pool and code of one `<py-task>`, each kept while it has not changed. */
export class PyTaskSources {
  readonly #element: HTMLElement;
  #discovery: ReturnType<typeof discoverPoolHolder> | undefined;
  #discoveredFor: { holder: (HTMLElement & PoolHolder) | undefined; id: string | undefined } | undefined;
  /** One getter per `src`, so an unchanged `src` is not a change. */
  #srcCode: { src: string; get: () => Promise<string> } | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  /**
   * The `<worker-pool>` to use (`id`, or the nearest ancestor), looked for again only
   * when it may have changed: another `id`, another pool around the element (a move), or
   * an earlier look that failed.
   */
  pool(id: string | undefined) {
    const holder = findPoolHolder(this.#element, id);
    const found = this.#discovery?.holder.peek();
    const watching = found instanceof Error ? undefined : (found ?? this.#discoveredFor?.holder);
    if (!this.#discovery || found instanceof Error || this.#discoveredFor?.id !== id || (holder && holder !== watching)) {
      this.#discovery?.dispose();
      this.#discovery = discoverPoolHolder(this.#element, id, undefined, 'pool'); // a pool="id" the code policy refuses is an error
      this.#discoveredFor = { holder, id };
    }
    return this.#discovery.holder;
  }

  /** The code to run: `code` (the property), else a child script (if the policy allows it), else `src`. */
  code(code: string | undefined, src: string | undefined): CodeSource {
    if (typeof code === 'string') return code;
    const script = childScripts(this.#element, 'text/python')[0];
    if (script) {
      try {
        checkScript(script, this.#element);
      } catch (refused) {
        return () => Promise.reject(refused);
      }
      return childPython(this.#element)!;
    }
    if (!src) return NO_CODE;
    // Checked at each run: configureElements() may have changed in between.
    if (this.#srcCode?.src !== src) this.#srcCode = { src, get: () => fetchSrcCode(src, this.#element) };
    return this.#srcCode.get;
  }

  /** Stop looking for the pool (the element was removed); the next `pool()` looks again. */
  forget(): void {
    this.#discovery?.dispose();
    this.#discovery = undefined;
    this.#discoveredFor = undefined;
  }
}
