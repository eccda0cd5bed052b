import * as Comlink from 'comlink';
import { ControlBlock, RING_SIZE, type StopOutcome } from './control-block.js';
import { Exchange } from './exchange.js';
import type { BootConfig, BootResult, RunMessage, TaskMessage, TaskOrder, WorkerControl, WorkerMessage } from './protocol.js';
import type { TaskRecord } from './task.js';
import { BootFailed, type WorkerEvents, type WorkerInfo } from './worker-info.js';
import { BootRecord } from './boot-timeline.js';

/**
 * A worker is handed about this many ms of work at once (by its recent task times), so
 * tiny tasks travel many to a message while long ones still go one at a time and a late
 * high-priority task waits behind little.
 */
const PIPELINE_BUDGET_MS = 4;
const MAX_PIPELINE = 256;
/** How long a worker ended while holding its snapshot waits for the pool to take it. */
const SNAPSHOT_HANDOVER_MS = 2_000;

let lockSeq = 0;
const lockPrefix = `pyodide-pool:${Math.random().toString(36).slice(2)}:`;

/**
 * Owns one worker's life: creates it, boots it, watches for its death through a Web
 * Lock the worker holds, sends it tasks, interrupts it, and ends it.
 *
 * @internal
 */
export class WorkerHandle {
  /** Booted, and so warm until it ends. */
  #booted = false;
  #dead = false;
  /**
   * Tasks sent and not yet answered, by seq, in run order. `null`: stopped before it
   * began (skipped); kept until the worker passes it, so seqs stay within the ring.
   */
  readonly inflight = new Map<number, TaskRecord | null>();
  /** Tasks in `inflight` that are not skipped. */
  live = 0;
  tasksRun = 0;
  heapBytes = 0;
  bootMode: WorkerInfo['bootMode'];
  bootMs: number | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Past its recycle limit: retires once `replacement` is warm. */
  replacement: WorkerHandle | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** This worker's boot timeline. */
  readonly timeline = new BootRecord();
  readonly #worker: Worker;
  readonly #control: ControlBlock | undefined;
  /** Where a blocked task's answers go (input, receive), on isolated pages. */
  readonly exchange: Exchange | undefined;
  #remote: Comlink.Remote<WorkerControl> | undefined;
  #seq = 0;
  #outbox: TaskOrder[] = [];
  /** Buffers the outbox's tasks move to the worker. */
  #outboxTransfer: ArrayBuffer[] = [];
  /** Recent average ms per task; until the first answer, unknown (one task at a time). */
  #taskMs = Infinity;
  readonly #lockName = lockPrefix + lockSeq++;
  readonly #events: WorkerEvents;
  #onDeath: ((reason: string) => void) | undefined;
  /** It made a snapshot at boot that the pool has not taken yet. */
  #holdsSnapshot = false;
  /** Resolves when the worker has ended, however it ends. */
  readonly #gone: Promise<undefined>;

  /** Resolves when the worker has ended (after `terminate`, once it has handed over its snapshot). */
  get gone(): Promise<undefined> {
    return this.#gone;
  }
  #markGone!: () => void;

  constructor(readonly id: number, workerURL: URL | string | undefined, events: WorkerEvents, interruptible: boolean) {
    this.#events = events;
    this.#gone = new Promise((resolve) => (this.#markGone = () => resolve(undefined)));
    // Written inline, with static options, so that bundlers (Vite, webpack) recognise the
    // worker and bundle it together with its imports.
    this.#worker = workerURL
      ? new Worker(workerURL, { type: 'module', name: 'pyodide-pool' })
      : new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module', name: 'pyodide-pool' });
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#die(`worker error: ${event.message || 'the worker script failed'}`);
    });
    this.#worker.addEventListener('message', (event: MessageEvent<WorkerMessage | { t?: undefined }>) => {
      const message = event.data;
      if (!message?.t) return; // one of Comlink's
      if (message.t === 'locked') this.#watchLock();
      else if (message.t === 'closing') this.#die('the worker closed itself');
      else this.#events.message(this, message);
    });
    // Without shared memory a task cannot be stopped without ending the worker, so the
    // worker gets one task at a time (see `capacity`).
    this.#control = interruptible ? new ControlBlock() : undefined;
    this.exchange = this.#control ? new Exchange(this.#control.words) : undefined;
  }

  /**
   * Write a file into the worker's filesystem (before its interpreter is up, once it is).
   * Resolves with a message when the path cannot be written, and undefined once written
   * or once the worker is gone (its replacement gets the file at boot).
   */
  async writeFile(path: string, data: Uint8Array): Promise<string | undefined> {
    if (this.#dead) return undefined;
    return Promise.race([this.#api().writeFile(path, data), this.#gone]);
  }

  /**
   * The snapshot this worker made at boot, packed; undefined if it has none or has ended.
   * A worker ended on purpose before handing it over lives on until it has (see `terminate`).
   */
  async takeSnapshot(): Promise<Uint8Array | undefined> {
    if (!this.#holdsSnapshot) return undefined;
    this.#holdsSnapshot = false;
    try {
      return await Promise.race([this.#api().takeSnapshot(), this.#gone]);
    } finally {
      if (this.#dead) this.#end();
    }
  }

  /** A message about the task running now (an answer it asked for, a stop). */
  post(message: TaskMessage): void {
    if (this.status !== 'dead') this.#worker.postMessage(message);
  }

  /** Let the worker load Pyodide's scripts while the pool gets the boot ready. */
  prepare(indexURL: string): void {
    void this.#api().prepare(indexURL);
  }

  /** Hand over the page's compiled interpreter (undefined: the worker loads its own). */
  giveModule(module: WebAssembly.Module | undefined): void {
    if (!this.#dead) void this.#api().giveModule(module);
  }

  /** Let the worker read the snapshot it will restore from while the page compiles the interpreter. */
  preloadSnapshot(snapshot: Blob | Uint8Array): void {
    void this.#api().preloadSnapshot(snapshot);
  }

  /**
   * Boot the interpreter. Rejects with {@link BootFailed} on failure or death, and ends
   * the worker if it has not answered within `timeoutMs`: a stalled boot (Firefox can
   * stall instantiating wasm, pyodide#5044) must fail, and be retried, rather than hang.
   */
  async boot(config: Omit<BootConfig, 'lockName' | 'control'>, timeoutMs: number): Promise<BootResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const died = new Promise<never>((_, reject) => {
      this.#onDeath = (reason) => reject(new BootFailed({ kind: 'runtime', message: `the worker died while starting (${reason})` }));
      timer = setTimeout(() => this.#die(`its boot did not answer within ${timeoutMs / 1000} s`), timeoutMs);
    });
    const control = this.#api();
    const full: BootConfig = { ...config, lockName: this.#lockName, control: this.#control?.buffer };
    const outcome = await Promise.race([control.boot(full), died]).finally(() => clearTimeout(timer));
    if ('failure' in outcome) throw new BootFailed(outcome.failure);
    this.#onDeath = undefined;
    this.#booted = true;
    this.bootMode = outcome.mode;
    this.bootMs = outcome.bootMs;
    this.heapBytes = outcome.heapBytes;
    this.#holdsSnapshot = outcome.snapshotMade === true;
    this.timeline.booted(outcome.stages, outcome.answeredAt);
    return outcome;
  }

  /**
   * Where the worker is in its life, owned here alone: `starting` until its boot
   * answers, then `busy` while it holds tasks and `idle` when it holds none, and `dead`
   * once it has ended, on purpose or not.
   */
  get status(): 'starting' | 'idle' | 'busy' | 'dead' {
    if (this.#dead) return 'dead';
    if (!this.#booted) return 'starting';
    return this.live > 0 ? 'busy' : 'idle';
  }

  /** True once the worker has ended, on purpose or not. */
  get dead(): boolean {
    return this.#dead;
  }

  /** How many more tasks this worker should be handed now. */
  capacity(): number {
    if (this.status !== 'idle' && this.status !== 'busy') return 0;
    if (!this.#control || this.#taskMs === Infinity) return this.live === 0 ? 1 : 0;
    const depth = Math.max(1, Math.min(MAX_PIPELINE, Math.floor(PIPELINE_BUDGET_MS / Math.max(this.#taskMs, 0.001))));
    return Math.max(0, Math.min(depth - this.live, RING_SIZE - 1 - this.inflight.size));
  }

  /**
   * Hand over a task; it is posted with the others sent in the same turn. `notify`: have
   * the worker say when it starts (it waits behind others and its timeout counts from then).
   */
  send(record: TaskRecord, notify: boolean, preempt = false): void {
    const seq = ++this.#seq;
    this.timeline.sent(seq);
    this.inflight.set(seq, record);
    this.live++;
    record.seq = seq;
    record.worker = this;
    const order: TaskOrder = { seq, code: record.code, inputs: record.inputs, notify };
    if (record.stdin !== undefined) order.stdin = record.stdin;
    if (record.channel.onInput) order.interactive = true;
    if (record.chunk) {
      order.items = record.chunk.items;
      if (record.chunk.keepGoing) order.keepGoing = true;
      if (record.chunk.itemTimeout !== undefined) order.itemTimeout = record.chunk.itemTimeout;
    }
    record.preempting = preempt;
    if (preempt) order.preempt = true;
    this.#outbox.push(order);
    this.#outboxTransfer.push(...record.transfer);
    if (this.#outbox.length === 1) queueMicrotask(() => this.#post());
  }

  /** The first task not yet answered: the one running, or about to. */
  head(): TaskRecord | undefined {
    for (const record of this.inflight.values()) if (record) return record;
    return undefined;
  }

  /** Take task `seq` out of the pipeline when its outcome arrives. */
  take(seq: number): TaskRecord | null | undefined {
    this.timeline.answered(seq);
    const record = this.inflight.get(seq);
    this.inflight.delete(seq);
    if (record) this.live--;
    return record;
  }

  /** Learn the worker's pace from a batch of outcomes. */
  measured(tasks: number, busyMs: number): void {
    if (tasks === 0) return;
    const perTask = busyMs / tasks;
    this.#taskMs = this.#taskMs === Infinity ? perTask : this.#taskMs * 0.7 + perTask * 0.3;
  }

  /**
   * Stop one of this worker's tasks: `skipped` (had not begun, never will), `interrupted`
   * (KeyboardInterrupt raised), `finished` (its outcome is on the way), or `impossible`
   * (no shared memory on this page: only ending the worker stops it).
   */
  stop(record: TaskRecord): StopOutcome | 'impossible' {
    if (this.status === 'dead') return 'impossible';
    if (!this.#control) {
      // A task that awaits leaves its worker free to read a stop message; so does a
      // generator at its yields, for a task sent to preempt it that has not begun.
      if (!record.awaiting && !(record.preempting && record.status.peek() === 'queued')) return 'impossible';
      this.post({ t: 'stop', seq: record.seq });
      return 'interrupted';
    }
    const outcome = this.#control.stop(record.seq);
    if (outcome === 'skipped') {
      this.inflight.set(record.seq, null);
      this.live--;
    }
    // An interrupt lands only while Python runs; a task that awaits needs its coroutine
    // cancelled, and a generator set aside for an urgent task stops at its next yield.
    if ((outcome === 'interrupted' || record.preemptible) && outcome !== 'skipped' && record.awaiting) this.post({ t: 'stop', seq: record.seq });
    return outcome;
  }

  /**
   * Drop `record` if the worker has not begun it (true), so it never runs; a begun one is
   * left to end. Only with shared memory can the pool tell, so without it: false.
   */
  drop(record: TaskRecord): boolean {
    if (!this.#control || this.status === 'dead' || !this.#control.claim(record.seq)) return false;
    this.inflight.set(record.seq, null);
    this.live--;
    return true;
  }

  /**
   * Take back up to `count` tasks from the end of the line that the worker has not begun
   * (so another worker can run them). Returns them in run order; never the first one.
   */
  release(count: number): TaskRecord[] {
    if (!this.#control || this.status === 'dead') return [];
    const live = [...this.inflight].filter((entry): entry is [number, TaskRecord] => entry[1] !== null);
    const taken: TaskRecord[] = [];
    for (let i = live.length - 1; i >= 1 && taken.length < count; i--) {
      const [seq, record] = live[i]!;
      // Its moved buffers are in the worker's hands: it cannot run elsewhere.
      if (record.transfer.length > 0) break;
      // Claims go from the end backwards: once one has begun, all before it have too.
      if (!this.#control.claim(seq)) break;
      this.inflight.set(seq, null);
      this.live--;
      taken.push(record);
    }
    return taken.reverse();
  }

  /**
   * After a death: the tasks that never began (to run elsewhere) and those that did
   * (their outcome is lost). Without shared memory, only the first task can have begun.
   */
  unfinished(): { begun: TaskRecord[]; notBegun: TaskRecord[] } {
    const reached = this.#control?.reached;
    const begun: TaskRecord[] = [];
    const notBegun: TaskRecord[] = [];
    let first = true;
    for (const [seq, record] of this.inflight) {
      if (!record) continue;
      const hasBegun = reached !== undefined ? seq <= reached : first && !this.#outbox.some((order) => order.seq === seq);
      (hasBegun ? begun : notBegun).push(record);
      first = false;
    }
    this.inflight.clear();
    this.live = 0;
    return { begun, notBegun };
  }

  #post(): void {
    const tasks = this.#outbox;
    const transfer = this.#outboxTransfer;
    this.#outbox = [];
    this.#outboxTransfer = [];
    if (this.status === 'dead' || tasks.length === 0) return;
    try {
      this.#worker.postMessage({ t: 'run', tasks } satisfies RunMessage, transfer);
      return;
    } catch {
      // Some task's inputs cannot be cloned: send one by one, so only those fail.
    }
    for (const order of tasks) {
      try {
        this.#worker.postMessage({ t: 'run', tasks: [order] } satisfies RunMessage, this.inflight.get(order.seq)?.transfer ?? []);
      } catch (err) {
        this.#events.unsendable(this, order.seq, err as Error);
      }
    }
  }

  /**
   * End the worker on purpose. Idempotent; no `died` event follows. With `keepSnapshot`
   * (the default), a worker holding a snapshot the pool has not taken yet ends once it
   * has handed it over (`gone` says when).
   */
  terminate(keepSnapshot = true): void {
    if (this.#dead) return;
    this.#dead = true;
    if (this.#holdsSnapshot && keepSnapshot) {
      // Its snapshot is about to be taken (and kept for the next visit): it ends once it
      // has handed it over, or after a while if nobody asks.
      setTimeout(() => this.#end(), SNAPSHOT_HANDOVER_MS);
    } else this.#end();
    // A boot still waiting must not wait forever.
    this.#onDeath?.('terminated');
  }

  info(): WorkerInfo {
    return {
      id: this.id,
      status: this.status === 'dead' ? 'starting' : this.status,
      tasksRun: this.tasksRun,
      heapBytes: this.heapBytes,
      bootMode: this.bootMode,
      bootMs: this.bootMs,
      bootTimeline: this.#booted ? this.timeline.stages() : undefined,
    };
  }

  /**
   * The worker holds its lock until it ends, however it ends: our request is granted
   * exactly then. A `js.close()` sends no event to the Worker object; this still fires.
   */
  #api(): Comlink.Remote<WorkerControl> {
    this.#remote ??= Comlink.wrap<WorkerControl>(this.#worker);
    return this.#remote;
  }

  #watchLock(): void {
    if (!navigator.locks) return;
    void navigator.locks.request(this.#lockName, () => this.#die('the worker closed'));
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#end();
    if (this.#onDeath) this.#onDeath(reason);
    else this.#events.died(this, reason);
  }

  #end(): void {
    this.#markGone();
    clearTimeout(this.idleTimer);
    clearTimeout(this.graceTimer);
    this.#worker.terminate();
  }
}
