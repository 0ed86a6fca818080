// Helpers of the reliable-pattern tests: bounded waits for a condition or an event.

/** Polls `condition` every 10 ms; rejects naming `what` after `timeout` ms. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeout = 5000,
): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects events (pass `log.push` as an onEvent) and waits for one that matches. */
export class EventLog<E extends { type: string }> {
  readonly events: E[] = [];
  #waiters: { match: (e: E) => boolean; resolve: (e: E) => void }[] = [];

  /** Records an event (bound: pass it as a callback). */
  push = (event: E): void => {
    this.events.push(event);
    for (const w of this.#waiters.filter((w) => w.match(event))) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve(event);
    }
  };

  /** The first event of `type` (after `since` events) that matches, within `timeout` ms. */
  wait(type: E["type"], timeout = 5000, since = 0, match: (e: E) => boolean = () => true) {
    const ok = (e: E) => e.type === type && match(e);
    const seen = this.events.slice(since).find(ok);
    if (seen) return Promise.resolve(seen);
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<E>((resolve, reject) => {
      const waiter = { match: ok, resolve };
      this.#waiters.push(waiter);
      timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} event within ${timeout} ms`));
      }, timeout);
    }).finally(() => clearTimeout(timer));
  }
}
