// Sending from a ROUTER with ROUTER_MANDATORY, as the broker and the queue do.
import { ZmqError } from "../core/errors.ts";
import type { Socket } from "../core/socket.ts";

/**
 * Sends without waiting: false if the peer is gone (EHOSTUNREACH) or not taking messages (at
 * its high-water mark), so the caller can forget that peer instead of blocking on it.
 */
export async function sendNow(socket: Socket, frames: Uint8Array[]): Promise<boolean> {
  try {
    await socket.send(frames, { timeout: 0 });
    return true;
  } catch (e) {
    if (e instanceof ZmqError && (e.code === "EHOSTUNREACH" || e.code === "EAGAIN")) return false;
    throw e;
  }
}
