import { css, html, LitElement, type PropertyValues } from 'lit';
import { PyodidePool, type PoolOptions } from '../workers/index.js';
import { PoolChangeEvent, PoolErrorEvent, PoolReadyEvent } from './events.js';
import { checkScript, checkURL, CodePolicyError, onPolicyChange, policyConfigured } from './code-policy.js';
import { childPython, childPythonFiles, childScripts } from './text.js';

/**
 * Owns a pool of warm Pyodide workers for the `<py-task>` and `<pool-monitor>` elements
 * inside it (or pointing at its `id`).
 *
 * @summary A pool of warm Python workers, declared in HTML.
 *
 * @example
 * ```html
 * <worker-pool max="4" index-url="/pyodide/">
 *   <script type="text/python">
 *     def double(x):
 *         return 2 * x
 *   </script>
 *   <py-task auto inputs='{"x": 21}'><script type="text/python">double(x)</script></py-task>
 * </worker-pool>
 * ```
 *
 * @slot - `<py-task>`, `<pool-monitor>` and any other content. A direct child
 *   `<script type="text/python">` is the setup code every worker runs once.
 * @event pool-ready - The pool's `min` workers are warm; `detail.pool`.
 * @event pool-error - The pool could not be made or started (a `CodePolicyError` when the
 *   code policy refused its setup or files, its `index-url`, `package-base-url`,
 *   `lock-file-url` or a `packages` URL; nothing
 *   was requested then); `detail.error`.
 * @event pool-change - The pool was made, rebuilt or dropped (does not bubble); `detail.pool`.
 */
export class WorkerPoolElement extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  static override properties = {
    min: { type: Number },
    max: { type: Number },
    idleTimeout: { type: Number, attribute: 'idle-timeout' },
    indexURL: { type: String, attribute: 'index-url' },
    packageBaseUrl: { type: String, attribute: 'package-base-url' },
    lockFileURL: { type: String, attribute: 'lock-file-url' },
    packages: { type: String },
    timeout: { type: Number },
    noSnapshot: { type: Boolean, attribute: 'no-snapshot' },
    noBaseSnapshot: { type: Boolean, attribute: 'no-base-snapshot' },
    sandbox: { type: Boolean },
    sandboxConnect: { type: String, attribute: 'sandbox-connect' },
    isolate: { type: String },
  };

  /** Workers booted eagerly. */
  declare min: number | undefined;
  /** Upper bound on workers. */
  declare max: number | undefined;
  /** Milliseconds before an idle worker above `min` is retired. */
  declare idleTimeout: number | undefined;
  /**
   * Where the Pyodide runtime is served. Once `configureElements()` sets a nonce or
   * `allowSrc`, it must pass the code policy.
   */
  declare indexURL: string | undefined;
  /**
   * Where named packages' wheels are loaded from, when not beside the lock file: e.g. the
   * full Pyodide distribution on a CDN while `index-url` self-hosts the runtime (see
   * `PoolOptions.packageBaseUrl`). Once `configureElements()` sets a nonce or `allowSrc`,
   * it must pass the code policy.
   */
  declare packageBaseUrl: string | undefined;
  /**
   * The lock file that lists the packages, when not `index-url`'s `pyodide-lock.json` (see
   * `PoolOptions.lockFileURL`). Once `configureElements()` sets a nonce or `allowSrc`, it
   * must pass the code policy.
   */
  declare lockFileURL: string | undefined;
  /**
   * Space-separated Pyodide package names or wheel URLs. Once `configureElements()` sets
   * a nonce or `allowSrc`, each URL must pass the code policy.
   */
  declare packages: string | undefined;
  /** Default per-task timeout in ms. */
  declare timeout: number | undefined;
  /** Boot every worker normally instead of from a memory snapshot. */
  declare noSnapshot: boolean;
  /**
   * On a first visit, start the first worker's Python cold instead of from the base
   * snapshot shipped with the package (see `PoolOptions.baseSnapshot`).
   */
  declare noBaseSnapshot: boolean;
  /** Run task code sandboxed: it cannot reach the page's origin, storage or locks (see `PoolOptions.sandbox`). */
  declare sandbox: boolean;
  /** Space-separated origins sandboxed code may fetch from (with `sandbox`). */
  declare sandboxConnect: string | undefined;
  /** `task`: every task runs in a worker no earlier task has touched (see `PoolOptions.isolate`). */
  declare isolate: string | undefined;

  #pool: PyodidePool | undefined;
  #poolError: Error | undefined;
  /** What the current pool was built from; a change needs new workers. */
  #buildKey: string | undefined;
  #setupObserver: MutationObserver | undefined;
  #unwatchPolicy: (() => void) | undefined;
  /** Upgraded by `customElements.define`: built at first use or update, under the page's policy by then. */
  #buildLater = false;

  constructor() {
    super();
    this.noSnapshot = false;
    this.noBaseSnapshot = false;
    this.sandbox = false;
  }

  /**
   * The pool this element owns: made in `connectedCallback`, so it is there as soon as
   * the element is in the document (undefined before, and after removal).
   */
  get pool(): PyodidePool | undefined {
    this.#buildNow();
    return this.#pool;
  }

  /** Why the pool could not be made, if it could not. */
  get poolError(): Error | undefined {
    this.#buildNow();
    return this.#poolError;
  }

  /** The setup code: a direct child `<script type="text/python">`. */
  get setup(): string {
    return childPython(this) ?? '';
  }

  /** Files for every worker: direct child `<script type="text/python-file" path="/…">` (text). */
  get files(): Record<string, string> {
    return childPythonFiles(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Editing the setup script needs new workers.
    this.#setupObserver = new MutationObserver(() => this.requestUpdate());
    this.#setupObserver.observe(this, { childList: true, subtree: true, characterData: true });
    this.#unwatchPolicy = onPolicyChange(() => this.#policyChanged());
    // Made here, not in the first update, so that a page can use `el.pool` right after
    // inserting the element. Back in the document after a removal: a new pool. But an
    // element already in the page when the elements are defined waits for its first use
    // or update: the module that imports the elements configures the code policy right
    // after, and injected markup must not load anything before that.
    if (!this.#pool && !this.#poolError) {
      if (upgrading) this.#buildLater = true;
      else this.#build(this.#key());
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#setupObserver?.disconnect();
    this.#unwatchPolicy?.();
    // A move within the document disconnects and reconnects in the same task: keep the pool.
    queueMicrotask(() => {
      if (!this.isConnected) this.#drop();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.isConnected) return;
    const key = this.#key();
    if (key !== this.#buildKey || (!this.#pool && !this.#poolError)) {
      this.#build(key);
    } else if (this.#pool && (changed.has('min') || changed.has('max') || changed.has('idleTimeout') || changed.has('timeout'))) {
      try {
        this.#pool.configure(this.#sizing());
      } catch (error) {
        this.dispatchEvent(new PoolErrorEvent({ error: error as Error }));
      }
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  /** What the workers are built from: a change needs a new pool. */
  #key(): string {
    return JSON.stringify([
      this.indexURL,
      this.packageBaseUrl,
      this.lockFileURL,
      this.packages,
      this.setup,
      this.noSnapshot,
      this.noBaseSnapshot,
      this.files,
      this.sandbox,
      this.sandboxConnect,
      this.isolate,
    ]);
  }

  #sizing(): Pick<PoolOptions, 'min' | 'max' | 'idleTimeout' | 'timeout'> {
    return { min: this.min, max: this.max, idleTimeout: this.idleTimeout, timeout: this.timeout };
  }

  /** A build put off at upgrade, done now (on first use). */
  #buildNow(): void {
    if (!this.#buildLater) return;
    this.#buildLater = false;
    if (this.isConnected && !this.#pool && !this.#poolError) this.#build(this.#key());
  }

  /**
   * Throws a `CodePolicyError` if the code policy refuses what this pool would run or
   * load: setup and files run on every worker, the runtime and wheels are code too.
   */
  #checkPolicy(): void {
    for (const script of [...childScripts(this, 'text/python'), ...childScripts(this, 'text/python-file')]) checkScript(script, this);
    if (!policyConfigured()) return;
    // Resolved as the pool resolves them (against the page), so what passes is what loads.
    const page = globalThis.location.href;
    if (this.indexURL !== undefined && this.indexURL !== null) checkURL(String(this.indexURL), this, 'index-url', page);
    if (this.packageBaseUrl !== undefined && this.packageBaseUrl !== null) checkURL(String(this.packageBaseUrl), this, 'package-base-url', page);
    if (this.lockFileURL !== undefined && this.lockFileURL !== null) checkURL(String(this.lockFileURL), this, 'lock-file-url', page);
    for (const spec of this.#packageList()) if (isPackageURL(spec)) checkURL(spec, this, 'packages', page);
  }

  #packageList(): string[] {
    return this.packages?.split(/\s+/).filter(Boolean) ?? [];
  }

  /** `configureElements()` was called: a pool the policy now refuses ends; one it refused may be made. */
  #policyChanged(): void {
    if (!this.isConnected || this.#buildLater) return;
    if (this.#pool) {
      try {
        this.#checkPolicy();
      } catch {
        this.#build(this.#key()); // ends the pool and reports the refusal
      }
    } else if (this.#poolError instanceof CodePolicyError) {
      this.#build(this.#key());
    }
  }

  #refuse(error: Error): void {
    this.#poolError = error;
    this.dispatchEvent(new PoolChangeEvent({ pool: undefined }));
    this.dispatchEvent(new PoolErrorEvent({ error }));
  }

  #build(key: string): void {
    this.#buildLater = false;
    this.#drop();
    this.#buildKey = key;
    let pool: PyodidePool;
    try {
      // Refused code or runtime means no pool at all, and nothing requested.
      this.#checkPolicy();
      pool = new PyodidePool({
        ...this.#sizing(),
        indexURL: this.indexURL,
        ...(this.packageBaseUrl != null && { packageBaseUrl: this.packageBaseUrl }),
        ...(this.lockFileURL != null && { lockFileURL: this.lockFileURL }),
        packages: this.#packageList(),
        setup: this.setup,
        files: this.files,
        snapshot: !this.noSnapshot,
        baseSnapshot: !this.noBaseSnapshot,
        sandbox: this.sandbox ? { connect: this.sandboxConnect?.split(/\s+/).filter(Boolean) ?? [] } : false,
        ...(this.isolate ? { isolate: this.isolate as PoolOptions['isolate'] } : {}),
      });
    } catch (error) {
      this.#refuse(error as Error);
      return;
    }
    this.#pool = pool;
    this.dispatchEvent(new PoolChangeEvent({ pool }));
    pool.ready().then(
      () => {
        if (this.#pool === pool) this.dispatchEvent(new PoolReadyEvent({ pool }));
      },
      (error: Error) => {
        if (this.#pool === pool) this.dispatchEvent(new PoolErrorEvent({ error }));
      },
    );
  }

  /** End the pool this element owns. */
  #drop(): void {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#poolError = undefined;
    this.#buildKey = undefined;
    if (pool) {
      void pool.terminate();
      this.dispatchEvent(new PoolChangeEvent({ pool: undefined }));
    }
  }
}

/** A package spec the pool loads as a URL (a wheel), not as a Pyodide package name; anything with a scheme counts. */
function isPackageURL(spec: string): boolean {
  return spec.includes('/') || spec.includes(':') || spec.endsWith('.whl');
}

/** True while `customElements.define` upgrades the `<worker-pool>` elements already in the page. */
let upgrading = false;

if (!customElements.get('worker-pool')) {
  upgrading = true;
  try {
    customElements.define('worker-pool', WorkerPoolElement);
  } finally {
    upgrading = false;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'worker-pool': WorkerPoolElement;
  }
}
