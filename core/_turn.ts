// The event loop's turn: a loop over send/recv/poll must let timers and Worker messages run.
//
// A send or recv that can complete at once answers a settled promise, and awaiting a settled
// promise only runs microtasks: a loop whose socket always has a message ready would never let
// a timer, an AbortSignal.timeout or a Worker message through. So every operation counts itself
// here, and once TURN_OPS operations were made or TURN_MS went by since the event loop last
// turned, the next operations wait for a macrotask (setImmediate: a few µs, where a
// setTimeout(0) costs a millisecond or more) before they run, in the order they were called.
//
// Reading the clock costs more than a cheap operation (performance.now() is ~100 ns here), so
// it is read once per stride of operations, the stride sized to about a millisecond of work.
// How a turn is seen: see watchTurn() below (one setImmediate per turn in which operations ran).

/** At most this many operations run between two turns of the event loop. */
export const TURN_OPS = 1000;
/** At most about this many milliseconds pass between two turns under hot traffic. */
export const TURN_MS = 50;

/** Aim for a clock read about this often, in ms of work. */
const STRIDE_MS = 1;
const MAX_STRIDE = 64;

/** Operations since the event loop last turned, and when the first of them was made. */
let ops = 0;
let nextCheck = 1;
let since = 0;
/** Whether the setImmediate that notes the next turn is queued. */
let watching = false;
/** Operations waiting for the turn, in call order; null when none waits. */
let queued: (() => void)[] | null = null;

// The first operation after a turn queues one setImmediate: when it runs, the event loop has
// turned, and the count starts again. In a loop that never lets it run, the count reaches
// TURN_OPS (or TURN_MS passes since that first operation); the next operations then wait for
// a setImmediate queued at that moment, behind every macrotask already waiting.
function watchTurn(): void {
  if (watching) return;
  watching = true;
  setImmediate(turned);
}

function turned(): void {
  watching = false;
  if (queued === null) {
    ops = 0;
    nextCheck = 1;
  }
}

/** The event loop has turned (a macrotask is running): the budget starts again. */
export function noteTurn(): void {
  if (queued !== null) return; // the operations waiting for the turn run first
  ops = 0;
  nextCheck = 1;
}

/**
 * Counts one operation; answers true if it must wait for the next turn of the event loop
 * (then pass it to {@linkcode afterTurn}). While operations wait for the turn, every new one
 * waits too, so that they keep their order.
 */
export function mustYield(): boolean {
  if (queued !== null) return true;
  if (ops === 0) {
    since = performance.now();
    watchTurn();
    ops = 1;
    nextCheck = 2;
    return false;
  }
  if (++ops < nextCheck) return false;
  if (ops >= TURN_OPS) return true;
  const elapsed = performance.now() - since;
  if (elapsed >= TURN_MS) return true;
  const perOp = elapsed / ops;
  const stride = perOp > 0 ? Math.min(MAX_STRIDE, Math.max(1, Math.floor(STRIDE_MS / perOp))) : 1;
  nextCheck = Math.min(ops + stride, TURN_OPS);
  return false;
}

/** Runs `operation` after the next turn of the event loop and answers its promise. */
export function afterTurn<T>(operation: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const run = () => {
      try {
        operation().then(resolve, reject);
      } catch (e) {
        reject(e);
      }
    };
    if (queued === null) {
      queued = [run];
      setImmediate(flush);
    } else queued.push(run);
  });
}

function flush(): void {
  const batch = queued!;
  queued = null;
  ops = 0;
  nextCheck = 1;
  // an operation of the batch may find the budget spent again: the rest then waits for the
  // next turn, still in order (mustYield answers true for all of them once one was queued)
  for (let i = 0; i < batch.length; i++) {
    if (queued !== null) {
      (queued as (() => void)[]).push(...batch.slice(i));
      return;
    }
    batch[i]();
  }
}
