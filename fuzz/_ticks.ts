// Counting operations between macrotasks: how the fuzzers see event-loop starvation.

/** Counts receives (or sends) in a row between macrotasks; `worst` is the longest run seen. */
export class TickCounter {
  #since = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The most operations seen in a row without a timer running. */
  worst = 0;

  /** Starts counting (a zero-delay timer chain marks each macrotask). */
  constructor() {
    const tick = () => {
      this.#since = 0;
      this.#timer = setTimeout(tick, 0);
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** One more operation. */
  bump(): void {
    this.worst = Math.max(this.worst, ++this.#since);
  }

  /** Stops the timer chain. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
