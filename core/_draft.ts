// What the DRAFT sockets add to a Socket, checked before libzmq sees it: the capability, the
// address of a message (a SERVER's or PEER's routing id, a RADIO's group), the receive that keeps
// where a message came from and its properties, DISH groups and PEER connections.
import {
  type AddressedFrame,
  connectPeer,
  cString,
  draftApi,
  groupCall,
  has,
  monitorV2Api,
  peerState,
  peerStateApi,
  type Pointer,
  recvAddressed,
  sendAddressed,
} from "./_backend.ts";
import { SOCKET_TYPES, type SocketType } from "./constants.ts";
import { DRAFT_SOCKET_TYPES, type DraftSocketType, MissingCapabilityError } from "./draft.ts";
import { badValue, type ErrorContext, zmqError } from "./errors.ts";
import {
  Message,
  MESSAGE_PROPERTIES,
  type RecvMessageOptions,
  type SendOptions,
} from "./message.ts";
import { describeValue } from "./_util.ts";
import { checkEndpointOptions } from "./_guards.ts";
import type { SocketCore } from "./_socket_core.ts";

/** Any socket type this library opens. */
export type AnySocketType = SocketType | DraftSocketType;

/** The DRAFT types that are thread-safe sockets: single-frame messages, no ZMQ_FD. */
const THREAD_SAFE: ReadonlySet<string> = new Set<DraftSocketType>([
  "SERVER",
  "CLIENT",
  "RADIO",
  "DISH",
  "GATHER",
  "SCATTER",
  "PEER",
  "CHANNEL",
]);

/** libzmq's longest group (ZMQ_GROUP_MAX_LENGTH): a longer one would be cut silently. */
export const GROUP_MAX_BYTES = 255;
/**
 * libzmq 4.3.5's UDP engine copies a datagram into a buffer of 8192 bytes without checking its
 * size (udp_engine.cpp, "TODO: check if larger than maximum size"): a RADIO message over udp://
 * (1 + group + body bytes) or a DGRAM body above this overruns it. Measured: 9000 bytes arrive
 * cut to 8190, 200 kB crash the process (SIGSEGV). So they are refused.
 */
export const UDP_MAX_BYTES = 8192;
const MAX_PROPERTY_NAMES = 64;
const MAX_ROUTING_ID = 2 ** 32 - 1;
const encoder = new TextEncoder();

let draft: boolean | undefined;

/** Whether this libzmq has the DRAFT API: zmq_has("draft") and its symbols. */
export function hasDraft(): boolean {
  return draft ??= draftApi && has("draft");
}

/** Throws a MissingCapabilityError for `what` unless this libzmq has the DRAFT API. */
export function requireDraft(what: string, context: ErrorContext): void {
  if (!hasDraft()) throw new MissingCapabilityError("draft", what, context);
}

/** Throws a MissingCapabilityError for `what` unless monitor events of version 2 exist. */
export function requireMonitorV2(what: string, context: ErrorContext): void {
  if (!hasDraft() || !monitorV2Api) throw new MissingCapabilityError("draft", what, context);
}

/** libzmq's number of a socket type; a DRAFT one only where the build has the DRAFT API. */
export function socketTypeNumber(type: AnySocketType, context: ErrorContext): number {
  if (Object.hasOwn(SOCKET_TYPES, type)) return SOCKET_TYPES[type as SocketType];
  requireDraft(`${type} sockets`, context);
  return DRAFT_SOCKET_TYPES[type as DraftSocketType];
}

/** True for the thread-safe DRAFT types, which send and receive one frame per message. */
export function isThreadSafe(type: string): boolean {
  return THREAD_SAFE.has(type);
}

/** Where an addressed message goes: a routing id (0: none) and a group (a C string, or null). */
export interface MessageAddress {
  routingId: number;
  group: Uint8Array<ArrayBuffer> | null;
}

/** A group as libzmq takes it: 1 to 255 bytes of UTF-8 without NUL, NUL-terminated. */
export function encodeGroup(group: unknown, context: ErrorContext): Uint8Array<ArrayBuffer> {
  if (typeof group !== "string") {
    throw badValue(`A group is a string; got ${describeValue(group)}`, context);
  }
  const bytes = encoder.encode(group).length;
  if (bytes < 1 || bytes > GROUP_MAX_BYTES || group.includes("\0")) {
    throw badValue(
      `A group is 1 to ${GROUP_MAX_BYTES} bytes of UTF-8 without NUL; got ${bytes} bytes` +
        (group.includes("\0") ? " with a NUL" : ""),
      context,
    );
  }
  return cString(group, context);
}

/** A routing id: an integer from 1 to 2^32 - 1. */
function checkRoutingId(id: unknown, context: ErrorContext): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > MAX_ROUTING_ID) {
    throw badValue(
      `routingId is an integer from 1 to ${MAX_ROUTING_ID}; got ${describeValue(id)}`,
      context,
    );
  }
  return id;
}

/**
 * Checks a send against the socket type, before anything goes out: SERVER and PEER need a
 * routing id, RADIO a group, and nothing else takes either; the thread-safe types send one
 * frame, DGRAM two ([address, body]); what goes over udp:// fits libzmq's UDP buffer (`udp`:
 * the socket has bound or connected a udp:// endpoint). Answers the address, or undefined for
 * a plain send.
 */
export function messageAddress(
  options: SendOptions,
  type: AnySocketType,
  udp: boolean,
  frames: readonly Uint8Array[],
  context: ErrorContext,
): MessageAddress | undefined {
  const { routingId, group } = options;
  if (type === "DGRAM") checkDatagram(frames, context);
  const byId = type === "SERVER" || type === "PEER";
  const byGroup = type === "RADIO";
  if (!byId && routingId !== undefined) {
    throw badValue(`routingId is for SERVER and PEER sockets; this is a ${type} socket`, context);
  }
  if (!byGroup && group !== undefined) {
    throw badValue(`group is for RADIO sockets; this is a ${type} socket`, context);
  }
  if (frames.length > 1 && isThreadSafe(type)) {
    throw badValue(
      `${type} sockets send single-frame messages; got ${frames.length} frames (nothing was sent)`,
      context,
    );
  }
  if (byId) {
    if (routingId === undefined) {
      throw badValue(`${type} sockets send to a peer: send(frame, { routingId })`, context);
    }
    return { routingId: checkRoutingId(routingId, context), group: null };
  }
  if (byGroup) {
    if (group === undefined) {
      throw badValue("RADIO sockets send to a group: send(frame, { group })", context);
    }
    const encoded = encodeGroup(group, context);
    // the datagram: the group's length (1 byte), the group, the body
    const size = encoded.length + frames[0].length;
    if (udp && size > UDP_MAX_BYTES) {
      throw zmqError(
        "EMSGSIZE",
        `A RADIO message over udp:// is at most ${UDP_MAX_BYTES} bytes with its group ` +
          `(libzmq's UDP buffer); got ${size} (nothing was sent)`,
        context,
      );
    }
    return { routingId: 0, group: encoded };
  }
  return undefined;
}

/** A DGRAM message: [address, body], the body within libzmq's UDP buffer. */
function checkDatagram(frames: readonly Uint8Array[], context: ErrorContext): void {
  // a third frame would fail after the first two went into the pipe, and leave the socket
  // expecting a body: every later message would fail
  if (frames.length !== 2) {
    throw badValue(
      `DGRAM sockets send [address, body], two frames; got ${frames.length} (nothing was sent)`,
      context,
    );
  }
  if (frames[1].length > UDP_MAX_BYTES) {
    throw zmqError(
      "EMSGSIZE",
      `A DGRAM body is at most ${UDP_MAX_BYTES} bytes (libzmq's UDP buffer); got ${
        frames[1].length
      } (nothing was sent)`,
      context,
    );
  }
}

/**
 * The DRAFT sockets' rules for endpoints: DGRAM is for udp:// only (libzmq takes tcp:// and
 * inproc:// too, and delivers empty or mangled messages there).
 */
export function checkDraftEndpoint(
  type: AnySocketType,
  endpoint: string,
  context: ErrorContext,
): void {
  if (type === "DGRAM" && !endpoint.startsWith("udp://")) {
    throw zmqError(
      "ENOCOMPATPROTO",
      "DGRAM sockets send raw UDP datagrams: udp:// endpoints only",
      context,
    );
  }
}

/** Sends an addressed one-frame message; answers 0 or the errno. */
export function sendAddressedFrame(
  ptr: Pointer,
  frame: Uint8Array,
  address: MessageAddress,
): number {
  return sendAddressed(ptr, frame, address.routingId, address.group);
}

/**
 * What every recvMessage reads: the standard properties, and "Identity", the ZMTP property
 * under which libzmq 4.3.5 keeps a peer's routing id (nothing stores "Routing-Id" itself: its
 * zmq_msg_gets answers NULL where "Identity" answers the id).
 */
const READ_ALWAYS: readonly string[] = [...MESSAGE_PROPERTIES, "Identity"];

/** The property names a recvMessage reads: the standard ones and those asked for. */
function propertyNames(options: RecvMessageOptions, context: ErrorContext): string[] {
  const extra = options.properties;
  if (extra === undefined) return [...READ_ALWAYS];
  if (!Array.isArray(extra) || extra.length > MAX_PROPERTY_NAMES) {
    throw badValue(
      `properties is an array of at most ${MAX_PROPERTY_NAMES} property names; got ${
        describeValue(extra)
      }`,
      context,
    );
  }
  const names = new Set(READ_ALWAYS);
  for (const name of extra as unknown[]) {
    const bytes = typeof name === "string" ? encoder.encode(name).length : 0;
    if (typeof name !== "string" || bytes < 1 || bytes > 255 || name.includes("\0")) {
      throw badValue(
        `A property name is 1 to 255 bytes without NUL, like "X-Tenant"; got ${
          describeValue(name)
        }`,
        context,
      );
    }
    names.add(name);
  }
  return [...names];
}

/**
 * One recvMessage: the receive kind of core/_socket_core.ts that reads, with the first frame of
 * the message, its routing id, group and properties (before libzmq releases the message).
 */
export class MessageReceipt {
  readonly #type: AnySocketType;
  readonly #names: string[];
  readonly #cNames: Uint8Array<ArrayBuffer>[];
  #first: AddressedFrame | null = null;

  constructor(type: AnySocketType, options: RecvMessageOptions, context: ErrorContext) {
    this.#type = type;
    this.#names = propertyNames(options, context);
    this.#cNames = this.#names.map((n) => cString(n, context));
  }

  /** Receives the (rest of the) message into `frames`; answers 0 when whole, else the errno. */
  receive(ptr: Pointer, frames: Uint8Array[]): number {
    for (;;) {
      const r = recvAddressed(ptr, frames.length === 0 ? this.#cNames : []);
      if (typeof r === "number") return r;
      if (frames.length === 0) this.#first = r;
      frames.push(r.frame);
      if (!r.more) return 0;
    }
  }

  /** The Message of the frames received. */
  message(frames: Uint8Array[]): Message {
    const first = this.#first!;
    const properties = new Map<string, string | null>();
    this.#names.forEach((name, i) => properties.set(name, first.properties[i]));
    // one value under both names of the routing id (see READ_ALWAYS)
    const routingId = properties.get("Routing-Id") ?? properties.get("Identity") ?? null;
    properties.set("Routing-Id", routingId);
    properties.delete("Identity");
    const type = this.#type;
    return new Message(
      frames,
      properties,
      type === "SERVER" || type === "PEER" ? first.routingId : undefined,
      type === "DISH" ? first.group : undefined,
    );
  }
}

/** Socket.join / Socket.leave: a DISH's groups. */
export function changeGroup(core: SocketCore, op: "join" | "leave", group: string): void {
  const context = core.ctx(op);
  core.live(op);
  if (core.type !== "DISH") {
    throw zmqError("ENOTSUP", `${op} is for DISH sockets; this is a ${core.type} socket`, context);
  }
  const encoded = encodeGroup(group, context);
  core.call(
    op,
    (ptr) => groupCall(op === "join" ? "zmq_join" : "zmq_leave", ptr, encoded, context),
  );
}

/**
 * Socket.peerState: the events a ROUTER's peer `routingId` is ready for (POLLOUT, or 0 while
 * its queue is full). libzmq answers it for ROUTER sockets only.
 */
export function peerStateOf(core: SocketCore, routingId: unknown): number {
  const context = core.ctx("peerState");
  core.live("peerState");
  if (!hasDraft() || !peerStateApi) {
    throw new MissingCapabilityError(
      "draft",
      "A peer's state (zmq_socket_get_peer_state)",
      context,
    );
  }
  if (core.type !== "ROUTER") {
    throw zmqError(
      "ENOTSUP",
      `peerState is for ROUTER sockets; this is a ${core.type} socket`,
      context,
    );
  }
  const id = typeof routingId === "string"
    ? encoder.encode(routingId)
    : routingId instanceof Uint8Array
    ? routingId
    : null;
  if (id === null || id.length < 1 || id.length > 255) {
    throw badValue(
      `A routing id is 1 to 255 bytes (a string or a Uint8Array); got ${describeValue(routingId)}`,
      context,
    );
  }
  return core.call("peerState", (ptr) => peerState(ptr, id, context));
}

/** Socket.connectPeer: connects a PEER and answers the new peer's routing id. */
export function connectPeerOf(core: SocketCore, endpoint: string): number {
  const context = core.ctx("connectPeer", {
    endpoint: typeof endpoint === "string" ? endpoint : describeValue(endpoint),
  });
  core.live("connectPeer", context);
  if (core.type !== "PEER") {
    throw zmqError(
      "ENOTSUP",
      `connectPeer is for PEER sockets; this is a ${core.type} socket`,
      context,
    );
  }
  core.checkEndpoint(endpoint, context);
  return core.call("connectPeer", (ptr) => {
    checkEndpointOptions(ptr, false, endpoint, context);
    return connectPeer(ptr, endpoint, context);
  });
}
