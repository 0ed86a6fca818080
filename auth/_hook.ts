// Runs the user's onDecision hook on a decision before it is answered. The hook sees a frozen
// copy, so it cannot change the answer; if it throws, rejects or runs out of time, the peer is
// refused (status 500) and the failure is reported. A hook that ran out of time is then left out
// for a while (as long as it overran, doubling while it keeps overrunning, at most a minute) and
// requests are refused without it, so that a hook that blocks the JS thread leaves it free at
// least half of the time, and a hung backend is not handed a new call per handshake.
import type { ZmqError } from "../core/mod.ts";
import { zmqError } from "../core/errors.ts";
import type { ZapDecision } from "./_zap.ts";

/** The longest a hook is left out after it ran out of time, in ms. */
const MAX_SUSPENSION_MS = 60_000;
/** Without an onError, failures are printed once, then at most once per this many ms. */
const PRINT_EVERY_MS = 10_000;

/** A hook and how its failures are reported. */
export interface HookOptions {
  onDecision: (decision: Readonly<ZapDecision>) => unknown;
  onError?: (error: ZmqError, decision: Readonly<ZapDecision>) => void;
  timeout: number;
}

function describeCause(e: unknown): string {
  if (e instanceof Error) return e.name;
  return e === null ? "null" : typeof e;
}

function hookError(code: "EHOOK" | "ETIMEDOUT", detail: string, cause?: unknown): ZmqError {
  return zmqError(code, detail, { op: "onDecision" }, cause);
}

/** Calls the hook; answers the decision to send, now or once the hook settled. */
export class DecisionHook {
  #options: HookOptions;
  #suspendedUntil = 0;
  #overruns = 0;
  #lastPrint = -Infinity;
  #unprinted = 0;

  constructor(options: HookOptions) {
    this.#options = options;
  }

  /** Runs the hook on `decision`; `signal` aborts the wait (the answer is no longer wanted). */
  run(decision: ZapDecision, signal: AbortSignal): ZapDecision | Promise<ZapDecision> {
    const left = this.#suspendedUntil - performance.now();
    if (left > 0) {
      return this.#fail(
        decision,
        hookError(
          "EHOOK",
          `onDecision is left out for another ${Math.ceil(left)} ms after it ran out of time; ` +
            "the peer was refused",
        ),
      );
    }
    const { onDecision, timeout } = this.#options;
    const started = performance.now();
    let result: unknown;
    try {
      result = onDecision(Object.freeze({ ...decision }));
    } catch (e) {
      return this.#fail(decision, hookError("EHOOK", this.#failed("threw", e), e));
    }
    const blocked = performance.now() - started;
    if (blocked > timeout) {
      this.#overran(blocked);
      return this.#fail(
        decision,
        hookError(
          "ETIMEDOUT",
          `onDecision blocked the JS thread for ${Math.round(blocked)} ms (hookTimeout ${timeout}` +
            " ms); the peer was refused",
        ),
      );
    }
    let then: unknown;
    try {
      then = (result as { then?: unknown } | null | undefined)?.then;
    } catch (e) {
      return this.#fail(decision, hookError("EHOOK", this.#failed("threw", e), e));
    }
    if (typeof then !== "function") {
      this.#overruns = 0;
      return decision;
    }
    return this.#await(result as PromiseLike<unknown>, decision, signal, timeout - blocked);
  }

  #await(
    result: PromiseLike<unknown>,
    decision: ZapDecision,
    signal: AbortSignal,
    remaining: number,
  ): Promise<ZapDecision> {
    const { timeout } = this.#options;
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer: () => ZapDecision) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(answer());
      };
      const onAbort = () => finish(() => decision); // nobody waits for it any more
      const timer = setTimeout(() =>
        finish(() => {
          this.#overran(timeout);
          return this.#fail(
            decision,
            hookError(
              "ETIMEDOUT",
              `onDecision did not settle within hookTimeout (${timeout} ms); the peer was refused`,
            ),
          );
        }), Math.max(0, remaining));
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(result).then(
        () =>
          finish(() => {
            this.#overruns = 0;
            return decision;
          }),
        (e) => {
          const error = hookError("EHOOK", this.#failed("rejected", e), e);
          if (done) this.#report(error, this.#refused(decision, error)); // late, but a failure
          finish(() => this.#fail(decision, error));
        },
      );
    });
  }

  #failed(how: string, e: unknown): string {
    return `onDecision ${how} (${describeCause(e)}; see the error's cause); the peer was refused`;
  }

  /** Leaves the hook out for a while after it ran `elapsed` ms too long. */
  #overran(elapsed: number): void {
    const now = performance.now();
    if (now < this.#suspendedUntil) return; // already left out: one overrun per suspension
    this.#suspendedUntil = now + Math.min(MAX_SUSPENSION_MS, elapsed * 2 ** this.#overruns);
    this.#overruns++;
  }

  #refused(decision: ZapDecision, error: ZmqError): ZapDecision {
    return { ...decision, allowed: false, status: 500, reason: error.message, userId: "" };
  }

  #fail(decision: ZapDecision, error: ZmqError): ZapDecision {
    const refused = this.#refused(decision, error);
    this.#report(error, refused);
    return refused;
  }

  #report(error: ZmqError, decision: ZapDecision): void {
    const { onError } = this.#options;
    if (onError) {
      try {
        const r = onError(error, Object.freeze({ ...decision })) as unknown;
        (r as Promise<unknown> | undefined)?.then?.(undefined, () => {});
      } catch {
        // a failing error handler has nobody left to tell
      }
      return;
    }
    const now = performance.now();
    if (now - this.#lastPrint < PRINT_EVERY_MS) {
      this.#unprinted++;
      return;
    }
    const more = this.#unprinted > 0 ? ` (${this.#unprinted} more since the last report)` : "";
    this.#lastPrint = now;
    this.#unprinted = 0;
    console.error(`Authenticator: ${error.message}${more}; pass onError to handle these`);
  }
}
