// MDP/0.1 (ZeroMQ RFC 7) on the wire: the headers, the worker commands, and the parsing of
// every message a broker, worker or client receives. Byte-exact: nothing here adds a frame.
import { bytes, EMPTY, sameBytes, textOrNull } from "./_frames.ts";

/** The MDP/Client v0.1 header frame, `"MDPC01"` (RFC 7). */
export const MDP_CLIENT = "MDPC01";
/** The MDP/Worker v0.1 header frame, `"MDPW01"` (RFC 7). */
export const MDP_WORKER = "MDPW01";

/**
 * The MDP/Worker commands and their one-byte codes (RFC 7): READY 0x01, REQUEST 0x02, REPLY
 * 0x03, HEARTBEAT 0x04, DISCONNECT 0x05.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MDP_COMMANDS } from "../mod.ts";
 * assert.equal(MDP_COMMANDS.HEARTBEAT, 4);
 * ```
 */
export const MDP_COMMANDS = {
  READY: 0x01,
  REQUEST: 0x02,
  REPLY: 0x03,
  HEARTBEAT: 0x04,
  DISCONNECT: 0x05,
} as const;

/** An MDP/Worker command name. */
export type MdpCommand = keyof typeof MDP_COMMANDS;

const CLIENT = bytes(MDP_CLIENT);
const WORKER = bytes(MDP_WORKER);
const COMMAND_FRAMES = Object.fromEntries(
  Object.entries(MDP_COMMANDS).map(([name, code]) => [name, Uint8Array.of(code)]),
) as Record<MdpCommand, Uint8Array>;
const COMMAND_NAMES = new Map<number, MdpCommand>(
  Object.entries(MDP_COMMANDS).map(([name, code]) => [code, name as MdpCommand]),
);

/** What a broker or a worker read from an MDP/Worker message. */
export type WorkerMessage =
  | { command: "READY"; service: string }
  | { command: "REQUEST" | "REPLY"; client: Uint8Array; body: Uint8Array[] }
  | { command: "HEARTBEAT" | "DISCONNECT" }
  | { command: null; invalid: string };

/** What a broker read from an MDP/Client request. */
export type ClientRequest =
  | { service: string; body: Uint8Array[]; invalid?: undefined }
  | { invalid: string };

/** What a client read from an MDP/Client reply. */
export type ClientReply =
  | { service: string; body: Uint8Array[]; invalid?: undefined }
  | { invalid: string };

/** A service name is printable text: UTF-8 without control characters, not empty. */
export function isServiceName(name: string | null): name is string {
  // deno-lint-ignore no-control-regex
  return name !== null && name !== "" && !/[\x00-\x1f\x7f]/.test(name);
}

/**
 * The frames of an MDP/Worker command, from frame 0 (the empty frame) on: what a worker's
 * DEALER sends, or what a broker's ROUTER sends after the worker's routing id.
 */
export function workerCommand(
  command: MdpCommand,
  ...rest: Uint8Array[]
): Uint8Array[] {
  return [EMPTY, WORKER, COMMAND_FRAMES[command], ...rest];
}

/** A REQUEST or REPLY command: the client's address, the empty delimiter, then the body. */
export function workerEnvelope(
  command: "REQUEST" | "REPLY",
  client: Uint8Array,
  body: Uint8Array[],
): Uint8Array[] {
  return workerCommand(command, client, EMPTY, ...body);
}

/** An MDP/Client request as a REQ socket sends it (the REQ adds frame 0 itself). */
export function clientRequest(service: string, body: Uint8Array[]): Uint8Array[] {
  return [CLIENT, bytes(service), ...body];
}

/** The frames after the routing id of a REPLY to a client, from frame 0 (the empty frame) on. */
export function clientReply(service: Uint8Array, body: Uint8Array[]): Uint8Array[] {
  return [EMPTY, CLIENT, service, ...body];
}

/** True if `frames` (from frame 0 on) start with the empty frame and `header`. */
function hasHeader(frames: Uint8Array[], header: Uint8Array): boolean {
  return frames.length >= 2 && frames[0].length === 0 && sameBytes(frames[1], header);
}

/** True if the frames (from frame 0 on) carry the MDP/Client header. */
export function isClientMessage(frames: Uint8Array[]): boolean {
  return hasHeader(frames, CLIENT);
}

/** True if the frames (from frame 0 on) carry the MDP/Worker header. */
export function isWorkerMessage(frames: Uint8Array[]): boolean {
  return hasHeader(frames, WORKER);
}

/**
 * Reads an MDP/Worker message from frame 0 (the empty frame) on, checking every frame count
 * RFC 7 gives: READY has exactly 4 frames, REQUEST and REPLY 6 or more with an empty frame 4,
 * HEARTBEAT and DISCONNECT exactly 3.
 */
export function parseWorkerMessage(frames: Uint8Array[]): WorkerMessage {
  if (!isWorkerMessage(frames)) return { command: null, invalid: "not an MDPW01 message" };
  const code = frames[2]?.length === 1 ? frames[2][0] : -1;
  const command = COMMAND_NAMES.get(code);
  if (command === undefined) return { command: null, invalid: "unknown MDPW01 command" };
  switch (command) {
    case "READY": {
      const service = textOrNull(frames[3]);
      if (frames.length !== 4 || !isServiceName(service)) {
        return { command: null, invalid: "READY needs exactly one service name frame" };
      }
      return { command, service };
    }
    case "REQUEST":
    case "REPLY":
      if (frames.length < 6 || frames[4].length !== 0) {
        return {
          command: null,
          invalid: `${command} needs a client address, an empty frame and a body`,
        };
      }
      return { command, client: frames[3], body: frames.slice(5) };
    default:
      if (frames.length !== 3) {
        return { command: null, invalid: `${command} takes no frames after the command` };
      }
      return { command };
  }
}

/** Reads an MDP/Client request from frame 0 (the empty frame) on. */
export function parseClientRequest(frames: Uint8Array[]): ClientRequest {
  if (!isClientMessage(frames)) return { invalid: "not an MDPC01 message" };
  const service = textOrNull(frames[2]);
  if (!isServiceName(service)) return { invalid: "the service name is not printable text" };
  if (frames.length < 4) return { invalid: "a request needs a body" };
  return { service, body: frames.slice(3) };
}

/**
 * Reads an MDP/Client reply. `frames` start at frame 1 (`"MDPC01"`) for a REQ socket, which
 * removes frame 0 itself, and at frame 0 for a DEALER (`dealer: true`).
 */
export function parseClientReply(frames: Uint8Array[], dealer: boolean): ClientReply {
  const from = dealer ? [...frames] : [EMPTY, ...frames];
  if (!isClientMessage(from)) return { invalid: "the reply is not an MDPC01 message" };
  const service = textOrNull(from[2]);
  if (!isServiceName(service)) return { invalid: "the reply's service name is not text" };
  if (from.length < 4) return { invalid: "the reply has no body" };
  return { service, body: from.slice(3) };
}
