// How the reliable patterns' long-running loops run and stop, as Services: stop() (run()
// resolves) or the caller's AbortSignal (run() rejects with its reason), and how they wait.
import type { Service } from "../core/service.ts";
import { zmqError } from "../core/errors.ts";
export { delay } from "../core/_util.ts";

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
 * The serving loop behind a broker, queue, server or worker (the background work of a
 * {@linkcode Service}): `start` runs `loop(stop)`, `stop` aborts `stop` and waits until the loop
 * has ended. The loop ends by throwing once `stop` aborts, which is no failure; any other end
 * is reported to `ended`.
 */
export class ServingLoop {
  #stopper = new AbortController();
  #loop: Promise<void> | null = null;

  /** Runs `loop` in the background; tells `ended` how it ended, unless it was `stop`ped. */
  start(
    loop: (stop: AbortSignal) => Promise<void>,
    ended: (...failure: [] | [unknown]) => void,
  ): void {
    const stopper = this.#stopper.signal;
    const running = untilStopped(loop(stopper), stopper);
    this.#loop = running;
    running.then(() => ended(), (error) => ended(error));
  }

  /** Stops the loop and waits until it has ended (whatever it ended with). */
  async stop(): Promise<void> {
    this.#stopper.abort();
    await this.#loop?.catch(() => {});
  }
}

/**
 * The `run(signal)` of the reliable patterns' services: starts `service` and waits until it has
 * ended. Rejects with `EBUSY` if it already runs, `ECLOSED` once stopped, the caller's reason
 * when `signal` aborts (which stops the service), and the failure that ended it otherwise.
 */
export async function runUntilStopped(
  service: Service,
  name: string,
  signal?: AbortSignal,
  start: () => Promise<unknown> = () => service.start(),
): Promise<void> {
  if (service.running) {
    throw zmqError("EBUSY", `The ${name} is already running`, { op: `${name}.run` });
  }
  signal?.throwIfAborted();
  const onAbort = () => void service.stop();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await start();
    await service.done;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (signal?.aborted) throw signal.reason;
}
