/**
 * Waiting tasks: highest priority first, first-in first-out within a priority.
 * Removal from the middle (cancel) is O(1): the item is only marked, and skipped later.
 *
 * @internal
 */
export interface Queueable {
  readonly priority: number;
}

export class TaskQueue<T extends Queueable> {
  /** One FIFO per priority; `head` avoids O(n) `Array.shift()`. */
  readonly #levels = new Map<number, { items: (T | undefined)[]; head: number }>();
  /** Priorities present, highest first. */
  #order: number[] = [];
  readonly #members = new Set<T>();

  get size(): number {
    return this.#members.size;
  }

  push(item: T): void {
    let level = this.#levels.get(item.priority);
    if (!level) {
      level = { items: [], head: 0 };
      this.#levels.set(item.priority, level);
      this.#order.push(item.priority);
      this.#order.sort((a, b) => b - a);
    }
    level.items.push(item);
    this.#members.add(item);
  }

  /** Put a task back at the front of its priority (it was taken, then could not run). */
  unshift(item: T): void {
    const level = this.#levels.get(item.priority);
    if (!level) return this.push(item);
    if (level.head > 0) level.items[--level.head] = item;
    else level.items.unshift(item);
    this.#members.add(item);
  }

  /** The next task to run, left in place, or undefined when empty. */
  peek(): T | undefined {
    for (const priority of this.#order) {
      const level = this.#levels.get(priority)!;
      for (let i = level.head; i < level.items.length; i++) {
        const item = level.items[i];
        if (item !== undefined && this.#members.has(item)) return item;
      }
    }
    return undefined;
  }

  /** Take the next task to run, or undefined when empty. */
  shift(): T | undefined {
    while (this.#order.length > 0) {
      const priority = this.#order[0]!;
      const level = this.#levels.get(priority)!;
      while (level.head < level.items.length) {
        const item = level.items[level.head];
        level.items[level.head++] = undefined;
        if (item !== undefined && this.#members.delete(item)) {
          if (level.head > 1024 && level.head * 2 > level.items.length) {
            level.items = level.items.slice(level.head);
            level.head = 0;
          }
          return item;
        }
      }
      this.#levels.delete(priority);
      this.#order.shift();
    }
    return undefined;
  }

  /** Forget a waiting task (it will be skipped). Returns false if it was not waiting. */
  delete(item: T): boolean {
    return this.#members.delete(item);
  }

  /** Remove and return every waiting task, in run order. */
  drain(): T[] {
    const all: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) all.push(item);
    return all;
  }
}
