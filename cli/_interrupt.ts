// Ctrl-C: the first SIGINT aborts the command's signal so it closes its sockets and ends (exit
// 130); a second one, or one while the context is already terminating, exits at once.

/** The exit code after Ctrl-C (128 + SIGINT), whatever the command was doing. */
export const INTERRUPTED = 130;

/** Owns the SIGINT listener for one command run; dispose it when the command ends. */
export class Interrupt implements Disposable {
  readonly #controller = new AbortController();
  #listening = false;
  /** Set when nothing is left to clean up gracefully: the next Ctrl-C exits at once. */
  finishing = false;

  /** Starts listening for SIGINT. */
  constructor() {
    try {
      Deno.addSignalListener("SIGINT", this.#onSignal);
      this.#listening = true;
    } catch {
      // no signal support here: Ctrl-C then ends the process the default way
    }
  }

  /** Aborted by the first Ctrl-C. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.#controller.signal.aborted;
  }

  #onSignal = () => {
    if (this.interrupted || this.finishing) Deno.exit(INTERRUPTED);
    this.#controller.abort(new DOMException("Interrupted", "AbortError"));
  };

  /** Stops listening. */
  [Symbol.dispose](): void {
    if (this.#listening) Deno.removeSignalListener("SIGINT", this.#onSignal);
    this.#listening = false;
  }
}

export { aborted as whenAborted, delay } from "../core/_util.ts";
