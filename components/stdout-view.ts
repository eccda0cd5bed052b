/**
 * `<py-task>`'s output, drawn incrementally: a run's `stdout` grows by appending, so the
 * view appends too, once per animation frame, instead of replacing a `<pre>`'s whole text
 * on each chunk (which made the page's main thread stall for seconds on large output).
 */
import { effect, type ReadonlySignal } from '@preact/signals-core';

/** Characters drawn per frame at most: what is left waits for the next frame. */
const CHARS_PER_FRAME = 256 * 1024;
/**
 * Characters per block of the `<pre>`: text is appended to its last block only, so a
 * frame lays out at most one block plus the new ones, whatever is already shown.
 */
const BLOCK_CHARS = 64 * 1024;
/** When the page draws no frames (a hidden tab), the text still arrives, this late. */
const FALLBACK_MS = 250;

/**
 * Shows a growing text signal in a `<pre>` it owns. The text is split into blocks
 * (`<span>` elements shown as blocks) at line ends, so that a block boundary never breaks
 * a line (only a single line longer than a block is drawn over two rows).
 *
 * @example
 * const view = new StdoutView(run.stdout);
 * view.connect();                 // follows the signal
 * html`${view.element}`;          // the <pre part="stdout">, kept across renders
 * view.disconnect();
 */
export class StdoutView {
  /** The `<pre part="stdout">` this view fills. */
  readonly element: HTMLPreElement;
  readonly #text: ReadonlySignal<string>;
  /** Characters of the text in the element. */
  #drawn = 0;
  /** Length of the text when last seen: a shorter text is a new run's. */
  #seen = 0;
  /** The last block's text node: new text is appended to it. */
  #last: Text | undefined;
  #frame = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stop: (() => void) | undefined;

  constructor(text: ReadonlySignal<string>) {
    this.#text = text;
    this.element = document.createElement('pre');
    this.element.setAttribute('part', 'stdout');
  }

  /** Follow the text (drawing what is there). Idempotent. */
  connect(): void {
    if (this.#stop) return;
    this.#stop = effect(() => this.#changed(this.#text.value));
  }

  /** Stop following; what is drawn stays. */
  disconnect(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#cancelFrame();
  }

  #changed(text: string): void {
    if (text.length < this.#seen) this.#clear();
    this.#seen = text.length;
    if (text.length > this.#drawn) this.#schedule();
  }

  #clear(): void {
    this.element.replaceChildren();
    this.#last = undefined;
    this.#drawn = 0;
  }

  #schedule(): void {
    if (this.#frame || this.#timer !== undefined) return;
    this.#frame = requestAnimationFrame(() => this.#draw());
    this.#timer = setTimeout(() => this.#draw(), FALLBACK_MS);
  }

  #cancelFrame(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#frame = 0;
    this.#timer = undefined;
  }

  /** Append up to a frame's worth of the text not drawn yet. */
  #draw(): void {
    this.#cancelFrame();
    const text = this.#text.peek();
    if (text.length < this.#drawn) this.#clear();
    const end = Math.min(text.length, this.#drawn + CHARS_PER_FRAME);
    let at = this.#drawn;
    while (at < end) {
      const last = this.#last ?? this.#newBlock();
      const take = Math.min(end - at, BLOCK_CHARS - last.length);
      if (take <= 0) {
        this.#seal(last);
        continue;
      }
      last.appendData(text.slice(at, at + take));
      at += take;
    }
    this.#drawn = end;
    if (end < text.length) this.#schedule();
  }

  /**
   * The last block is full: the next text goes to a new block. The full block keeps its
   * text up to its last line end; the unfinished line moves on with the new block.
   */
  #seal(full: Text): void {
    const data = full.data;
    const lineEnd = data.lastIndexOf('\n');
    const block = this.#newBlock();
    if (lineEnd > 0 && lineEnd < data.length - 1) {
      block.appendData(data.slice(lineEnd + 1));
      full.deleteData(lineEnd + 1, data.length - lineEnd - 1);
    }
  }

  #newBlock(): Text {
    const block = document.createElement('span');
    const text = document.createTextNode('');
    block.append(text);
    this.element.append(block);
    this.#last = text;
    return text;
  }
}
