// Names the root module exported before it was split into entry points per folder (issue 16).
// Each stays for one release as a deprecated alias of the same function, class or type, so
// nothing that imports it breaks; new code imports it from where it lives now.
import * as tutorial from "./patterns/unstable_tutorial.ts";
import * as relay from "./faults/relay.ts";
import { proxySteerable as proxySteerableRun } from "./core/proxy_lease.ts";
import type { Socket } from "./core/socket.ts";

/**
 * Formats a `"<topic> <data>"` update.
 *
 * @deprecated Import `formatUpdate` from `@zmq/deno/patterns/unstable-tutorial`
 * (`patterns/unstable_tutorial.ts`): the tutorial's update format is not part of the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUpdate } from "./patterns/unstable_tutorial.ts";
 * assert.equal(formatUpdate(10001, 42), "10001 42");
 * ```
 */
export const formatUpdate: typeof tutorial.formatUpdate = tutorial.formatUpdate;

/**
 * Parses a `"<topic> <data>"` update.
 *
 * @deprecated Import `parseUpdate` from `@zmq/deno/patterns/unstable-tutorial`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUpdate } from "./patterns/unstable_tutorial.ts";
 * assert.deepEqual(parseUpdate("10001 42"), { topic: "10001", data: "42" });
 * ```
 */
export const parseUpdate: typeof tutorial.parseUpdate = tutorial.parseUpdate;

/**
 * Publishes one `"<topic> <data>"` update.
 *
 * @deprecated Import `publishUpdate` from `@zmq/deno/patterns/unstable-tutorial`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub, openSub } from "./mod.ts";
 * import { publishUpdate } from "./patterns/unstable_tutorial.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "inproc://deprecated-publish-update" });
 * using sub = openSub(ctx, { connect: "inproc://deprecated-publish-update" }, ["10001"]);
 * let received: string | undefined; // publish until the subscription has reached the publisher
 * for (let round = 0; round < 500 && received === undefined; round++) {
 *   await publishUpdate(pub, 10001, 42);
 *   received = await sub.recvString({ timeout: 10 }).catch(() => undefined);
 * }
 * assert.equal(received, "10001 42");
 * ```
 */
export const publishUpdate: typeof tutorial.publishUpdate = tutorial.publishUpdate;

/**
 * Yields parsed `"<topic> <data>"` updates from a SUB socket.
 *
 * @deprecated Import `receiveUpdates` from `@zmq/deno/patterns/unstable-tutorial`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openSub } from "./mod.ts";
 * import { receiveUpdates } from "./patterns/unstable_tutorial.ts";
 * using ctx = new Context();
 * using sub = openSub(ctx, { bind: "inproc://deprecated-receive-updates" });
 * const updates = receiveUpdates(sub);
 * sub.close();
 * assert.equal((await updates.next()).done, true); // a closed socket ends the iteration
 * ```
 */
export const receiveUpdates: typeof tutorial.receiveUpdates = tutorial.receiveUpdates;

/**
 * Waits until `count` peers have connected to a socket.
 *
 * @deprecated Import `awaitWorkers` from `@zmq/deno/patterns/unstable-tutorial`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "./mod.ts";
 * import { awaitWorkers } from "./patterns/unstable_tutorial.ts";
 * await using ctx = new Context({ linger: 0 });
 * using push = ctx.socket("PUSH");
 * const connected = awaitWorkers(push, 1, { timeout: 10_000 });
 * const port = push.bindToRandomPort();
 * using pull = ctx.socket("PULL");
 * pull.connect(`tcp://127.0.0.1:${port}`);
 * assert.equal(await connected, 1);
 * ```
 */
export const awaitWorkers: typeof tutorial.awaitWorkers = tutorial.awaitWorkers;

/**
 * A parsed update.
 *
 * @deprecated Import `Update` from `@zmq/deno/patterns/unstable-tutorial`.
 */
export type Update = tutorial.Update;

/**
 * Options of `receiveUpdates`.
 *
 * @deprecated Import `ReceiveUpdatesOptions` from `@zmq/deno/patterns/unstable-tutorial`.
 */
export type ReceiveUpdatesOptions = tutorial.ReceiveUpdatesOptions;

/**
 * Options of `awaitWorkers`.
 *
 * @deprecated Import `AwaitWorkersOptions` from `@zmq/deno/patterns/unstable-tutorial`.
 */
export type AwaitWorkersOptions = tutorial.AwaitWorkersOptions;

/**
 * The TCP relay that injects faults, for tests.
 *
 * @deprecated Import `FaultRelay` from `@zmq/deno/faults` (`faults/mod.ts`): a tool for tests,
 * not part of the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FaultRelay } from "./faults/mod.ts";
 * await using relay = FaultRelay.start({ target: "127.0.0.1:9" });
 * assert.match(relay.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
 * ```
 */
export const FaultRelay: typeof relay.FaultRelay = relay.FaultRelay;
/** @deprecated Import `FaultRelay` from `@zmq/deno/faults`. */
export type FaultRelay = relay.FaultRelay;

/**
 * Where a fault relay listens and forwards to.
 *
 * @deprecated Import `FaultRelayOptions` from `@zmq/deno/faults`.
 */
export type FaultRelayOptions = relay.FaultRelayOptions;

/**
 * What a fault relay does with traffic.
 *
 * @deprecated Import `RelayMode` from `@zmq/deno/faults`.
 */
export type RelayMode = relay.RelayMode;

/**
 * A fault relay's counters.
 *
 * @deprecated Import `RelayStats` from `@zmq/deno/faults`.
 */
export type RelayStats = relay.RelayStats;

/**
 * Runs libzmq's steerable proxy between `frontend` and `backend` until a `TERMINATE` command
 * arrives on `sockets.control` (pyzmq's `zmq.proxy_steerable`, without blocking the caller).
 *
 * @deprecated Use `startProxy` or `SteerableProxy` (`@zmq/deno/devices`): they make the control
 * pair themselves and add pause, resume and statistics. The raw call is an internal of
 * `SteerableProxy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startProxy } from "./mod.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * frontend.bind("inproc://deprecated-proxy-front");
 * backend.bind("inproc://deprecated-proxy-back");
 * await using proxy = startProxy(frontend, backend); // was proxySteerable(frontend, backend, { control })
 * await proxy.stop();
 * assert.equal(frontend.closed, false); // the proxy hands its sockets back when it ends
 * ```
 */
export const proxySteerable: (
  frontend: Socket,
  backend: Socket,
  sockets?: { capture?: Socket; control?: Socket },
) => Promise<void> = proxySteerableRun;
