/**
 * `<py-task>`'s output, drawn incrementally: a run's `stdout` grows by appending, so the
 * view appends too, once per animation frame, instead of replacing a `<pre>`'s whole text
 * on each chunk (which made the page's main thread stall for seconds on large output).
 */
import { effect, type ReadonlySignal } from '@preact/signals-core';

/**
 * Characters drawn per frame, adapted to what the engine keeps up with: halved when the
 * frames of a continuing draw come late, raised by `step` while they come on time (a
 * doubling overshoots: the layout a write causes is paid after the frame it was made in).
 * What is left waits for the next frame.
 */
const CHARS_PER_FRAME = { start: 64 * 1024, step: 16 * 1024, min: 8 * 1024, max: 256 * 1024 };
/** A frame of a continuing draw that comes later than this (ms) was held up. */
const LATE_FRAME_MS = 34;
/** One that comes sooner than this (ms) had room to spare. */
const ON_TIME_FRAME_MS = 20;
/**
 * Characters per block of the `<pre>`: text is appended to its last block only, so a
 * frame lays out at most one block plus the new ones, whatever is already shown.
 */
const BLOCK_CHARS = 64 * 1024;
/** When the page draws no frames (a hidden tab), the text still arrives, this late. */
const FALLBACK_MS = 250;

/**
 * Shows a run's growing output in a `<pre>` it owns. It is handed each piece added to
 * the text (`append`, from `TaskRun`'s `onStdout`) and watches the text signal only to
 * see it start over (a new run); it never re-reads the whole text. It watches for its
 * whole life, connected or not: the signal belongs to the same owner (the element's own
 * run), so nothing outlives it, and a run started while the element is detached is still
 * seen to start over.
 *
 * Pieces are drawn once per animation frame, as many characters a frame as the engine
 * keeps up with, into blocks (`<span>` elements shown as blocks) split at line ends, so
 * that a block boundary never breaks a line (only a single line longer than a block is
 * drawn over two rows).
 *
 * @example
 * const view = new StdoutView(run.stdout);   // run made with { onStdout: (t) => view.append(t) }
 * html`${view.element}`;                     // the <pre part="stdout">, kept across renders
 */
export class StdoutView {
  /** The `<pre part="stdout">` this view fills. */
  readonly element: HTMLPreElement;
  /** Length of the text when last seen: a shorter text is a new run's. */
  #seen = 0;
  /** Pieces not drawn yet, in order, and their length. */
  #pending: string[] = [];
  #pendingChars = 0;
  /** The last block's text node: new text is appended to it. */
  #last: Text | undefined;
  #frame = 0;
  #charsPerFrame = CHARS_PER_FRAME.start;
  /** When the last draw that left text for the next frame ran, or 0. */
  #drewAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(text: ReadonlySignal<string>) {
    this.element = document.createElement('pre');
    this.element.setAttribute('part', 'stdout');
    effect(() => {
      const length = text.value.length;
      if (length < this.#seen) this.#clear();
      this.#seen = length;
    });
  }

  /** Draw `text` after what is there, in a coming frame. */
  append(text: string): void {
    if (!text) return;
    this.#pending.push(text);
    this.#pendingChars += text.length;
    this.#schedule();
  }

  /**
   * Draw what is pending now, if it is no more than a frame's worth: a view updating for
   * another reason (a run that ended) then shows its text in the same update. More waits
   * for the frames, as ever.
   */
  drawSmall(): void {
    if (this.#pendingChars > 0 && this.#pendingChars <= this.#charsPerFrame) this.#draw();
  }

  #clear(): void {
    this.#drewAt = 0;
    this.element.replaceChildren();
    this.#last = undefined;
    this.#pending = [];
    this.#pendingChars = 0;
    this.#cancelFrame();
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

  /** Draw up to a frame's worth of the pending pieces, as one string (one DOM write per block). */
  #draw(): void {
    this.#cancelFrame();
    const now = performance.now();
    if (this.#drewAt) {
      const gap = now - this.#drewAt;
      if (gap > LATE_FRAME_MS) this.#charsPerFrame = Math.max(CHARS_PER_FRAME.min, this.#charsPerFrame / 2);
      else if (gap < ON_TIME_FRAME_MS) this.#charsPerFrame = Math.min(CHARS_PER_FRAME.max, this.#charsPerFrame + CHARS_PER_FRAME.step);
    }
    const pending = this.#pending;
    const parts: string[] = [];
    let budget = this.#charsPerFrame;
    let taken = 0;
    while (budget > 0 && taken < pending.length) {
      const piece = pending[taken]!;
      if (piece.length > budget) {
        parts.push(piece.slice(0, budget));
        pending[taken] = piece.slice(budget);
        budget = 0;
        break;
      }
      parts.push(piece);
      budget -= piece.length;
      taken++;
    }
    // One splice a frame (not a shift per piece: a flood leaves many thousands pending).
    pending.splice(0, taken);
    this.#pendingChars -= this.#charsPerFrame - budget;
    this.#write(parts.join(''));
    this.#drewAt = pending.length > 0 ? now : 0;
    if (pending.length > 0) this.#schedule();
  }

  /** Append `piece` to the blocks, opening new ones as they fill. */
  #write(piece: string): void {
    let at = 0;
    while (at < piece.length) {
      const last = this.#last ?? this.#newBlock();
      const take = Math.min(piece.length - at, BLOCK_CHARS - last.length);
      if (take <= 0) {
        this.#seal(last);
        continue;
      }
      last.appendData(at === 0 && take === piece.length ? piece : piece.slice(at, at + take));
      at += take;
    }
  }

  /**
   * The last block is full: the next text goes to a new block. The full block keeps its
   * text up to its last line end; the unfinished line moves on with the new block.
   */
  #seal(full: Text): void {
    const data = full.data;
    const lineEnd = data.lastIndexOf('\n');
    const block = this.#newBlock();
    let end = data.length;
    if (lineEnd > 0 && lineEnd < data.length - 1) {
      block.appendData(data.slice(lineEnd + 1));
      full.deleteData(lineEnd + 1, data.length - lineEnd - 1);
      end = lineEnd + 1;
    }
    // Off screen it is not laid out (content-visibility): until it is once, it takes the
    // height of its lines (more if they wrap, then remembered), so the scroll height is close.
    let lines = 1;
    for (let at = data.indexOf('\n'); at !== -1 && at < end - 1; at = data.indexOf('\n', at + 1)) lines++;
    (full.parentElement as HTMLElement).style.setProperty('contain-intrinsic-block-size', `auto ${lines}lh`);
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
