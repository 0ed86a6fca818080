// How the reliable patterns' long-running loops stop: close() (resolves) or the caller's
// AbortSignal (rejects with its reason), and how they wait.
import { closedError, zmqError } from "../core/errors.ts";
export { delay } from "../core/_util.ts";

/** One signal that aborts when either the owner's stopper or the caller's signal does. */
export function stopSignal(stopper: AbortSignal, signal?: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([stopper, signal]) : stopper;
}

/**
 * Runs a loop that ends by throwing when `stop` aborts: resolves if it was the owner's close
 * (`stopper`), rejects with the caller's abort reason if it was `signal`, and passes any other
 * failure on.
 */
export async function untilStopped(
  loop: Promise<void>,
  stopper: AbortSignal,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await loop;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (stopper.aborted) return;
    throw error;
  }
}

/** True if the loop's stop signal caused `error` (and so it is no failure). */
export function isAbort(error: unknown, stop: AbortSignal): boolean {
  return stop.aborted && (error === stop.reason ||
    (error instanceof DOMException && error.name === "AbortError"));
}

/**
 * The life of a broker, queue or server loop: one `run` at a time (`EBUSY` otherwise), `close`
 * stops it and waits (later runs reject with `ECLOSED`); `run` resolves when closed and rejects
 * with the caller's abort reason when its signal aborts.
 */
export class Runner {
  #name: string;
  #stopper = new AbortController();
  #running: Promise<void> | null = null;

  /** `name` is used in errors: "MajordomoBroker", ... */
  constructor(name: string) {
    this.#name = name;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#stopper.signal.aborted;
  }

  /** Runs `loop(stop)`, where `stop` aborts on close() or on the caller's `signal`. */
  run(loop: (stop: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const op = `${this.#name}.run`;
    if (this.#running) {
      return Promise.reject(
        zmqError("EBUSY", `The ${this.#name} is already running`, { op }),
      );
    }
    if (this.closed) {
      return Promise.reject(closedError(`The ${this.#name} is closed`, { op }));
    }
    const stopper = this.#stopper.signal;
    this.#running = untilStopped(loop(stopSignal(stopper, signal)), stopper, signal).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Stops the loop and waits until it has ended. */
  async close(): Promise<void> {
    this.#stopper.abort();
    await this.#running?.catch(() => {});
  }
}
