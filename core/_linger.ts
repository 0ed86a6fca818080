// LINGER: how long a closed socket's unsent messages keep the context's termination waiting.
//
// libzmq's default, -1, waits for ever (pyzmq and zeromq.js keep it); CZMQ sets 0, which drops
// a message sent just before close even to a peer that is there. This library takes a middle
// course: DEFAULT_LINGER_MS, long enough for a live peer to receive what was queued (flushing
// a million small messages over tcp takes about a second here), short enough that a program
// whose peer never came still ends. A termination that waits longer than LATE_MS says once, on
// stderr, which sockets may hold unsent messages and how to drop them.

/** LINGER given to every new socket unless its Context sets `linger` (ms). */
export const DEFAULT_LINGER_MS = 5000;
/** A termination that waits longer than this (ms) prints what it waits for. */
export const LATE_MS = 3000;

/** A closed socket that may still hold unsent messages. */
export interface LingeringSocket {
  type: string;
  /** What it was bound and connected to (the last few). */
  endpoints: string[];
  /** Messages sent since it was opened: an upper bound of what may be unsent. */
  sent: number;
  /** Its LINGER when it was closed (ms, -1: for ever). */
  linger: number;
}

const KEPT = 16;

/** The sockets of one context that were closed with LINGER and messages sent. */
export class LingerRecord {
  #kept: LingeringSocket[] = [];
  #more = 0;

  /** Notes a socket closed with `linger` after sending `sent` messages. */
  add(socket: LingeringSocket): void {
    if (socket.sent === 0 || socket.linger === 0) return;
    if (this.#kept.length < KEPT) this.#kept.push(socket);
    else this.#more++;
  }

  /**
   * The warning a late termination prints; `foreign`: the types of the sockets other isolates
   * left open, which this one closed.
   */
  report(waitedMs: number, foreign: string[]): string {
    const lines = [
      `zmq: terminating a context has waited ${Math.round(waitedMs / 1000)} s for unsent ` +
      "messages (LINGER). Sockets that may still hold some:",
    ];
    for (const s of this.#kept) {
      const where = s.endpoints.length ? ` on ${s.endpoints.join(", ")}` : "";
      const linger = s.linger < 0 ? "LINGER -1 (for ever)" : `LINGER ${s.linger} ms`;
      lines.push(`  ${s.type}${where}: ${s.sent} message(s) sent, ${linger}`);
    }
    if (this.#more > 0) lines.push(`  and ${this.#more} more socket(s)`);
    if (foreign.length > 0) {
      lines.push(`  and sockets other isolates left open, closed here: ${foreign.join(", ")}`);
    }
    if (this.#kept.length === 0 && this.#more === 0 && foreign.length === 0) {
      lines.push("  (none known to this isolate: sockets of other isolates, or disconnect())");
    }
    lines.push(
      "To drop them: close with { linger: 0 } (ctx.close({ linger: 0 }), " +
        "ctx.terminate({ linger: 0 })), or give the Context a shorter linger; " +
        "set LINGER before disconnect() or unbind() too.",
    );
    return lines.join("\n");
  }
}
