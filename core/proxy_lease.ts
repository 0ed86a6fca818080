// Leasing sockets to libzmq's steerable proxy (zmq_proxy_steerable, called by the backend). The
// proxy runs as a nonblocking FFI call on one of Deno's pool threads; while it runs, the
// sockets it was given belong to that thread: each is leased (core/_registry.ts), so any use
// from JS throws a ZmqError of code EBUSY instead of racing with the proxy. They are given back
// only once the call has returned. devices/steerable_proxy.ts builds SteerableProxy on this.
import { proxySteerable as runProxy } from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { type SocketInternals, socketInternals } from "./_registry.ts";
import { badValue, closedError, type ZmqError, zmqError } from "./errors.ts";
import type { Socket } from "./socket.ts";

/** The sockets besides frontend and backend that a proxy may use. */
export interface ProxySockets {
  /** Receives a copy of every frame that passes. */
  capture?: Socket;
  /**
   * Where the proxy reads commands from: `TERMINATE`, `STATISTICS` (and `PAUSE`, `RESUME`,
   * which the libzmq inside npm:zeromq 6.8.0 acknowledges but ignores). Use a PAIR whose peer
   * stays with JS. Without a control socket the proxy runs until its context is terminated.
   */
  control?: Socket;
}

let proxies = 0;

/**
 * Holds sockets for a proxy: from construction until {@linkcode ProxyLease.release}, every
 * socket given to it throws a ZmqError of code `EBUSY` when used from JS (including `close`).
 * {@linkcode ProxyLease.run} runs libzmq's steerable proxy on them, on Deno's thread pool;
 * it can be run again after it returned (that is how a proxy pauses and resumes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * import { ProxyLease } from "./proxy_lease.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("PULL");
 * using backend = ctx.socket("PUSH");
 * using control = ctx.socket("PAIR");
 * using steer = ctx.socket("PAIR");
 * frontend.bind("inproc://lease-example-front");
 * backend.bind("inproc://lease-example-back");
 * control.bind("inproc://lease-example-control");
 * steer.connect("inproc://lease-example-control");
 * const lease = new ProxyLease(frontend, backend, { control });
 * const running = lease.run();
 * await steer.send("TERMINATE");
 * await running;
 * assert.equal(lease.running, false);
 * lease.release(); // the sockets are usable again
 * frontend.close();
 * ```
 */
export class ProxyLease {
  /** A name for error messages, e.g. `"proxy #3"`. */
  readonly owner: string;
  /** The sockets' types as `"ROUTER/DEALER"`. */
  readonly kind: string;
  #pointers: (Pointer | null)[];
  #leased: SocketInternals[] = [];
  #running = false;
  #released = false;

  /**
   * Takes `frontend`, `backend` and the optional capture and control sockets. Throws a
   * ZmqError: `EBADVALUE` for a missing socket or one given twice as control, `EINVAL` if
   * frontend and backend are the same socket, `EBUSY` or `ECLOSED` for a socket that is already
   * held by a proxy, has operations pending, or is closed.
   */
  constructor(frontend: Socket, backend: Socket, sockets: ProxySockets = {}) {
    this.owner = `proxy #${++proxies}`;
    this.kind = `${frontend?.type}/${backend?.type}`;
    if (typeof sockets !== "object" || sockets === null) {
      throw badSocket(
        "the sockets argument must be an object like { capture, control }",
        this.kind,
      );
    }
    const roles: [string, Socket | undefined][] = [
      ["frontend", frontend],
      ["backend", backend],
      ["capture", sockets.capture],
      ["control", sockets.control],
    ];
    try {
      if (frontend === backend && frontend !== undefined) {
        // measured: the libzmq in npm:zeromq 6.8.0 crashes the process (SIGSEGV) on a steerable
        // proxy whose frontend is its backend
        throw zmqError("EINVAL", "A proxy's frontend and backend must be different sockets", {
          op: "proxy",
          socketType: this.kind,
        });
      }
      if (
        sockets.capture !== undefined &&
        (sockets.capture === frontend || sockets.capture === backend)
      ) {
        // measured: the copies go out to the side's own peers, mixed into the traffic (a REP
        // behind a DEALER backend that captured got a lone empty frame, then EFSM)
        throw zmqError(
          "EINVAL",
          "A proxy's capture socket must be another socket than its frontend and backend",
          { op: "proxy", socketType: this.kind },
        );
      }
      if (sockets.capture?.type === "PULL" || sockets.capture?.type === "SUB") {
        throw zmqError(
          "EINVAL",
          `A ${sockets.capture.type} socket cannot send, so it cannot capture; use PUB or PUSH`,
          { op: "proxy", socketType: this.kind },
        );
      }
      if (sockets.control !== undefined) {
        for (const [role, s] of roles.slice(0, 3)) {
          if (s === sockets.control) {
            throw badSocket(`the control socket cannot also be the ${role}`, this.kind);
          }
        }
      }
      const bySocket = new Map<Socket, Pointer>();
      this.#pointers = roles.map(([role, s]) => {
        if (s === undefined) {
          if (role === "frontend" || role === "backend") {
            throw badSocket(`${role} must be a Socket`, this.kind);
          }
          return null;
        }
        const known = bySocket.get(s);
        if (known) return known;
        const internals = socketInternals.get(s);
        if (!internals) throw badSocket(`${role} is not a Socket`, this.kind);
        const ptr = internals.lease(this.owner);
        this.#leased.push(internals);
        bySocket.set(s, ptr);
        return ptr;
      });
    } catch (error) {
      this.#releaseAll();
      throw error;
    }
  }

  /** True while {@linkcode ProxyLease.run} is in flight. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Runs libzmq's steerable proxy until it ends (after a `TERMINATE` on the control socket).
   * Rejects with a ZmqError of code `EPROXY` if libzmq's proxy failed (usually because the
   * context was terminated), `EBUSY` if already running, `ECLOSED` after release.
   */
  run(): Promise<void> {
    const context = { op: "proxy", socketType: this.kind };
    if (this.#released) {
      return Promise.reject(closedError("Proxy lease was released", context));
    }
    if (this.#running) {
      return Promise.reject(zmqError("EBUSY", "Proxy is already running", context));
    }
    this.#running = true;
    const [f, b, c, k] = this.#pointers;
    return runProxy(f, b, c, k).then((rc) => {
      this.#running = false;
      if (rc !== 0) {
        throw zmqError(
          "EPROXY",
          "libzmq's proxy ended with an error (its context was terminated, or a socket failed)",
          context,
        );
      }
    }, (error) => {
      this.#running = false;
      throw error;
    });
  }

  /** Gives the sockets back to JS. Throws a ZmqError of code `EBUSY` while running. */
  release(): void {
    if (this.#running) {
      throw zmqError("EBUSY", "Cannot release the sockets while the proxy runs", {
        op: "release proxy",
        socketType: this.kind,
      });
    }
    this.#released = true;
    this.#releaseAll();
  }

  #releaseAll(): void {
    for (const l of this.#leased.splice(0)) l.release();
  }
}

/**
 * Runs libzmq's steerable proxy between `frontend` and `backend` on Deno's thread pool, so the
 * JS thread stays free, and gives the sockets back when it ends. Resolves after a `TERMINATE`
 * command on the control socket; rejects with a ZmqError of code `EPROXY` if libzmq's proxy
 * failed. While it runs, the sockets throw a ZmqError of code `EBUSY` when used from JS.
 * Send only the commands libzmq knows on the control socket: libzmq 4.3 aborts the process on
 * any other. `SteerableProxy` in devices/ wraps all this with pause, resume and statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * import { proxySteerable } from "./proxy_lease.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * using control = ctx.socket("PAIR");
 * using steer = ctx.socket("PAIR");
 * frontend.bind("inproc://proxy-example-front");
 * backend.bind("inproc://proxy-example-back");
 * control.bind("inproc://proxy-example-control");
 * steer.connect("inproc://proxy-example-control");
 * const running = proxySteerable(frontend, backend, { control });
 * await steer.send("TERMINATE");
 * await running;
 * frontend.unbind("inproc://proxy-example-front"); // the sockets are usable again
 * assert.equal(frontend.closed, false);
 * ```
 */
export async function proxySteerable(
  frontend: Socket,
  backend: Socket,
  sockets: ProxySockets = {},
): Promise<void> {
  const lease = new ProxyLease(frontend, backend, sockets);
  try {
    await lease.run();
  } finally {
    lease.release();
  }
}

function badSocket(detail: string, kind: string): ZmqError {
  return badValue(`proxy: ${detail}`, { op: "proxy", socketType: kind });
}
