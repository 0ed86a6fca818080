// Socket monitor events (zmq_socket_monitor) as async iterables. One native monitor per socket
// (libzmq allows one), fanned out to every JS subscriber; it stops when the last one leaves.
import { monitorPipesStats, socketMonitor, socketMonitorV2 } from "./_backend.ts";
import { requireMonitorV2 } from "./_draft.ts";
import { socketPointers } from "./_registry.ts";
import { badValue, closedError, ZmqError, zmqError } from "./errors.ts";
import { checkOptions, checkTimeout, describeValue, startTimer } from "./_util.ts";
import type { Socket } from "./socket.ts";

/**
 * libzmq's monitor event numbers (`ZMQ_EVENT_*`, libzmq 4.3) by this library's event names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MONITOR_EVENTS } from "../mod.ts";
 * assert.equal(MONITOR_EVENTS.handshake_succeeded, 4096);
 * ```
 */
export const MONITOR_EVENTS = {
  connected: 0x0001,
  connect_delayed: 0x0002,
  connect_retried: 0x0004,
  listening: 0x0008,
  bind_failed: 0x0010,
  accepted: 0x0020,
  accept_failed: 0x0040,
  closed: 0x0080,
  close_failed: 0x0100,
  disconnected: 0x0200,
  monitor_stopped: 0x0400,
  handshake_failed_no_detail: 0x0800,
  handshake_succeeded: 0x1000,
  handshake_failed_protocol: 0x2000,
  handshake_failed_auth: 0x4000,
  /** Version 2 only: a pipe's queues, asked for with {@linkcode requestPipesStats}. */
  pipes_stats: 0x10000,
} as const;

/** A monitor event name: `"connected"`, `"accepted"`, `"handshake_succeeded"`, ... */
export type MonitorEventName = keyof typeof MONITOR_EVENTS;

/** The event format of a monitor: 1 (libzmq's stable one) or 2 (DRAFT: more values, both addresses). */
export type MonitorVersion = 1 | 2;

/** Options of {@linkcode monitor}. */
export interface MonitorOptions {
  /**
   * The event format: 1 (the default) or 2, which needs libzmq's DRAFT API (a build without it
   * throws a `MissingCapabilityError`). A socket is monitored in one format at a time.
   */
  version?: MonitorVersion;
}

/**
 * What each monitor event tells beside its name, endpoint and raw value: libzmq's value under
 * the name of what it is (libzmq 4.3's `zmq_socket_monitor` documents the meaning per event).
 */
export interface MonitorEventDetails {
  /** A connection to a peer is up. */
  connected: { /** The connection's file descriptor. */ fd: number };
  /** A connect did not complete at once; libzmq keeps trying. Its value is unspecified. */
  connect_delayed: Record<never, never>;
  /** A reconnect is scheduled. */
  connect_retried: { /** Milliseconds until the next attempt. */ interval: number };
  /** The socket listens on the endpoint. */
  listening: { /** The listening file descriptor. */ fd: number };
  /** A bind failed. */
  bind_failed: { /** Why, as an errno. */ errno: number };
  /** A connection from a peer was accepted. */
  accepted: { /** The connection's file descriptor. */ fd: number };
  /** Accepting a connection failed. */
  accept_failed: { /** Why, as an errno. */ errno: number };
  /** A connection or a listener was closed. */
  closed: { /** Its file descriptor. */ fd: number };
  /** Closing failed. */
  close_failed: { /** Why, as an errno. */ errno: number };
  /** A peer went away. */
  disconnected: { /** The connection's file descriptor. */ fd: number };
  /** The monitor stopped (its socket was closed or unmonitored). Its value is unspecified. */
  monitor_stopped: Record<never, never>;
  /** A handshake failed for an unspecified reason. */
  handshake_failed_no_detail: { /** Why, as an errno. */ errno: number };
  /** The ZMTP handshake (security included) is done: messages flow. Its value is unspecified. */
  handshake_succeeded: Record<never, never>;
  /** The peer broke the ZMTP protocol during the handshake. */
  handshake_failed_protocol: {
    /** libzmq's `ZMQ_PROTOCOL_ERROR_*` number, e.g. `0x11000001` for a CURVE cryptographic error. */
    protocolError: number;
  };
  /** The authenticator (ZAP) refused the peer. */
  handshake_failed_auth: { /** The ZAP status code, e.g. `400`. */ status: number };
  /**
   * Version 2 only, asked for with {@linkcode requestPipesStats}: the queues of one connection
   * (`value` is `egress`).
   */
  pipes_stats: {
    /** Messages queued from this socket towards the peer. */
    egress: number;
    /** Messages queued from the peer, not yet received by this socket. */
    ingress: number;
  };
}

/**
 * One event reported by a socket monitor: a union discriminated by `event`, so that checking
 * the name tells which field holds the value (`fd`, `errno`, `interval`, `status`,
 * `protocolError`; see {@linkcode MonitorEventDetails}). `MonitorEvent<"connected">` is one of
 * them; `value` keeps libzmq's number as it came. Events of version 2
 * (`monitor(socket, events, { version: 2 })`) also carry every value (`values`) and both
 * addresses of the connection, `local` and `remote` (either may be `""`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MonitorEvent } from "../mod.ts";
 * function describe(e: MonitorEvent): string {
 *   switch (e.event) {
 *     case "connected":
 *     case "accepted":
 *       return `fd ${e.fd}`;
 *     case "handshake_failed_auth":
 *       return `refused with ZAP status ${e.status}`;
 *     default:
 *       return e.event;
 *   }
 * }
 * const refused: MonitorEvent = {
 *   event: "handshake_failed_auth",
 *   value: 400,
 *   status: 400,
 *   endpoint: "tcp://127.0.0.1:5555",
 * };
 * assert.equal(describe(refused), "refused with ZAP status 400");
 * ```
 */
export type MonitorEvent<N extends MonitorEventName = MonitorEventName> = {
  [K in N]: {
    /** What happened. */
    event: K;
    /** libzmq's value for the event, as it came (the named field holds it too). */
    value: number;
    /**
     * The endpoint concerned, e.g. `"tcp://127.0.0.1:5555"`. Version 1: the bound endpoint for
     * a connection the socket accepted, the connected one for a connection it made. Version 2:
     * `remote` where the event has one, else `local`.
     */
    endpoint: string;
    /** Version 2: every value of the event (`pipes_stats` has two). */
    values?: number[];
    /** Version 2: the local address of the connection or the bound endpoint (or `""`). */
    local?: string;
    /** Version 2: the peer's address, or the endpoint connected to (or `""`). */
    remote?: string;
  } & MonitorEventDetails[K];
}[N];

/** Options of {@linkcode waitForEvent} and {@linkcode connectAndWait}. */
export interface WaitForEventOptions {
  /** Milliseconds to wait before rejecting with a ZmqError of code `EAGAIN`; default forever. */
  timeout?: number;
  /** Rejects with the signal's reason when aborted. */
  signal?: AbortSignal;
}

const ZMQ_EVENT_ALL = 0xffff;
const ZMQ_EVENT_ALL_V2 = 0xffffn | 0x10000n;
const NAMES = new Map<number, MonitorEventName>(
  Object.entries(MONITOR_EVENTS).map(([k, v]) => [v, k as MonitorEventName]),
);
const HANDSHAKE_FAILURES: ReadonlySet<MonitorEventName> = new Set([
  "handshake_failed_no_detail",
  "handshake_failed_protocol",
  "handshake_failed_auth",
]);
const decoder = new TextDecoder();
let serial = 0;

/** The native monitor of one socket and the JS subscribers that share it. */
class Hub {
  readonly subscribers = new Set<Subscriber>();
  readonly done: Promise<void>;
  readonly version: MonitorVersion;
  #socket: Socket;
  #pair: Socket;
  #stopped = false;

  constructor(socket: Socket, version: MonitorVersion) {
    this.#socket = socket;
    this.version = version;
    const context = { op: "monitor", socketType: socket.type };
    const endpoint = `inproc://zmq-deno.monitor.${++serial}.${crypto.randomUUID()}`;
    socketPointers.get(socket)!((ptr) => {
      if (ptr === null) throw closedError("Socket is closed", context);
      // libzmq binds a PAIR of its own on `endpoint` and writes the events there
      if (version === 2) socketMonitorV2(ptr, endpoint, ZMQ_EVENT_ALL_V2, context);
      else socketMonitor(ptr, endpoint, ZMQ_EVENT_ALL, context);
    });
    try {
      this.#pair = socket.context.socket("PAIR");
      this.#pair.setOption("LINGER", 0);
      // libzmq writes events with blocking sends, from its I/O threads and from this thread
      // (bind's "listening"): an unbounded pipe means a burst of unread events never blocks them
      this.#pair.setOption("RCVHWM", 0);
      this.#pair.connect(endpoint);
    } catch (e) {
      this.#stopNative();
      throw e;
    }
    this.done = this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      for (;;) {
        let frames: Uint8Array[];
        try {
          frames = await this.#pair.recvMultipart();
        } catch {
          return; // our PAIR was closed (stop, or the context closed)
        }
        const event = this.version === 2 ? parseV2(frames) : parse(frames);
        if (event === null) continue;
        for (const sub of this.subscribers) feeds.get(sub)!.push(event);
        if (event.event === "monitor_stopped") return;
      }
    } finally {
      this.#stopped = true;
      // a newer hub may already monitor this socket: leave its native monitor alone
      const current = hubs.get(this.#socket);
      if (current === this) hubs.delete(this.#socket);
      if (current === this || current === undefined) this.#stopNative();
      this.#pair.close();
      for (const sub of this.subscribers) feeds.get(sub)!.end();
      this.subscribers.clear();
    }
  }

  /**
   * Stops libzmq's monitor of the socket (it sends "monitor_stopped" and closes its end).
   * Answers false if that cannot be done now: a proxy's thread owns the socket (EBUSY).
   */
  #stopNative(): boolean {
    try {
      socketPointers.get(this.#socket)?.((ptr) => {
        if (ptr !== null) socketMonitor(ptr, null, 0, { op: "monitor" });
      });
    } catch (e) {
      // the context was terminated by its owner: libzmq's monitor ended with the socket
      return e instanceof ZmqError && e.code === "ETERM";
    }
    return true;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Removes a subscriber; the last one out stops the native monitor. */
  leave(sub: Subscriber): Promise<void> {
    this.subscribers.delete(sub);
    if (this.subscribers.size > 0) return Promise.resolve();
    if (!this.#stopped) {
      this.#stopped = true;
      hubs.delete(this.#socket);
      if (!this.#stopNative()) {
        // A proxy owns the socket: libzmq's monitor cannot be stopped from here, and closing our
        // end would make its sends block. Keep draining (events go nowhere) until the socket is
        // closed or monitored again, which ends libzmq's monitor with "monitor_stopped".
        return Promise.resolve();
      }
      this.#pair.close(); // ends the loop's pending recv
    }
    return this.done;
  }
}

const hubs = new WeakMap<Socket, Hub>();

/** The field that names each event's value (none where libzmq leaves it unspecified). */
const VALUE_FIELDS: Readonly<Record<MonitorEventName, string | null>> = {
  connected: "fd",
  connect_delayed: null,
  connect_retried: "interval",
  listening: "fd",
  bind_failed: "errno",
  accepted: "fd",
  accept_failed: "errno",
  closed: "fd",
  close_failed: "errno",
  disconnected: "fd",
  monitor_stopped: null,
  handshake_failed_no_detail: "errno",
  handshake_succeeded: null,
  handshake_failed_protocol: "protocolError",
  handshake_failed_auth: "status",
  pipes_stats: "egress",
};

function parse(frames: Uint8Array[]): MonitorEvent | null {
  if (frames.length < 2 || frames[0].length < 6) return null;
  const view = new DataView(frames[0].buffer, frames[0].byteOffset, frames[0].byteLength);
  const name = NAMES.get(view.getUint16(0, true));
  if (name === undefined) return null;
  const value = view.getUint32(2, true);
  const event: Record<string, unknown> = {
    event: name,
    value,
    endpoint: decoder.decode(frames[1]),
  };
  const field = VALUE_FIELDS[name];
  if (field !== null) event[field] = value;
  return event as MonitorEvent;
}

/**
 * A version 2 event: the event (u64), the number of values (u64), each value (u64), the local
 * and the remote address.
 */
function parseV2(frames: Uint8Array[]): MonitorEvent | null {
  const u64 = (f: Uint8Array | undefined) =>
    f !== undefined && f.length === 8
      ? new DataView(f.buffer, f.byteOffset, 8).getBigUint64(0, true)
      : null;
  const id = u64(frames[0]);
  const count = u64(frames[1]);
  if (id === null || count === null || BigInt(frames.length) !== count + 4n) return null;
  const name = NAMES.get(Number(id));
  if (name === undefined) return null;
  const values: number[] = [];
  for (let i = 0; i < Number(count); i++) {
    const v = u64(frames[2 + i]);
    if (v === null) return null;
    values.push(Number(v));
  }
  const local = decoder.decode(frames[frames.length - 2]);
  const remote = decoder.decode(frames[frames.length - 1]);
  const value = values[0] ?? 0;
  const event: Record<string, unknown> = {
    event: name,
    value,
    endpoint: remote || local,
    values,
    local,
    remote,
  };
  const field = VALUE_FIELDS[name];
  if (field !== null) event[field] = value;
  if (name === "pipes_stats") event.ingress = values[1] ?? 0;
  return event as MonitorEvent;
}

function checkEvents(events: unknown, op: string): Set<MonitorEventName> | null {
  if (events === undefined) return null;
  const list = typeof events === "string" ? [events] : events;
  if (!Array.isArray(list) || list.length === 0) {
    throw badValue("events must be an event name or a non-empty array of event names", { op });
  }
  for (const e of list) {
    if (typeof e !== "string" || !Object.hasOwn(MONITOR_EVENTS, e)) {
      throw badValue(
        `Unknown monitor event ${JSON.stringify(e)}; expected one of ${
          Object.keys(MONITOR_EVENTS).join(", ")
        }`,
        { op },
      );
    }
  }
  return new Set(list as MonitorEventName[]);
}

/**
 * The events of one socket, as an async iterator. Create it with {@linkcode monitor}. The
 * iteration ends when {@linkcode SocketMonitor.close} is called (or `break` leaves a
 * `for await`), or when the socket or its context is closed (after a `monitor_stopped` event
 * when libzmq sends one).
 *
 * Several monitors of one socket share libzmq's single monitor; each sees the events that
 * happen after it was created.
 */
export interface SocketMonitor<N extends MonitorEventName = MonitorEventName>
  extends AsyncIterableIterator<MonitorEvent<N>>, AsyncDisposable {
  /** True once the monitor has ended (closed, or its socket closed). */
  readonly closed: boolean;
  /**
   * Stops this monitor; resolves once libzmq's monitor is stopped and its socket closed (when
   * this was the socket's last monitor). A pending `next()` resolves as done.
   */
  close(): Promise<void>;
}

/** What the native monitor's hub (and waitForEvent) reach of a subscriber. */
interface Feed {
  /** Delivers an event. */
  push(event: MonitorEvent): void;
  /** Ends the iteration (queued events are still delivered). */
  end(): void;
}

/**
 * Subscriber object → its feed, registered by its constructor: the library's one way for a
 * class to reach another's private state (core/_registry.ts).
 */
const feeds = new WeakMap<Subscriber, Feed>();

class Subscriber implements SocketMonitor {
  #hub: Hub;
  #filter: Set<MonitorEventName> | null;
  #queue: MonitorEvent[] = [];
  #waiter: ((r: IteratorResult<MonitorEvent>) => void) | null = null;
  #ended = false;

  constructor(hub: Hub, filter: Set<MonitorEventName> | null) {
    this.#hub = hub;
    this.#filter = filter;
    feeds.set(this, { push: (event) => this.#push(event), end: () => this.#end() });
  }

  /** True once the monitor has ended (closed, or its socket closed). */
  get closed(): boolean {
    return this.#ended;
  }

  /** Delivers an event from the native monitor. */
  #push(event: MonitorEvent): void {
    if (this.#ended || (this.#filter !== null && !this.#filter.has(event.event))) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: event, done: false });
    } else this.#queue.push(event);
  }

  /** Ends the iteration (queued events are still delivered). */
  #end(): void {
    this.#ended = true;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: undefined, done: true });
    }
  }

  /** The next event; `done` once the monitor has ended and its queued events were read. */
  next(): Promise<IteratorResult<MonitorEvent>> {
    const event = this.#queue.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) {
      return Promise.reject(
        zmqError("EBUSY", "next() called while another next() is pending", {
          op: "monitor",
        }),
      );
    }
    return new Promise((resolve) => this.#waiter = resolve);
  }

  /**
   * Stops this monitor; resolves once libzmq's monitor is stopped and its socket closed (when
   * this was the socket's last monitor). A pending `next()` resolves as done.
   */
  async close(): Promise<void> {
    this.#queue = [];
    this.#end();
    await this.#hub.leave(this);
  }

  /** Ends the iteration (called by `break` in `for await`). */
  async return(): Promise<IteratorResult<MonitorEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** This object is its own iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Closes the monitor (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Monitors a socket: answers an async iterator of its events (all of them, or only `events`).
 * Start it before `bind`/`connect` to see the events those cause. While monitored, a socket
 * uses two more sockets of its context (libzmq's event PAIR and the one reading it). Events
 * wait in memory, unbounded, until read: read them or close the monitor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, monitor } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * const port = rep.bindToRandomPort();
 * await using events = monitor(req, ["connected", "handshake_succeeded"]);
 * req.connect(`tcp://127.0.0.1:${port}`);
 * const seen: string[] = [];
 * for await (const e of events) {
 *   seen.push(e.event);
 *   if (e.event === "connected") assert.ok(e.fd > 0); // the union knows connected has an fd
 *   if (e.event === "handshake_succeeded") break;
 * }
 * assert.deepEqual(seen, ["connected", "handshake_succeeded"]);
 * ```
 *
 * With `{ version: 2 }` (libzmq's DRAFT event format) every event also says both addresses of
 * its connection and all its values, and `pipes_stats` events can be asked for with
 * {@linkcode requestPipesStats}. A socket is monitored in one format at a time: a monitor of
 * the other format throws a ZmqError of code `EBUSY` while the first is open
 * ({@linkcode waitForEvent} and {@linkcode connectAndWait} use either).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, monitor } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * const port = rep.bindToRandomPort();
 * await using events = monitor(rep, "accepted", { version: 2 });
 * req.connect(`tcp://127.0.0.1:${port}`);
 * for await (const e of events) {
 *   assert.equal(e.local, `tcp://127.0.0.1:${port}`);
 *   assert.match(e.remote!, /^tcp:\/\/127\.0\.0\.1:\d+$/); // the client's own address
 *   break;
 * }
 * ```
 *
 * @param socket The socket to watch.
 * @param events The events wanted (all of them when absent).
 * @param options The event format (`{ version: 2 }` needs libzmq's DRAFT API).
 * @returns An async iterator of the socket's events, typed by the names asked for.
 * @throws {ZmqError} `EBADVALUE` for an unknown event name or version (or `pipes_stats` in
 * version 1), `EINVAL` for something that is not a Socket, `ECLOSED` for a closed one, `EBUSY`
 * for a socket monitored in the other version; a `MissingCapabilityError` for version 2
 * without DRAFT.
 */
export function monitor<N extends MonitorEventName = MonitorEventName>(
  socket: Socket,
  events?: N | N[],
  options: MonitorOptions = {},
): SocketMonitor<N> {
  const version = checkVersion(options);
  const filter = checkEvents(events, "monitor");
  if (version === 1 && filter?.has("pipes_stats")) {
    throw badValue(
      'The "pipes_stats" event exists in version 2 only: monitor(socket, events, { version: 2 })',
      { op: "monitor" },
    );
  }
  return subscribe(socket, filter, version) as unknown as SocketMonitor<N>;
}

function checkVersion(options: unknown): MonitorVersion {
  checkOptions(options as { signal?: AbortSignal }, { op: "monitor" }, "{ version }");
  const version = (options as MonitorOptions | undefined)?.version ?? 1;
  if (version !== 1 && version !== 2) {
    throw badValue(`version is 1 or 2; got ${describeValue(version)}`, { op: "monitor" });
  }
  if (version === 2) requireMonitorV2("Monitor events of version 2", { op: "monitor" });
  return version;
}

/**
 * The socket's monitor hub in `version` (any: undefined), created if there is none. Throws
 * EBUSY when the socket is monitored in the other version.
 */
function subscribe(
  socket: Socket,
  filter: Set<MonitorEventName> | null,
  version?: MonitorVersion,
): Subscriber {
  if (!socketPointers.has(socket)) {
    throw zmqError("EINVAL", "monitor takes a Socket", { op: "monitor" });
  }
  let hub = hubs.get(socket);
  if (hub !== undefined && !hub.stopped && version !== undefined && hub.version !== version) {
    throw zmqError(
      "EBUSY",
      `The socket is monitored with events of version ${hub.version}; close those monitors ` +
        `before one of version ${version}`,
      { op: "monitor", socketType: socket.type },
    );
  }
  if (hub === undefined || hub.stopped) {
    hub = new Hub(socket, version ?? 1);
    hubs.set(socket, hub);
  }
  const sub = new Subscriber(hub, filter);
  hub.subscribers.add(sub);
  return sub;
}

/**
 * Asks every connection of a socket monitored with events of version 2 to report its queues:
 * each answers with a `pipes_stats` event whose `egress` and `ingress` (also its `values`) are
 * the messages queued towards the peer and from it. The answers reach the monitor once the
 * socket next processes libzmq's commands (a pending receive or send, or any call on it).
 * Answers false when the socket has no connection (no event will come).
 * Throws a ZmqError of code `EINVAL` if the socket has no monitor of version 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectAndWait, Context, monitor, requestPipesStats } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * using router = ctx.socket("ROUTER");
 * using dealer = ctx.socket("DEALER");
 * await using events = monitor(dealer, "pipes_stats", { version: 2 });
 * assert.equal(requestPipesStats(dealer), false); // no connection yet: nothing to report
 * const port = router.bindToRandomPort();
 * await connectAndWait(dealer, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
 * // the answers come through the socket's commands: a pending receive keeps it reading them
 * const pending = dealer.recv().catch(() => null);
 * assert.equal(requestPipesStats(dealer), true);
 * for await (const e of events) {
 *   assert.equal(e.event, "pipes_stats");
 *   assert.deepEqual([e.egress, e.ingress], [0, 0]); // queued towards the peer, and from it
 *   break;
 * }
 * dealer.close();
 * assert.equal(await pending, null); // the receive ended with the socket
 * ```
 *
 * @param socket A socket with a monitor of version 2.
 * @returns Whether it has a connection to report on.
 * @throws {ZmqError} `EINVAL` without a version 2 monitor or for what is not a Socket.
 */
export function requestPipesStats(socket: Socket): boolean {
  const context = { op: "requestPipesStats", socketType: socket?.type };
  const use = socketPointers.get(socket);
  if (use === undefined) {
    throw zmqError("EINVAL", "requestPipesStats takes a Socket", context);
  }
  const hub = hubs.get(socket);
  if (hub === undefined || hub.stopped || hub.version !== 2) {
    throw zmqError(
      "EINVAL",
      "The socket has no monitor of version 2: monitor(socket, events, { version: 2 }) first",
      context,
    );
  }
  return use((ptr) => {
    if (ptr === null) throw closedError("Socket is closed", context);
    return monitorPipesStats(ptr, context);
  });
}

/**
 * Resolves with the first of `events` that happens on `socket` after this call, e.g.
 * `"connected"` or `"handshake_succeeded"`. Call it before `connect` (or use
 * {@linkcode connectAndWait}): an event that happened earlier is not seen.
 *
 * Rejects with a ZmqError of code `EAGAIN` after `timeout` ms, `ECLOSED` if the socket closes
 * first, and `EHANDSHAKE` if a `handshake_failed_*` event comes while waiting for
 * `handshake_succeeded`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, waitForEvent } from "../mod.ts";
 * using ctx = new Context();
 * using pull = ctx.socket("PULL");
 * using push = ctx.socket("PUSH");
 * const port = pull.bindToRandomPort();
 * const up = waitForEvent(push, "handshake_succeeded", { timeout: 5000 });
 * push.connect(`tcp://127.0.0.1:${port}`);
 * assert.equal((await up).endpoint, `tcp://127.0.0.1:${port}`);
 * await push.send("hello"); // the peer is there: this goes to it, not into a queue
 * assert.equal(await pull.recvString({ timeout: 5000 }), "hello");
 * ```
 *
 * @param socket The socket to watch.
 * @param events The event (or events) to wait for.
 * @param options A timeout and a signal.
 * @returns The first of those events, typed by its name.
 * @throws {ZmqError} Rejects with `EAGAIN` after the timeout, `ECLOSED` if the socket closes,
 * `EHANDSHAKE` on a failed handshake while waiting for `handshake_succeeded`; `EBADVALUE` for
 * an unknown event or bad options.
 */
export async function waitForEvent<N extends MonitorEventName>(
  socket: Socket,
  events: N | N[],
  options: WaitForEventOptions = {},
): Promise<MonitorEvent<N>> {
  const wanted = checkEvents(events, "waitForEvent")!;
  const context = { op: "waitForEvent", socketType: socket?.type };
  const { timeout, signal } = checkOptions(options, context);
  const ms = checkTimeout(timeout, context, false);
  signal?.throwIfAborted();
  const failOnHandshake = wanted.has("handshake_succeeded");
  const sub = subscribe(socket, null); // whichever version the socket is monitored in
  let failure: unknown = null;
  const stop = (reason: unknown) => {
    failure ??= reason;
    feeds.get(sub)!.end();
  };
  const onAbort = () => stop(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const cancelTimer = startTimer(ms, () => {
    stop(zmqError("EAGAIN", `No ${[...wanted].join(" or ")} event within ${timeout} ms`, context));
  });
  try {
    for (;;) {
      const r = await sub.next();
      if (failure !== null) throw failure;
      if (r.done) {
        throw closedError(
          `The socket's monitor stopped before a ${[...wanted].join(" or ")} event`,
          context,
        );
      }
      const e = r.value;
      if (wanted.has(e.event)) return e as MonitorEvent<N>;
      if (failOnHandshake && HANDSHAKE_FAILURES.has(e.event)) {
        throw zmqError(
          "EHANDSHAKE",
          `Handshake failed with ${e.endpoint}: ${e.event} (value ${e.value})`,
          { ...context, endpoint: e.endpoint },
        );
      }
    }
  } finally {
    cancelTimer();
    signal?.removeEventListener("abort", onAbort);
    await sub.close();
  }
}

/** Options of {@linkcode connectAndWait}. */
export interface ConnectAndWaitOptions extends WaitForEventOptions {
  /**
   * Which event means "connected": `"connected"` (the TCP connection is up) or
   * `"handshake_succeeded"` (the default: the ZMTP handshake, including CURVE or PLAIN
   * authentication, is done and messages will flow).
   */
  until?: "connected" | "handshake_succeeded";
}

/**
 * Connects `socket` to `endpoint` and resolves once the connection is up, so that what is sent
 * next goes to a live peer. Rejects like {@linkcode waitForEvent} (`EAGAIN` on timeout,
 * `EHANDSHAKE` when authentication fails); the socket stays connected (and retrying) either
 * way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectAndWait, Context } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * const port = rep.bindToRandomPort();
 * const event = await connectAndWait(req, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
 * assert.equal(event.event, "handshake_succeeded");
 * await req.send("Hello");
 * assert.equal(await rep.recvString(), "Hello");
 * ```
 *
 * @param socket The socket to connect.
 * @param endpoint Where to connect.
 * @param options `timeout` in ms, `signal`, and `until` (default `"handshake_succeeded"`).
 * @returns The event that showed the connection up.
 * @throws {ZmqError} Rejects with `EAGAIN` on timeout, `EHANDSHAKE` when the handshake failed,
 * `EBADVALUE` for bad options, the connect's error for a bad endpoint.
 */
export function connectAndWait(
  socket: Socket,
  endpoint: string,
  options: ConnectAndWaitOptions = {},
): Promise<MonitorEvent<"connected" | "handshake_succeeded">> {
  try {
    checkOptions(options, { op: "connectAndWait" }, "{ timeout, signal, until }");
  } catch (e) {
    return Promise.reject(e);
  }
  const until = options.until ?? "handshake_succeeded";
  if (until !== "connected" && until !== "handshake_succeeded") {
    return Promise.reject(
      badValue(`until must be "connected" or "handshake_succeeded"; got ${JSON.stringify(until)}`, {
        op: "connectAndWait",
      }),
    );
  }
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal;
  let waiting: Promise<MonitorEvent<"connected" | "handshake_succeeded">>;
  try {
    waiting = waitForEvent(socket, until, { timeout: options.timeout, signal });
  } catch (e) {
    return Promise.reject(e);
  }
  try {
    socket.connect(endpoint);
  } catch (e) {
    controller.abort(e);
    return waiting.then(() => Promise.reject(e), () => Promise.reject(e));
  }
  return waiting;
}
