// Timers of a Loop: pyzmq's IOLoop.call_later and PeriodicCallback. They fire only while the
// loop runs: one setTimeout is armed for the earliest due timer while a run is in progress,
// and cleared when the loop stops, so a stopped loop has no timer pending in the event loop
// (a program exits by itself, and tests see no leaked timer). Timers due while the loop was
// stopped fire when it runs again.
import { badValue } from "../core/errors.ts";
import { Loop } from "./stream.ts";

/**
 * A timer's callback; if it returns a promise, the loop's run waits for it before ending (and
 * a periodic callback skips the beats due meanwhile). Any other value is ignored.
 */
export type TimerCallback = () => unknown;

/** What a running loop gives its timers: where their work and their errors go. */
export interface TimerHost {
  /** Keeps `task` in the set the loop's run waits for. */
  track(task: Promise<void>): void;
  /** Reports an error thrown by a timer's callback, as a stream callback's would be. */
  report(error: unknown, source: Timer | PeriodicCallback): void;
}

interface Entry {
  due: number;
  seq: number;
  fire(host: TimerHost): void;
}

let nextSeq = 0;

/** The timers of one loop, in due order, armed only while the loop runs. */
export class TimerQueue {
  #entries = new Set<Entry>();
  #host: TimerHost | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Infinity;

  /** Adds a timer due at `due` (a performance.now() time); it fires once, unless removed. */
  add(due: number, fire: (host: TimerHost) => void): Entry {
    const entry = { due, seq: nextSeq++, fire };
    this.#entries.add(entry);
    this.#arm();
    return entry;
  }

  /** Removes a timer; answers false if it had fired or was removed already. */
  remove(entry: Entry): boolean {
    const had = this.#entries.delete(entry);
    if (had && this.#entries.size === 0) this.#disarm();
    return had;
  }

  /** The loop runs: timers fire, those due meanwhile first. */
  resume(host: TimerHost): void {
    this.#host = host;
    this.#arm();
  }

  /** The loop stopped: nothing fires until it runs again. */
  pause(): void {
    this.#host = null;
    this.#disarm();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  #arm(): void {
    if (this.#host === null) return;
    let first = Infinity;
    for (const e of this.#entries) first = Math.min(first, e.due);
    if (first === Infinity || first >= this.#armedAt) return;
    this.#disarm();
    this.#armedAt = first;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, Math.ceil(first - performance.now())));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const due = [...this.#entries].filter((e) => e.due <= now)
      .sort((a, b) => a.due - b.due || a.seq - b.seq);
    for (const entry of due) {
      const host = this.#host;
      if (host === null) break; // a callback stopped the loop: the rest waits for the next run
      if (!this.#entries.delete(entry)) continue; // cancelled by an earlier callback
      entry.fire(host);
    }
    this.#arm();
  }
}

/** Runs a timer's callback for `source`, reporting what it throws and tracking its promise. */
function run(callback: TimerCallback, source: Timer | PeriodicCallback, host: TimerHost): void {
  let result: unknown;
  try {
    result = callback();
  } catch (error) {
    host.report(error, source);
    return;
  }
  if (result instanceof Promise) {
    host.track(result.then(() => {}, (error) => host.report(error, source)));
  }
}

/** Loop object → its timer queue (set by the Loop's constructor). */
export const loopTimers: WeakMap<object, TimerQueue> = new WeakMap();

function queueOf(loop: unknown, op: string): TimerQueue {
  const queue = loop instanceof Loop ? loopTimers.get(loop) : undefined;
  if (queue === undefined) {
    throw badValue(`${op}: loop must be a Loop`, { op });
  }
  return queue;
}

function checkMs(ms: unknown, op: string): number {
  if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw badValue(
      `${op}: a delay is a number of milliseconds from 0 to ${2 ** 31 - 1}; got ${String(ms)}`,
      { op },
    );
  }
  return ms;
}

function checkCallback(callback: unknown, op: string): asserts callback is TimerCallback {
  if (typeof callback !== "function") {
    throw badValue(`${op}: callback must be a function`, { op });
  }
}

/**
 * A callback scheduled once on a {@linkcode Loop} with {@linkcode Loop.callLater}: pyzmq's
 * `IOLoop.call_later`. It fires only while the loop runs; `cancel()` keeps it from firing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Loop } from "../mod.ts";
 * const loop = new Loop();
 * const never = loop.callLater(10, () => console.log("not printed"));
 * never.cancel();
 * loop.callLater(20, () => loop.stop());
 * await loop.run();
 * assert.equal(never.pending, false);
 * ```
 */
export class Timer {
  #queue: TimerQueue;
  #entry: Entry | null;

  /** Use {@linkcode Loop.callLater}. */
  constructor(loop: Loop, ms: number, callback: TimerCallback) {
    const queue = this.#queue = queueOf(loop, "callLater");
    checkMs(ms, "callLater");
    checkCallback(callback, "callLater");
    this.#entry = queue.add(performance.now() + ms, (host) => {
      this.#entry = null;
      run(callback, this, host);
    });
  }

  /** True until the timer fired or was cancelled. */
  get pending(): boolean {
    return this.#entry !== null;
  }

  /**
   * Keeps the timer from firing; answers false if it fired or was cancelled already.
   *
   * @returns Whether it was still pending.
   */
  cancel(): boolean {
    if (this.#entry === null) return false;
    const removed = this.#queue.remove(this.#entry);
    this.#entry = null;
    return removed;
  }
}

/**
 * A callback run every `ms` milliseconds while its {@linkcode Loop} runs: pyzmq's (Tornado's)
 * `PeriodicCallback`. `start()` schedules the first call `ms` from now, `stop()` cancels the
 * next; it can be started again. The beats keep to the schedule: a call that is late does not
 * shift the next ones, beats missed while the loop was stopped are not made up (one call when
 * it runs again, then on schedule), a beat due while the previous call (a promise) is still
 * running is skipped, so calls never overlap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Loop, PeriodicCallback } from "../mod.ts";
 * const loop = new Loop();
 * let beats = 0;
 * const heartbeat = new PeriodicCallback(() => {
 *   beats++;
 *   if (beats === 3) loop.stop();
 * }, 10, loop);
 * heartbeat.start();
 * await loop.run();
 * heartbeat.stop();
 * assert.equal(beats, 3);
 * ```
 */
export class PeriodicCallback {
  /** The interval, in ms. */
  readonly ms: number;
  #queue: TimerQueue;
  #callback: TimerCallback;
  #entry: Entry | null = null;
  #busy = false;

  /**
   * A periodic callback on `loop` (default {@linkcode Loop.instance}); call `start()`.
   *
   * @param callback Called every `ms` while started and the loop runs.
   * @param ms The interval in ms.
   * @param loop The loop it runs on.
   * @default {Loop.instance()}
   * @throws {ZmqError} `EBADVALUE` for an interval or callback that is not one.
   */
  constructor(callback: TimerCallback, ms: number, loop: Loop = Loop.instance()) {
    this.#queue = queueOf(loop, "PeriodicCallback");
    checkCallback(callback, "PeriodicCallback");
    this.ms = checkMs(ms, "PeriodicCallback");
    if (ms === 0) {
      throw badValue("PeriodicCallback: the interval must be above 0 ms", {
        op: "PeriodicCallback",
      });
    }
    this.#callback = callback;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#entry !== null;
  }

  /** Starts the beats: the first `ms` from now. Starting a running one does nothing. */
  start(): void {
    if (this.#entry === null) this.#schedule(performance.now() + this.ms);
  }

  /** Stops the beats: no call after this one (a call in progress finishes). */
  stop(): void {
    if (this.#entry === null) return;
    this.#queue.remove(this.#entry);
    this.#entry = null;
  }

  #schedule(due: number): void {
    this.#entry = this.#queue.add(due, (host) => this.#beat(due, host));
  }

  #beat(due: number, host: TimerHost): void {
    // the next beat on the schedule that is still ahead: late or skipped beats do not drift it
    const now = performance.now();
    const next = due + this.ms * Math.max(1, Math.ceil((now - due) / this.ms));
    this.#schedule(next > now ? next : next + this.ms);
    if (this.#busy) return; // the previous call is still running: skip this beat
    let result: unknown;
    try {
      result = this.#callback();
    } catch (error) {
      host.report(error, this);
      return;
    }
    if (result instanceof Promise) {
      this.#busy = true;
      host.track(
        result.then(() => {}, (error) => host.report(error, this)).finally(() => {
          this.#busy = false;
        }),
      );
    }
  }
}
