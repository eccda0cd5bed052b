/**
 * Which Python in the page the elements may run. Inline Python is code, as trusted as a
 * script: but a Content Security Policy does not govern `<script type="text/python">`, so
 * an HTML injection of `<py-task auto><script type="text/python">…` would run. With a
 * nonce (the one the page's CSP gives its scripts), only Python scripts carrying it run;
 * and `src` code is fetched only from URLs `allowSrc` accepts (same origin by default).
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
   * Whether `<py-task src>` may fetch code from `url` (absolute; `parsed` is the same as
   * a URL). Default: the page's own origin only.
   */
  allowSrc?: ((url: string, parsed: URL) => boolean) | undefined;
}

/** Python code an element was asked to run and the code policy refused; nothing ran. */
export class CodePolicyError extends PoolError {
  override name = 'CodePolicyError';
  /** The element whose code was refused: the `<script>`, or the `<py-task>` of a `src`. */
  readonly element: Element;

  constructor(message: string, element: Element) {
    super(message);
    this.element = element;
  }
}

const config: ElementsConfig = {};

/**
 * Set the code policy of `<worker-pool>` and `<py-task>`, for every run from now on.
 * Keys left out keep their value; `undefined` restores the default.
 *
 * @example
 * // The page's CSP: script-src 'nonce-r4nd0m'
 * configureElements({ nonce: 'r4nd0m', allowSrc: (url) => url.startsWith('https://code.example/') });
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
  );
}

/** The absolute URL of `src`, or a {@link CodePolicyError} if `allowSrc` refuses it. */
export function checkSrc(src: string, host: Element): string {
  const url = new URL(src, host.ownerDocument.baseURI);
  let allowed: boolean;
  try {
    allowed = config.allowSrc ? config.allowSrc(url.href, url) === true : url.origin === globalThis.location?.origin;
  } catch {
    allowed = false;
  }
  if (!allowed) {
    const rule = config.allowSrc ? 'allowSrc refused it' : 'only the page’s own origin is allowed (see configureElements({ allowSrc }))';
    throw new CodePolicyError(`${describeElement(host)} refused to load code from ${url.href}: ${rule}; nothing ran`, host);
  }
  return url.href;
}

/** The code at `src` of `host`, fetched if `allowSrc` accepts it (a {@link CodePolicyError} if not). */
export async function fetchSrcCode(src: string, host: Element): Promise<string> {
  const url = checkSrc(src, host);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`could not load ${src}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new Error(`could not load ${src}: HTTP ${response.status}`);
  return await response.text();
}
