/**
 * Which Python in the page the elements may run. Inline Python is code, as trusted as a
 * script: but a Content Security Policy does not govern `<script type="text/python">`, so
 * an HTML injection of `<py-task auto><script type="text/python">…` would run. With a
 * nonce (the one the page's CSP gives its scripts), only Python scripts carrying it run;
 * and `src` code is fetched only from URLs `allowSrc` accepts (the page's own origin by
 * default). Once a nonce or an `allowSrc` is configured, every other door to code goes
 * through the same policy: `<worker-pool index-url>` and the wheel URLs in `packages`,
 * and `<py-task pool="…">` references.
 */
import { PoolError } from '../workers/index.js';

/** Options of {@link configureElements}. */
export interface ElementsConfig {
  /**
   * Run only `<script type="text/python">` / `text/python-file` elements whose `nonce`
   * property equals this. `undefined` (the default) runs every such script.
   */
  nonce?: string | undefined;
  /**
   * Whether code or a runtime may be loaded from `url` (absolute; `parsed` is the same as
   * a URL): a `<py-task src>` always, and, once a nonce or `allowSrc` is configured, a
   * `<worker-pool index-url>` and each wheel URL in its `packages`. Default: the page's
   * own origin only (`http:`/`https:`), never `data:`, `blob:` or a page of an opaque
   * origin (such as a sandboxed iframe).
   */
  allowSrc?: ((url: string, parsed: URL) => boolean) | undefined;
}

/**
 * Code an element was asked to run or load, which the code policy refused: nothing ran,
 * and nothing was requested for it.
 */
export class CodePolicyError extends PoolError {
  override name = 'CodePolicyError';
  /**
   * The element whose code was refused: the `<script>` (its `nonce`), or the element
   * whose attribute was refused (`<py-task>` for `src` and `pool`, `<worker-pool>` for
   * `index-url` and `packages`).
   */
  readonly element: Element;
  /** The attribute refused: `nonce`, `src`, `index-url`, `packages` or `pool`. */
  readonly attribute: string;

  constructor(message: string, element: Element, attribute: string) {
    super(message);
    this.element = element;
    this.attribute = attribute;
  }
}

const config: ElementsConfig = {};
const listeners = new Set<() => void>();

/** Whether a nonce or an `allowSrc` is configured: then every door to code is checked. */
export function policyConfigured(): boolean {
  return config.nonce !== undefined || config.allowSrc !== undefined;
}

/**
 * Call `listener` after each `configureElements()`; returns the function that stops it.
 * A `<worker-pool>` built before then checks itself against the new policy.
 *
 * @internal
 */
export function onPolicyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Set the code policy of `<worker-pool>` and `<py-task>`, for every run from now on.
 * Keys left out keep their value; `undefined` restores the default.
 *
 * With a nonce or `allowSrc` set, every door to code passes the policy: Python scripts
 * (the nonce), `src`, `<worker-pool index-url>` and each wheel URL in `packages`
 * (`allowSrc`, or the page's own origin), and `<py-task pool="id">`, which takes only a
 * `<worker-pool>` the policy accepts and whose id no other element has. A refusal is a
 * `CodePolicyError` naming the element and the attribute, before anything is requested.
 * A `<worker-pool>` whose pool the new policy refuses ends it (`pool-error`). Without a
 * nonce or `allowSrc`, only `src` is checked (against the default).
 *
 * Call it in the module script that imports the elements, before any `await`: elements
 * already in the page are then checked before they load anything.
 *
 * @example
 * // The page's CSP: script-src 'nonce-r4nd0m'. allowSrc judges the runtime too.
 * configureElements({
 *   nonce: 'r4nd0m',
 *   allowSrc: (url) => url.startsWith('https://code.example/') || url.startsWith(`${location.origin}/pyodide/`),
 * });
 */
export function configureElements(options: ElementsConfig): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('configureElements: options must be an object');
  if ('nonce' in options) {
    if (options.nonce !== undefined && (typeof options.nonce !== 'string' || options.nonce === '')) throw new TypeError("configureElements: 'nonce' must be a non-empty string");
    config.nonce = options.nonce;
  }
  if ('allowSrc' in options) {
    if (options.allowSrc !== undefined && typeof options.allowSrc !== 'function') throw new TypeError("configureElements: 'allowSrc' must be a function of the URL");
    config.allowSrc = options.allowSrc;
  }
  for (const listener of [...listeners]) listener();
}

/** How an element is named in errors: its tag with its id, if it has one. */
export function describeElement(element: Element): string {
  return `<${element.localName}${element.id ? ` id="${element.id}"` : ''}>`;
}

/** Throws a {@link CodePolicyError} if `script` (a Python script of `host`) may not run. */
export function checkScript(script: HTMLScriptElement, host: Element): void {
  if (config.nonce === undefined || script.nonce === config.nonce) return;
  const type = script.getAttribute('type');
  throw new CodePolicyError(
    `${describeElement(host)} refused its <script type="${type}">: its nonce does not match the one given to configureElements(); nothing ran`,
    script,
    'nonce',
  );
}

/**
 * The default rule: an `http:`/`https:` URL of the page's own origin, on a page that has
 * one. Never `data:` or `blob:` (a `blob:` URL carries its creator's origin), and nothing
 * at all on a page of an opaque origin (`'null'`, e.g. a sandboxed iframe).
 *
 * @internal
 */
export function isPageOrigin(url: URL, pageOrigin: string | undefined): boolean {
  return (url.protocol === 'https:' || url.protocol === 'http:') && pageOrigin !== undefined && pageOrigin !== 'null' && url.origin === pageOrigin;
}

/** The page's origin: `self.origin` is `'null'` on an opaque-origin page even when its URL has a host. */
const pageOrigin = (): string | undefined => globalThis.origin ?? globalThis.location?.origin;

/**
 * The absolute URL of `value` (the `attribute` of `host`, resolved against `base`: where
 * it will be loaded from), or a {@link CodePolicyError} naming both if the policy refuses
 * it: `allowSrc` when configured, else the page's own origin only ({@link isPageOrigin}).
 */
export function checkURL(value: string, host: Element, attribute: string, base: string = host.ownerDocument.baseURI): string {
  let url: URL | undefined;
  try {
    url = new URL(value, base);
  } catch {
    // refused below
  }
  let allowed = false;
  try {
    if (url) allowed = config.allowSrc ? config.allowSrc(url.href, url) === true : isPageOrigin(url, pageOrigin());
  } catch {
    allowed = false;
  }
  if (!allowed) {
    const rule = !url ? 'it is not a URL' : config.allowSrc ? 'allowSrc refused it' : 'only the page’s own origin is allowed (see configureElements({ allowSrc }))';
    throw new CodePolicyError(
      `${describeElement(host)} refused to load code from ${url?.href ?? JSON.stringify(value)} (its ${attribute} attribute): ${rule}; nothing was requested`,
      host,
      attribute,
    );
  }
  return url!.href;
}

/** The absolute URL of `src`, or a {@link CodePolicyError} if the policy refuses it (checked with or without a configured policy). */
export function checkSrc(src: string, host: Element): string {
  return checkURL(src, host, 'src');
}

/** The code at `src` of `host`, fetched if `allowSrc` accepts it (a {@link CodePolicyError} if not). */
export async function fetchSrcCode(src: string, host: Element): Promise<string> {
  const url = checkSrc(src, host);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`could not load ${src}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) throw new Error(`could not load ${src}: HTTP ${response.status}`);
  return await response.text();
}
