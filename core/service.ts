/**
 * The one lifecycle of every background service of this library: a proxy, a device, a
 * monitored queue, an authenticator, a stream loop, the reliable patterns' brokers, queues,
 * servers and workers, the fault relay. Each extends {@linkcode Service}.
 *
 * @module
 */
import { closedError } from "./errors.ts";

type Phase = "idle" | "starting" | "running" | "stopping" | "ended";

/** Options of a {@linkcode Service}, given by the class that extends it. */
export interface ServiceOptions {
  /**
   * Whether `start()` may begin a new run after the service ended (a stream loop, an
   * authenticator). Otherwise a service runs once and `start()` after `stop()` rejects with
   * `ECLOSED`.
   *
   * @default {false}
   */
  restartable?: boolean;
  /**
   * Whether the service reports its own end with `ended()` after `onStop`, instead of ending
   * when `onStop` resolves: for a stream loop, whose `stop()` may be awaited by one of its own
   * callbacks, so it cannot wait for them; its `done` does.
   *
   * @default {false}
   */
  endsItself?: boolean;
}

/**
 * A service that runs in the background, with one contract for all of them (CZMQ's `zactor`:
 * ready once started, its destructor waits until it has ended):
 *
 * - {@linkcode Service.start} resolves with the service once it is ready: bound, connected,
 *   serving. Services that are ready once constructed (a proxy, a device, a relay) answer at
 *   once. Starting a started service answers the same promise.
 * - {@linkcode Service.done} settles once the service has ended: it resolves after
 *   {@linkcode Service.stop}, and rejects with the failure that ended it otherwise (a failure
 *   while starting too). It is a promise from the start, and an unobserved failure is not an
 *   unhandled rejection.
 * - {@linkcode Service.stop} ends the service and resolves once it has ended and let go of
 *   everything it held (sockets, Workers, pending calls). It is idempotent and never rejects:
 *   call it from `finally` or a disposer without masking anything. How it ended is `done`'s.
 * - `await using` stops it (`[Symbol.asyncDispose]` is `stop`).
 * - {@linkcode Service.running} is true from ready until stopping or ending.
 *
 * A class that extends it implements `onStart` (what makes it ready; nothing if its
 * constructor did that and called `markStarted`), `onStop` (what ends it and lets go of what it
 * holds: called by the first `stop()` after each start, even after the service ended by
 * itself, and by a `stop()` of a service never started, which may hold what its constructor
 * opened), and calls `ended(error)` when it ends by itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Service } from "./service.ts";
 *
 * class Ticker extends Service {
 *   ticks = 0;
 *   #timer?: ReturnType<typeof setInterval>;
 *   constructor() {
 *     super("Ticker");
 *   }
 *   protected override onStart(): void {
 *     this.#timer = setInterval(() => this.ticks++, 1);
 *   }
 *   protected override onStop(): void {
 *     clearInterval(this.#timer);
 *   }
 * }
 *
 * await using ticker = await new Ticker().start();
 * assert.equal(ticker.running, true);
 * await ticker.stop();
 * await ticker.stop(); // idempotent
 * await ticker.done; // resolved: it was stopped
 * assert.equal(ticker.running, false);
 * await assert.rejects(ticker.start(), { code: "ECLOSED" }); // it runs once
 * ```
 */
export abstract class Service implements AsyncDisposable {
  #name: string;
  #restartable: boolean;
  #endsItself: boolean;
  #phase: Phase = "idle";
  #starting: Promise<this> | null = null;
  #stopping: Promise<void> | null = null;
  /** onStop is owed: by construction (what the constructor holds), then once per start. */
  #owed = true;
  #done = deferred();

  /**
   * Sets the service up, not started.
   *
   * @param name The class's name, for errors (`"SteerableProxy"`, ...).
   * @param options Whether it may start again after it ended.
   */
  protected constructor(name: string, options: ServiceOptions = {}) {
    this.#name = name;
    this.#restartable = options.restartable === true;
    this.#endsItself = options.endsItself === true;
  }

  /** True from the moment the service is ready until it stops or ends. */
  get running(): boolean {
    return this.#phase === "running";
  }

  /**
   * Settles once the service has ended: resolves after {@linkcode Service.stop}, rejects with
   * the failure that ended it. For a service that starts again, the current (or last) run's.
   */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  /**
   * Starts the service.
   *
   * @returns The service, once it is ready (the same promise while it starts or runs).
   * @throws {ZmqError} Rejects with `ECLOSED` once a service that runs once was stopped, and
   * with the failure that kept it from starting (which `done` then rejects with too).
   */
  start(): Promise<this> {
    if (this.#phase === "starting" || this.#phase === "running") return this.#starting!;
    if (this.#phase === "stopping" || this.#phase === "ended") {
      if (!this.#restartable) {
        return Promise.reject(
          closedError(`The ${this.#name} was stopped`, {
            op: `${this.#name}.start`,
          }),
        );
      }
      if (this.#phase === "stopping") {
        // a new run begins once the last one has ended
        const again = () => this.start();
        return this.#done.promise.then(again, again);
      }
      this.#done = deferred();
      this.#stopping = null;
    }
    this.#phase = "starting";
    this.#owed = true;
    let started: void | Promise<void>;
    try {
      started = this.onStart();
    } catch (error) {
      return this.#starting = this.#failStart(error);
    }
    if (!(started instanceof Promise)) {
      this.#phase = "running";
      return this.#starting = Promise.resolve(this);
    }
    return this.#starting = started.then(() => {
      if (this.#phase === "starting") this.#phase = "running";
      return this;
    }, (error) => this.#failStart(error));
  }

  /**
   * Ends the service and waits until it has let go of everything it held. Idempotent; never
   * rejects (a failure is reported by {@linkcode Service.done}).
   *
   * @returns A promise that resolves once the service has ended.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Stops the service (for `await using`): the same as {@linkcode Service.stop}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * What makes the service ready; may be async. Throwing (or rejecting) fails the start.
   * Nothing by default, for services whose constructor made them ready.
   */
  protected onStart(): void | Promise<void> {}

  /**
   * What ends the service and lets go of what it holds. Called once per start, by the first
   * `stop()` after it, also when the service ended by itself, and by the `stop()` of a service
   * never started (it must cope with that). Its failure goes to `done`.
   */
  protected abstract onStop(): void | Promise<void>;

  /**
   * For a constructor that made the service ready itself: marks it running without
   * `onStart`.
   */
  protected markStarted(): void {
    if (this.#phase !== "idle") return;
    this.#phase = "running";
    this.#owed = true;
    this.#starting = Promise.resolve(this);
  }

  /**
   * Reports that the service ended by itself: `done` resolves (no `error`) or rejects with
   * `error`, and `running` turns false. A later `stop()` still calls `onStop` to let go of
   * what the service holds. Only the first report counts.
   *
   * @param failure What ended it, if it failed (any value, `undefined` too, counts).
   */
  protected ended(...failure: [] | [unknown]): void {
    if (this.#done.settled) return;
    this.#phase = "ended";
    this.#done.settle(...failure);
  }

  #failStart(error: unknown): Promise<never> {
    this.ended(error);
    return Promise.reject(error);
  }

  /** Calls onStop at once (synchronously up to its first await) unless a start is settling. */
  #stop(): Promise<void> {
    if (this.#phase === "starting") {
      return this.#starting!.then(() => this.#end(), () => this.#end());
    }
    return this.#end();
  }

  #end(): Promise<void> {
    // a service that reports its own end has no run to report on when it never started
    const reportsEnd = this.#endsItself && this.#phase !== "idle";
    if (this.#phase === "running" || this.#phase === "idle") this.#phase = "stopping";
    if (!this.#owed) {
      this.ended();
      return Promise.resolve();
    }
    this.#owed = false;
    let stopping: void | Promise<void>;
    try {
      stopping = this.onStop();
    } catch (error) {
      stopping = Promise.reject(error);
    }
    return Promise.resolve(stopping).then(() => {
      if (!reportsEnd) this.ended();
    }, (error) => this.ended(error));
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly settled: boolean;
  /** Resolves with no argument, rejects with the one given. */
  settle(...failure: [] | [unknown]): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // reported to whoever awaits it, never as unhandled
  let settled = false;
  return {
    promise,
    get settled() {
      return settled;
    },
    settle(...failure: [] | [unknown]) {
      if (settled) return;
      settled = true;
      if (failure.length === 0) resolve();
      else reject(failure[0]);
    },
  };
}
