// How the reliable patterns' long-running loops stop: close() (resolves) or the caller's
// AbortSignal (rejects with its reason), and how they wait.
export { delay } from "../patterns/_open.ts";

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
