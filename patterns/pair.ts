/**
 * The exclusive pair: two PAIR sockets joined one-to-one, either side may send at any time.
 *
 * Rules of the pattern:
 * - One peer only. One side binds, the other connects; a second peer connecting to a bound PAIR
 *   is not served.
 * - Nothing drops: messages queue (up to the high-water mark) until the peer reads them.
 * - Sends block (the promise waits) only when the queue towards the peer is full, or before any
 *   peer has connected to the side that binds.
 * - Receives wait until the peer sends; there is no lockstep, unlike REQ/REP.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { openSocket, type PatternEndpoints } from "./_open.ts";

export type { PatternEndpoints } from "./_open.ts";

/**
 * Opens a PAIR socket bound or connected to `endpoints`.
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The PAIR socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints; libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPair } from "../mod.ts";
 * using ctx = new Context();
 * using server = openPair(ctx, { bind: "inproc://pair-doc" });
 * using client = openPair(ctx, { connect: "inproc://pair-doc" });
 * await server.send("Server message to client3");
 * assert.equal(await client.recvString(), "Server message to client3");
 * ```
 */
export function openPair(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PAIR", endpoints);
}
