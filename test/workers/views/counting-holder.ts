// A <worker-pool>-like holder for the views' tests.
import type { TaskPool } from '../../../workers/index.js';

/** A <worker-pool>-like holder that counts who listens to it (following it is listening). */
export class CountingHolder extends EventTarget {
  listeners = 0;
  constructor(public pool: TaskPool | undefined) {
    super();
  }
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners++;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners--;
    super.removeEventListener(...args);
  }
  /** Hand out another pool (or none), as a rebuilding <worker-pool> does. */
  change(pool: TaskPool | undefined): void {
    this.pool = pool;
    this.dispatchEvent(new Event('pool-change'));
  }
}
