import { Service } from "../core/service.ts";
import { badValue } from "../core/errors.ts";
import { delay } from "../core/_util.ts";

/** Where a {@linkcode FaultRelay} listens and where it forwards to. */
export interface FaultRelayOptions {
  /** The address to forward to: `"host:port"`, `"tcp://host:port"` or `{ hostname, port }`. */
  target: string | { hostname: string; port: number };
  /** Where to listen. Default `127.0.0.1` on a free port. */
  listen?: { hostname?: string; port?: number };
}

/** What a {@linkcode FaultRelay} does with traffic right now. */
export type RelayMode = "pass" | "frozen" | "partitioned";

/** Counters of a {@linkcode FaultRelay}. */
export interface RelayStats {
  /** Connections accepted since the relay started. */
  accepted: number;
  /** Connections open now (held ones included). */
  active: number;
  /** Connections closed by {@linkcode FaultRelay.cut}. */
  cut: number;
  /** Bytes forwarded from the connecting side to the target. */
  bytesUp: number;
  /** Bytes forwarded from the target back to the connecting side. */
  bytesDown: number;
}

interface Link {
  client: Deno.TcpConn;
  upstream: Deno.TcpConn | null;
  /** Aborts the link's waits when it closes. */
  closing: AbortController;
}

const CHUNK = 64 * 1024;
/** A direction stops reading while this much delayed data waits to be written. */
const MAX_IN_FLIGHT = 1 << 20;

/**
 * A TCP relay that injects faults on purpose, for tests and examples: put it between two
 * ZeroMQ peers (connect to {@linkcode FaultRelay.endpoint} instead of the real one) and
 * switch it while they talk.
 *
 * - {@linkcode FaultRelay.pass}: forwards everything at once (the start state).
 * - {@linkcode FaultRelay.delay}: adds latency to every chunk, both ways, order kept.
 * - {@linkcode FaultRelay.freeze}: stops forwarding and reading, both ways, without closing:
 *   the peers see a silent, open connection (a frozen process, a dead route).
 * - {@linkcode FaultRelay.cut}: closes every open connection at once (both peers see it
 *   drop; Deno cannot send a TCP reset, so they see an orderly close); new ones pass.
 * - {@linkcode FaultRelay.partition}: frozen, and new connections are accepted but held, so
 *   nothing gets through in either direction until {@linkcode FaultRelay.heal}.
 * - {@linkcode FaultRelay.heal}: back to passing; what was held goes through.
 *
 * Needs `--allow-net`. There is no `tc netem` here; this is the userspace equivalent.
 *
 * A {@linkcode Service}: {@linkcode FaultRelay.start} answers a relay that listens already
 * (`relay.start()` answers it too), `stop()` stops listening, closes every connection and
 * resolves once all relaying has ended, `done` settles then, `await using` stops it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * import { FaultRelay } from "./mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * using rep = ctx.socket("REP");
 * const port = rep.bindToRandomPort();
 * await using relay = FaultRelay.start({ target: `127.0.0.1:${port}` });
 * using req = ctx.socket("REQ");
 * req.connect(relay.endpoint);
 * await req.send("through the relay");
 * assert.equal(await rep.recvString({ timeout: 5000 }), "through the relay");
 * assert.equal(relay.stats.accepted, 1);
 * relay.freeze(); // from here on nothing passes, and nobody is told
 * assert.equal(relay.mode, "frozen");
 * ```
 */
export class FaultRelay extends Service {
  /** The host the relay forwards to. */
  readonly targetHost: string;
  /** The port the relay forwards to. */
  readonly targetPort: number;
  #listener: Deno.TcpListener;
  #links = new Set<Link>();
  #mode: RelayMode = "pass";
  #delay = 0;
  #thaw: { promise: Promise<void>; resolve: () => void } | null = null;
  #accepting: Promise<void>;
  #stats: RelayStats = { accepted: 0, active: 0, cut: 0, bytesUp: 0, bytesDown: 0 };

  private constructor(options: FaultRelayOptions) {
    super("FaultRelay");
    const [host, port] = parseTarget(options?.target);
    this.targetHost = host;
    this.targetPort = port;
    this.#listener = Deno.listen({
      hostname: options.listen?.hostname ?? "127.0.0.1",
      port: options.listen?.port ?? 0,
    });
    this.#accepting = this.#accept();
    this.markStarted();
  }

  /**
   * Starts a relay listening on `options.listen` (default a free port on 127.0.0.1) that
   * forwards to `options.target`.
   *
   * @param options Where to forward to and where to listen.
   * @returns The relay, listening.
   * @throws {ZmqError} `EBADVALUE` for a malformed target; Deno's error if the listen address is
   * taken.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FaultRelay } from "./mod.ts";
   * await using relay = FaultRelay.start({ target: "tcp://127.0.0.1:5555" });
   * assert.equal(relay.targetPort, 5555);
   * assert.equal(relay.mode, "pass");
   * ```
   */
  static start(options: FaultRelayOptions): FaultRelay {
    return new FaultRelay(options);
  }

  /** The port the relay listens on. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** The relay's address as a ZeroMQ endpoint, e.g. `"tcp://127.0.0.1:40123"`. */
  get endpoint(): string {
    return `tcp://${this.#listener.addr.hostname}:${this.port}`;
  }

  /** What the relay does now. */
  get mode(): RelayMode {
    return this.#mode;
  }

  /** Counters since the relay started. */
  get stats(): RelayStats {
    return { ...this.#stats, active: this.#links.size };
  }

  /** Forwards everything, with no added delay. */
  pass(): void {
    this.#delay = 0;
    this.heal();
  }

  /**
   * Adds `ms` of latency to every chunk in both directions (0 removes it).
   *
   * @param ms Milliseconds added to each chunk: an integer, 0 to 2^31 - 1.
   * @throws {ZmqError} `EBADVALUE` for anything else.
   */
  delay(ms: number): void {
    if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > 2 ** 31 - 1) {
      throw badValue(`delay must be an integer of ms >= 0; got ${ms}`, {
        op: "FaultRelay.delay",
      });
    }
    this.#delay = ms;
  }

  /** Stops forwarding both ways; connections stay open and silent. */
  freeze(): void {
    this.#setMode("frozen");
  }

  /** Frozen, and new connections are held unforwarded until {@linkcode FaultRelay.heal}. */
  partition(): void {
    this.#setMode("partitioned");
  }

  /** Forwards again: held data and held connections go through. */
  heal(): void {
    this.#setMode("pass");
  }

  /** Closes every open connection now; later connections are relayed as the mode says. */
  cut(): void {
    for (const link of [...this.#links]) {
      this.#stats.cut++;
      this.#close(link);
    }
  }

  #setMode(mode: RelayMode): void {
    this.#mode = mode;
    if (mode === "pass") {
      this.#thaw?.resolve();
      this.#thaw = null;
    } else if (!this.#thaw) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => resolve = r);
      this.#thaw = { promise, resolve };
    }
  }

  /** Waits while the relay is frozen or partitioned; rejects when the link closes. */
  #whenOpen(signal: AbortSignal): Promise<void> | void {
    const thaw = this.#thaw;
    if (!thaw && !signal.aborted) return;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      thaw!.promise.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  async #accept(): Promise<void> {
    const running: Promise<void>[] = [];
    try {
      for await (const client of this.#listener) {
        this.#stats.accepted++;
        const link: Link = { client, upstream: null, closing: new AbortController() };
        this.#links.add(link);
        running.push(this.#relay(link));
      }
    } catch {
      // the listener was closed
    }
    await Promise.allSettled(running);
  }

  async #relay(link: Link): Promise<void> {
    const signal = link.closing.signal;
    try {
      // A partition holds a new connection before it reaches the target.
      await this.#whenOpen(signal);
      link.upstream = await Deno.connect({ hostname: this.targetHost, port: this.targetPort });
      if (signal.aborted) return;
      const up = this.#pump(link, link.client, link.upstream, "bytesUp");
      const down = this.#pump(link, link.upstream, link.client, "bytesDown");
      // When one direction ends, the connection is over: close both sides, then wait for both.
      await Promise.race([up, down]).catch(() => {});
      this.#close(link);
      await Promise.allSettled([up, down]);
    } catch {
      // the target refused, or the link was closed while held
    } finally {
      this.#close(link);
    }
  }

  /** Forwards one direction: a reader and a writer, so delayed chunks keep their order. */
  async #pump(
    link: Link,
    from: Deno.TcpConn,
    to: Deno.TcpConn,
    counter: "bytesUp" | "bytesDown",
  ): Promise<void> {
    const signal = link.closing.signal;
    const queue: { data: Uint8Array; due: number }[] = [];
    let queued = 0;
    let readerDone = false;
    const waiters = new Set<() => void>();
    const changed = () => new Promise<void>((resolve) => waiters.add(resolve));
    const poke = () => {
      for (const wake of waiters) wake();
      waiters.clear();
    };
    signal.addEventListener("abort", poke, { once: true });
    const reader = async () => {
      try {
        while (!signal.aborted) {
          await this.#whenOpen(signal);
          if (queued > MAX_IN_FLIGHT) {
            await changed();
            continue;
          }
          const buffer = new Uint8Array(CHUNK);
          const n = await from.read(buffer);
          if (n === null) return;
          queue.push({ data: buffer.subarray(0, n), due: performance.now() + this.#delay });
          queued += n;
          poke();
        }
      } finally {
        readerDone = true;
        poke();
      }
    };
    const writer = async () => {
      while (!signal.aborted) {
        if (queue.length === 0) {
          if (readerDone) return;
          await changed();
          continue;
        }
        const { data, due } = queue[0];
        const wait = due - performance.now();
        if (wait > 0) await delay(Math.ceil(wait), signal);
        await this.#whenOpen(signal);
        await writeAll(to, data);
        queue.shift();
        queued -= data.length;
        this.#stats[counter] += data.length;
        poke();
      }
    };
    const [read, write] = await Promise.allSettled([reader(), writer()]);
    signal.removeEventListener("abort", poke);
    if (read.status === "rejected") throw read.reason;
    if (write.status === "rejected") throw write.reason;
  }

  #close(link: Link): void {
    // Not just once: an upstream connection that was still being made at a cut arrives later.
    this.#links.delete(link);
    link.closing.abort();
    for (const conn of [link.client, link.upstream]) {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    }
  }

  /**
   * Stops listening, closes every connection, and waits until all relaying has ended (the
   * {@linkcode Service} contract's `stop`).
   */
  protected override async onStop(): Promise<void> {
    this.heal();
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    this.cut();
    await this.#accepting;
  }

  /**
   * Stops the relay.
   *
   * @deprecated Use {@linkcode FaultRelay.stop}: every service of the library ends with
   * `stop()`.
   *
   * @returns A promise that resolves once all relaying has ended.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FaultRelay } from "./mod.ts";
   * const relay = FaultRelay.start({ target: "127.0.0.1:9" });
   * await relay.stop(); // was: await relay.close()
   * assert.equal(relay.running, false);
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }
}

async function writeAll(conn: Deno.TcpConn, data: Uint8Array): Promise<void> {
  let at = 0;
  while (at < data.length) at += await conn.write(data.subarray(at));
}

function parseTarget(target: FaultRelayOptions["target"] | undefined): [string, number] {
  if (typeof target === "object" && target !== null) {
    return [target.hostname, checkPort(target.port, String(target.port))];
  }
  const match = typeof target === "string"
    ? /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(target)
    : null;
  if (!match) {
    throw badValue(
      `target must be "host:port" or "tcp://host:port"; got ${JSON.stringify(target)}`,
      { op: "FaultRelay.start" },
    );
  }
  const host = match[1].replace(/^\[|\]$/g, "");
  return [
    host === "*" || host === "localhost" ? "127.0.0.1" : host,
    checkPort(Number(match[2]), match[2]),
  ];
}

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw badValue(`target port must be 1-65535; got ${text}`, {
      op: "FaultRelay.start",
    });
  }
  return port;
}
