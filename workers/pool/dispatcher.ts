/**
 * The dispatcher's decisions: which worker takes each waiting task, how many tasks a
 * worker may hold, which busy worker an idle one relieves, and how many workers to start.
 * Plain data in, plain decisions out (no Pyodide, no timers, no messages), so every rule
 * is unit-tested with fake workers; `PyodidePool` carries the decisions out.
 *
 * @internal
 */

/** What the dispatcher needs to know of a worker. `WorkerHandle` is one; tests use fakes. */
export interface Dispatchable {
  /** Tasks handed over and not yet answered (the running one included). */
  readonly live: number;
  /** How many more it should be handed now, judged by its pace; 0 while it cannot take any. */
  capacity(): number;
}

/** What limits one worker's room beyond its pace. */
export interface RoomLimits {
  /** Leaving soon (recycled, or beyond a lowered `max`): one task at a time, no line of its own. */
  leaving: boolean;
  /** Tasks it may still be handed before its recycle limit (Infinity without one). */
  untilRecycle: number;
}

/**
 * How many tasks `worker` may be handed now: what its pace allows, cut to its recycle
 * limit; a worker with nothing in hand may always take one.
 */
export function roomFor(worker: Dispatchable, limits: RoomLimits): number {
  const capacity = worker.capacity();
  if (capacity === 0) return 0;
  const oneAtATime = worker.live === 0 ? 1 : 0;
  if (limits.leaving) return oneAtATime;
  return Math.max(oneAtATime, Math.min(capacity, limits.untilRecycle));
}

/**
 * Who takes each of the next `waiting` tasks, in queue order: each goes to the worker
 * with the fewest in hand that still has room. Busy workers are passed over, except
 * `refill`, the one that just reported: a task submitted while every worker is busy waits
 * in the pool's queue, where priorities still apply. A worker appears once per task.
 *
 * @example
 * distribute(3, [a, b], (w) => roomFor(w, limits)); // [a, b, a] when both are idle with room 2
 */
export function distribute<W extends Dispatchable>(waiting: number, workers: readonly W[], room: (worker: W) => number, refill?: W): W[] {
  if (waiting === 0) return [];
  // On most submits every worker is busy: nothing to plan.
  if (!refill && !workers.some((w) => w.live === 0 && w.capacity() > 0)) return [];
  const rooms = new Map<W, number>();
  const inHand = new Map<W, number>();
  for (const worker of workers) {
    if (worker.live > 0 && worker !== refill) continue;
    const free = room(worker);
    if (free > 0) {
      rooms.set(worker, free);
      inHand.set(worker, worker.live);
    }
  }
  const order: W[] = [];
  while (rooms.size > 0 && order.length < waiting) {
    let best: W | undefined;
    for (const worker of rooms.keys()) if (!best || inHand.get(worker)! < inHand.get(best)!) best = worker;
    order.push(best!);
    inHand.set(best!, inHand.get(best!)! + 1);
    const left = rooms.get(best!)! - 1;
    if (left > 0) rooms.set(best!, left);
    else rooms.delete(best!);
  }
  return order;
}

/**
 * Which worker an idle `thief` relieves, and how many tasks it takes back: the busiest
 * one that holds more than the task it runs gives up half of those it has not begun. A
 * line sized for tiny tasks may turn out to hold long ones; this shares it.
 */
export function stealPlan<W extends Dispatchable>(thief: W, workers: readonly W[]): { victim: W; count: number } | undefined {
  let victim: W | undefined;
  for (const worker of workers) {
    if (worker !== thief && worker.live > 1 && (!victim || worker.live > victim.live)) victim = worker;
  }
  return victim ? { victim, count: Math.ceil((victim.live - 1) / 2) } : undefined;
}

/** What preemption needs to know of a worker and of the task it runs. */
export interface PreemptCandidate extends Dispatchable {
  readonly status: string;
  /** The task it runs now (first in its line). */
  head(): { readonly preemptible: boolean; readonly stop: unknown; readonly priority: number } | undefined;
}

/**
 * Which worker runs a waiting task of `priority` at its generator task's next yield: one
 * busy with just that generator (no other task in its line), at its yields, not being
 * stopped, and of lower priority. Undefined: the task waits.
 *
 * @example
 * preemptTarget(5, [busyWithGenerator]); // busyWithGenerator, if its generator's priority is below 5
 */
export function preemptTarget<W extends PreemptCandidate>(priority: number, workers: readonly W[]): W | undefined {
  return workers.find((worker) => {
    if (worker.status !== 'busy' || worker.live !== 1) return false;
    const running = worker.head();
    return running !== undefined && running.preemptible && !running.stop && running.priority < priority;
  });
}

/** What decides how many workers to start. */
export interface FleetSize {
  /** Workers that count toward `min`/`max` (not those waiting to be recycled). */
  active: number;
  /** Of those, the ones still booting. */
  starting: number;
  /** Tasks waiting in the pool's queue. */
  waiting: number;
  /** At least this many (`min`, or 1 while `ready()` waits on a `min: 0` pool). */
  min: number;
  max: number;
}

/** How many workers to start: up to `min`, and one per waiting task no booting worker will take, up to `max`. */
export function workersToStart({ active, starting, waiting, min, max }: FleetSize): number {
  let start = 0;
  while (active + start < min || (waiting > starting + start && active + start < max)) start++;
  return start;
}
