// A received message with what libzmq says about it: where it came from (the routing id of a
// SERVER's or PEER's peer, a DISH's group) and its properties (zmq_msg_gets), and the options of
// the sends and receives that use them.
import { badValue, type ErrorContext, type ZmqError } from "./errors.ts";
import type { OperationOptions } from "./socket.ts";

/**
 * Options of one send: {@linkcode OperationOptions} and, on the DRAFT sockets that route by
 * message, where the message goes.
 */
export interface SendOptions extends OperationOptions {
  /**
   * SERVER and PEER (required there): the routing id of the peer to send to, from a received
   * message's `routingId` or from `connectPeer`. An integer from 1 to 2^32 - 1.
   */
  routingId?: number;
  /** RADIO (required there): the message's group, 1 to 255 bytes of UTF-8 without NUL. */
  group?: string;
}

/** Options of {@linkcode Socket.recvMessage}. */
export interface RecvMessageOptions extends OperationOptions {
  /**
   * Names of properties to read besides {@linkcode MESSAGE_PROPERTIES}: those a peer set with
   * the `METADATA` option (`"X-..."`) or an authenticator attached (see `identify` of
   * `Authenticator`). libzmq keeps them with the message, which is released as soon as it has
   * been copied out, so they are read at the receive: ask for them here (at most 64 names, each
   * 1 to 255 bytes).
   */
  properties?: readonly string[];
}

/**
 * The properties every {@linkcode Message} has read: the peer's socket type, its routing id
 * (the `ROUTING_ID` a peer of a ROUTER set, as text), its address (IP address for tcp), and the
 * user id an authenticator answered (the PLAIN username or the CURVE client key, or what its
 * `identify` chose).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MESSAGE_PROPERTIES } from "../mod.ts";
 * assert.equal(MESSAGE_PROPERTIES.includes("User-Id"), true);
 * ```
 */
export const MESSAGE_PROPERTIES: readonly string[] = Object.freeze([
  "Socket-Type",
  "Routing-Id",
  "Peer-Address",
  "User-Id",
]);

/** The old name of "Routing-Id" that libzmq still answers. */
const ALIASES: Readonly<Record<string, string>> = { Identity: "Routing-Id" };

/**
 * A message received with {@linkcode Socket.recvMessage}: its frames (each in an ArrayBuffer of
 * its own, as every receive gives them), where it came from, and its properties.
 *
 * Properties come from libzmq's `zmq_msg_gets`, as text: a value with a NUL byte inside (a
 * binary routing id, say) ends at that byte, and inproc peers have no properties at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * using ctx = new Context();
 * using server = ctx.socket("SERVER");
 * using client = ctx.socket("CLIENT");
 * const port = server.bindToRandomPort();
 * client.connect(`tcp://127.0.0.1:${port}`);
 * await client.send("hello");
 * const message = await server.recvMessage();
 * assert.equal(new TextDecoder().decode(message.frames[0]), "hello");
 * assert.equal(message.get("Socket-Type"), "CLIENT");
 * await server.send("world", { routingId: message.routingId });
 * ```
 */
export class Message {
  /** The frames: one for the DRAFT thread-safe sockets, one or more elsewhere. */
  readonly frames: Uint8Array[];
  /** SERVER and PEER: the routing id of the peer that sent it (answer it with this). */
  readonly routingId?: number;
  /** DISH: the group it was sent to. */
  readonly group?: string;
  #properties: ReadonlyMap<string, string | null>;

  /**
   * A message as {@linkcode Socket.recvMessage} answers it: `properties` maps every name that
   * was read to its value, or null where the message has none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Message } from "../mod.ts";
   * const m = new Message([new Uint8Array([1])], new Map([["User-Id", "alice"]]), 7);
   * assert.equal(m.routingId, 7);
   * assert.equal(m.get("User-Id"), "alice");
   * ```
   */
  constructor(
    frames: Uint8Array[],
    properties: ReadonlyMap<string, string | null>,
    routingId?: number,
    group?: string,
  ) {
    this.frames = frames;
    this.#properties = properties;
    if (routingId !== undefined) this.routingId = routingId;
    if (group !== undefined) this.group = group;
  }

  /**
   * The value of property `name` (`"User-Id"`, `"Peer-Address"`, `"X-Tenant"`, ...), or
   * undefined if the message has none. A name that was neither one of
   * {@linkcode MESSAGE_PROPERTIES} nor asked for in `recvMessage({ properties })` throws a
   * ZmqError of code `EBADVALUE`: it was not read, and cannot be any more.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Message } from "../mod.ts";
   * const m = new Message([], new Map([["X-Tenant", "acme"], ["User-Id", null]]));
   * assert.equal(m.get("X-Tenant"), "acme");
   * assert.equal(m.get("User-Id"), undefined);
   * ```
   *
   * @param name A property's name (`"User-Id"`, `"Peer-Address"`, a custom one asked for).
   * @returns Its value, or undefined when the message does not carry it.
   * @throws {ZmqError} `EBADVALUE` for a property that was not asked for when receiving.
   */
  get(name: string): string | undefined {
    const key = typeof name === "string" ? ALIASES[name] ?? name : name;
    const value = this.#properties.get(key);
    if (value === undefined) throw notRead(name, { op: "Message.get" });
    return value ?? undefined;
  }

  /**
   * Every property that was read and that the message has, by name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Message } from "../mod.ts";
   * const m = new Message([], new Map([["Socket-Type", "DEALER"], ["User-Id", null]]));
   * assert.deepEqual(m.properties, { "Socket-Type": "DEALER" });
   * ```
   */
  get properties(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#properties) if (v !== null) out[k] = v;
    return Object.freeze(out);
  }
}

function notRead(name: unknown, context: ErrorContext): ZmqError {
  if (typeof name !== "string") {
    return badValue("A property name is a string", context);
  }
  const shown = /^[\x20-\x7e]{1,64}$/.test(name) ? JSON.stringify(name) : "(this name)";
  return badValue(
    `Property ${shown} was not read with the message: ask for it when receiving, ` +
      `recvMessage({ properties: [${shown}] })`,
    context,
  );
}
