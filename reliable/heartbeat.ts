import type { Socket } from "../core/socket.ts";
import { checkInteger } from "../core/_util.ts";

/** ZMTP heartbeat settings for {@linkcode setZmtpHeartbeats}, in milliseconds. */
export interface ZmtpHeartbeatOptions {
  /** Send a ZMTP PING on every connection of the socket this often (`HEARTBEAT_IVL`). */
  interval: number;
  /**
   * Close a connection when nothing (no PONG, no message) arrived on it for this long after a
   * PING (`HEARTBEAT_TIMEOUT`). Default: `interval`, as in libzmq.
   */
  timeout?: number;
  /**
   * Ask the peer to close the connection when it hears nothing from this socket for this long
   * (`HEARTBEAT_TTL`, sent in each PING; libzmq keeps whole deciseconds, up to 6553599 ms).
   * Default: 0, the peer decides by its own settings.
   */
  ttl?: number;
}

/** The largest `HEARTBEAT_TTL` libzmq takes: 65535 deciseconds. */
export const MAX_HEARTBEAT_TTL = 6_553_599;

/**
 * Turns on ZMTP heartbeats (ZeroMQ RFC 37: PING/PONG commands, libzmq 4.2 and later) for every
 * connection of `socket`. libzmq then detects a peer that is gone without closing its TCP
 * connection (a frozen process, a pulled cable, a partition): after `timeout` ms without
 * traffic it closes the connection, a `disconnected` monitor event follows, and a connecting
 * socket reconnects. Call it before `bind`/`connect`: connections made earlier keep the old
 * settings. Throws a ZmqError `EBADVALUE` naming the option for a negative, fractional or too
 * large value.
 *
 * ZMTP heartbeats keep connections honest; they do not tell the application that its peer's
 * application is alive (a peer can answer PINGs while its JS thread is stuck). For that, use
 * application heartbeats ({@linkcode Liveness}), as the Paranoid Pirate and Majordomo
 * patterns do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, setZmtpHeartbeats } from "../mod.ts";
 * using ctx = new Context();
 * using dealer = ctx.socket("DEALER");
 * setZmtpHeartbeats(dealer, { interval: 1000, timeout: 3000, ttl: 5000 });
 * using router = ctx.socket("ROUTER");
 * dealer.connect(`tcp://127.0.0.1:${router.bindToRandomPort()}`);
 * assert.equal(dealer.getOption("HEARTBEAT_IVL"), 1000);
 * assert.equal(dealer.getOption("HEARTBEAT_TIMEOUT"), 3000);
 * assert.throws(() => setZmtpHeartbeats(dealer, { interval: 0 }), { code: "EBADVALUE" });
 * assert.throws(() => setZmtpHeartbeats(dealer, { interval: 1000, ttl: 1e7 }), { code: "EBADVALUE" });
 * ```
 *
 * @param socket The socket whose connections send ZMTP PINGs; set before `connect`/`bind`.
 * @param options `interval` (ms, at least 1), `timeout` (ms, default the interval) and `ttl`
 * (ms the peer may wait for our next PING, up to {@linkcode MAX_HEARTBEAT_TTL}; default 0).
 * @throws {ZmqError} `EBADVALUE` for a value that is not an integer in range.
 */
export function setZmtpHeartbeats(socket: Socket, options: ZmtpHeartbeatOptions): void {
  const op = "setZmtpHeartbeats";
  const interval = checkInteger(options?.interval, "interval", op, 1);
  const timeout = checkInteger(options.timeout ?? interval, "timeout", op, 1);
  const ttl = checkInteger(options.ttl ?? 0, "ttl", op, 0, MAX_HEARTBEAT_TTL);
  socket.setOption("HEARTBEAT_IVL", interval);
  socket.setOption("HEARTBEAT_TIMEOUT", timeout);
  socket.setOption("HEARTBEAT_TTL", ttl);
}

/** Settings of a {@linkcode Liveness}. */
export interface LivenessOptions {
  /** The agreed heartbeat interval in ms: the peer sends something at least this often. */
  interval: number;
  /**
   * How many intervals may pass in silence before the peer counts as dead. Default 3 (the
   * zguide's HEARTBEAT_LIVENESS; RFC 6 and 7 say 3 to 5).
   */
  liveness?: number;
}

/**
 * The application-heartbeat bookkeeping for one peer: every message from the peer (a
 * heartbeat or anything else) is a sign of life; a peer that stays silent for `liveness`
 * intervals is dead. Pure: it reads the clock only when asked, and the tests pass their own
 * clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Liveness } from "../mod.ts";
 * const peer = new Liveness({ interval: 1000, liveness: 3 }, 0);
 * peer.beat(500); // a message arrived at t = 500 ms
 * assert.equal(peer.alive(3000), true);
 * assert.equal(peer.alive(3501), false); // three silent intervals after the last beat
 * assert.equal(peer.deadline, 3500);
 * ```
 */
export class Liveness {
  /** The heartbeat interval in ms. */
  readonly interval: number;
  /** Silent intervals tolerated before the peer counts as dead. */
  readonly liveness: number;
  #last: number;

  /**
   * Starts counting at `now` (default `performance.now()`), as if the peer had just spoken.
   * Throws a ZmqError `EBADVALUE` for an interval below 1 ms or a liveness below 1.
   *
   * @param options `interval` in ms and `liveness`, the silent intervals tolerated (default 3).
   * @param now The clock's reading to start from.
   * @default {performance.now()}
   * @throws {ZmqError} `EBADVALUE` for an interval below 1 ms or a liveness outside 1 to 1000.
   */
  constructor(options: LivenessOptions, now: number = performance.now()) {
    this.interval = checkInteger(options?.interval, "interval", "Liveness", 1);
    this.liveness = checkInteger(options.liveness ?? 3, "liveness", "Liveness", 1, 1000);
    this.#last = now;
  }

  /**
   * Records a sign of life at `now`.
   *
   * @param now When the peer was heard from.
   * @default {performance.now()}
   */
  beat(now: number = performance.now()): void {
    if (now > this.#last) this.#last = now;
  }

  /** When the peer was last heard from. */
  get lastHeard(): number {
    return this.#last;
  }

  /** The time after which the peer counts as dead, unless it speaks first. */
  get deadline(): number {
    return this.#last + this.interval * this.liveness;
  }

  /**
   * True while the deadline has not passed at `now`.
   *
   * @param now The clock's reading to judge by.
   * @default {performance.now()}
   * @returns Whether the peer spoke within `liveness` intervals before `now`.
   */
  alive(now: number = performance.now()): boolean {
    return now <= this.deadline;
  }
}

/** Settings of a {@linkcode Backoff}. */
export interface BackoffOptions {
  /** The first delay in ms. Default 1000 (the zguide's INTERVAL_INIT). */
  initial?: number;
  /** The delay never grows past this. Default 32000 (the zguide's INTERVAL_MAX). */
  max?: number;
}

/**
 * Exponential backoff for reconnecting: each {@linkcode Backoff.next} answers the delay to
 * wait and doubles the next one, up to `max`; {@linkcode Backoff.reset} after a success.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Backoff } from "../mod.ts";
 * const backoff = new Backoff({ initial: 100, max: 350 });
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 350, 350]);
 * backoff.reset();
 * assert.equal(backoff.next(), 100);
 * ```
 */
export class Backoff {
  /** The first delay in ms. */
  readonly initial: number;
  /** The largest delay in ms. */
  readonly max: number;
  #current: number;

  /**
   * Throws a ZmqError `EBADVALUE` for delays that are not integers >= 0 or `max < initial`.
   *
   * @param options `initial` (default 1000) and `max` (default 32000) delays in ms.
   * @throws {ZmqError} `EBADVALUE` for delays that are not integers >= 0, or `max < initial`.
   */
  constructor(options: BackoffOptions = {}) {
    this.initial = checkInteger(options.initial ?? 1000, "initial", "Backoff", 0);
    this.max = checkInteger(options.max ?? 32000, "max", "Backoff", this.initial);
    this.#current = this.initial;
  }

  /**
   * Answers the delay to wait now, and doubles the next one (up to `max`).
   *
   * @returns The delay to wait now, in ms.
   */
  next(): number {
    const delay = this.#current;
    this.#current = Math.min(this.max, Math.max(1, this.#current * 2));
    return delay;
  }

  /** Starts again from `initial` (call it once the peer answers). */
  reset(): void {
    this.#current = this.initial;
  }
}
