// The native boundary: with the halves it re-exports (_backend_errors.ts, _backend_frames.ts,
// _backend_libc.ts, _backend_draft.ts), the only module that calls the symbols of _ffi.ts
// (libzmq's C API and the few libc calls the reactor needs) and the only one besides _ffi.ts and
// _loader.ts that touches Deno's raw FFI (pointers as numbers, C strings). Every other file, in
// core/ too, comes here; tools/boundary.ts checks it in CI. This file keeps the library, contexts,
// sockets, options, monitors, the proxy and CURVE. A thin layer: each function is one zmq_* call (or a
// short fixed sequence), returns what the C call returns, and turns a failure into a ZmqError
// built from zmq_errno() read right after the failing call. No policy lives here.
import { found, libc, type Pointer, zmq } from "./_ffi.ts";
import { ERRNO, type OptionSpec } from "./constants.ts";
import type { ErrorContext } from "./errors.ts";
import { cString, lastError } from "./_backend_errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export { ERRNO };
export type { Pointer };

// ---- errors and C strings: core/_backend_errors.ts ----

export { cString, errno, lastError, strerror } from "./_backend_errors.ts";

/** zmq_has */
export function has(capability: string): boolean {
  return zmq.zmq_has(cString(capability, { op: "has" })) === 1;
}

/** The path of the libzmq file that was opened. */
export function libraryPath(): string {
  return found.path;
}

/** zmq_version as "major.minor.patch". */
export function version(): string {
  const v = new Int32Array(3);
  zmq.zmq_version(v.subarray(0, 1), v.subarray(1, 2), v.subarray(2, 3));
  return `${v[0]}.${v[1]}.${v[2]}`;
}

// ---- contexts ----

/** zmq_ctx_new */
export function ctxNew(): Pointer {
  const p = zmq.zmq_ctx_new();
  if (p === null) throw lastError({ op: "zmq_ctx_new" });
  return p;
}

/** zmq_ctx_set */
export function ctxSet(ctx: Pointer, option: number, value: number, context: ErrorContext): void {
  if (zmq.zmq_ctx_set(ctx, option, value) !== 0) throw lastError(context);
}

/**
 * zmq_ctx_get. Through zmq_ctx_get_ext where it exists, whose answer is apart from the value:
 * zmq_ctx_get's -1 is both a failure and THREAD_SCHED_POLICY's default.
 */
export function ctxGet(ctx: Pointer, option: number, context: ErrorContext): number {
  if (zmq.zmq_ctx_get_ext !== null) {
    const value = new Int32Array(1);
    const len = new BigUint64Array([4n]);
    const rc = zmq.zmq_ctx_get_ext(
      ctx,
      option,
      new Uint8Array(value.buffer),
      new Uint8Array(len.buffer),
    );
    if (rc !== 0) throw lastError(context);
    return value[0];
  }
  const v = zmq.zmq_ctx_get(ctx, option);
  if (v < 0) throw lastError(context);
  return v;
}

/** Whether zmq_ctx_set_ext / zmq_ctx_get_ext exist (DRAFT API: text context options). */
export const hasCtxExt: boolean = zmq.zmq_ctx_set_ext !== null && zmq.zmq_ctx_get_ext !== null;

/** zmq_ctx_set_ext with bytes (THREAD_NAME_PREFIX as text). */
export function ctxSetBytes(
  ctx: Pointer,
  option: number,
  value: Uint8Array,
  context: ErrorContext,
): void {
  const buf = new Uint8Array(new ArrayBuffer(Math.max(1, value.length)));
  buf.set(value);
  if (zmq.zmq_ctx_set_ext!(ctx, option, buf, BigInt(value.length)) !== 0) {
    throw lastError(context);
  }
}

/**
 * zmq_ctx_get_ext into a zeroed buffer of `size` bytes, answered up to its first NUL: libzmq
 * copies text options without their terminator and without saying their length.
 */
export function ctxGetText(
  ctx: Pointer,
  option: number,
  size: number,
  context: ErrorContext,
): string {
  const buf = new Uint8Array(new ArrayBuffer(size + 1));
  const len = new BigUint64Array([BigInt(size)]);
  if (zmq.zmq_ctx_get_ext!(ctx, option, buf, new Uint8Array(len.buffer)) !== 0) {
    throw lastError(context);
  }
  const end = buf.indexOf(0);
  return decoder.decode(buf.subarray(0, end === -1 ? size : end));
}

/** zmq_ctx_term, blocking the calling thread until every socket is closed. */
export function ctxTerm(ctx: Pointer): void {
  while (zmq.zmq_ctx_term(ctx) !== 0) {
    const e = lastError({ op: "terminate context" });
    if (e.code !== "EINTR") throw e;
  }
}

/** zmq_ctx_term's address, for a thread of our own (null where that cannot be had). */
const ctxTermAddress: Pointer | null = (() => {
  if (libc.pthread_timedjoin_np === null || libc.dlopen === null || libc.dlsym === null) {
    return null;
  }
  const RTLD_NOW = 2, RTLD_NOLOAD = 4; // the library is loaded: this only finds its handle
  const handle = libc.dlopen(encoder.encode(found.path + "\0"), RTLD_NOW | RTLD_NOLOAD);
  return handle === null ? null : libc.dlsym(handle, encoder.encode("zmq_ctx_term\0"));
})();

/**
 * zmq_ctx_term, blocking the calling thread until every socket is closed and lingering messages
 * are sent (or dropped). If that takes longer than `lateMs`, `onLate` is called once while it
 * goes on (Linux: the call runs on a thread of its own that this one joins with a deadline;
 * elsewhere `onLate` is never called).
 */
export function ctxTermWatched(ctx: Pointer, lateMs: number, onLate: () => void): void {
  if (ctxTermAddress === null) return ctxTerm(ctx);
  const thread = new BigUint64Array(1);
  const rc = libc.pthread_create!(new Uint8Array(thread.buffer), null, ctxTermAddress, ctx);
  if (rc !== 0) return ctxTerm(ctx); // no thread to be had: wait here
  const deadline = new BigInt64Array(2);
  const CLOCK_REALTIME = 0, ETIMEDOUT = 110;
  libc.clock_gettime!(CLOCK_REALTIME, new Uint8Array(deadline.buffer));
  const ns = deadline[1] + BigInt(Math.round(lateMs * 1e6));
  deadline[0] += ns / 1_000_000_000n;
  deadline[1] = ns % 1_000_000_000n;
  const result = new BigInt64Array(1);
  const out = new Uint8Array(result.buffer);
  const joined = libc.pthread_timedjoin_np!(thread[0], out, new Uint8Array(deadline.buffer));
  if (joined === ETIMEDOUT) {
    onLate();
    libc.pthread_join!(thread[0], out);
  }
  // the thread's result is zmq_ctx_term's int: -1 (EINTR) means it must be called again
  if (Number(BigInt.asIntN(32, result[0])) !== 0) ctxTerm(ctx);
}

/** zmq_ctx_term on Deno's thread pool, so the JS thread stays free while sockets linger. */
export async function ctxTermAsync(ctx: Pointer): Promise<void> {
  while ((await zmq.zmq_ctx_term_async(ctx)) !== 0) {
    // errno is per thread: the pool thread's errno cannot be read here. The only documented
    // failures are EFAULT (bad context, prevented by our guards) and EINTR (retry).
  }
}

/** zmq_ctx_shutdown */
export function ctxShutdown(ctx: Pointer): void {
  zmq.zmq_ctx_shutdown(ctx);
}

// ---- sockets ----

/** zmq_socket */
export function socketNew(ctx: Pointer, type: number, context: ErrorContext): Pointer {
  const p = zmq.zmq_socket(ctx, type);
  if (p === null) throw lastError(context);
  return p;
}

/** zmq_close */
export function socketClose(sock: Pointer): void {
  zmq.zmq_close(sock);
}

type EndpointCall = "zmq_bind" | "zmq_connect" | "zmq_unbind" | "zmq_disconnect";

/** zmq_bind / zmq_connect / zmq_unbind / zmq_disconnect */
export function endpointCall(
  call: EndpointCall,
  sock: Pointer,
  endpoint: string,
  context: ErrorContext,
): void {
  if (zmq[call](sock, cString(endpoint, context)) !== 0) throw lastError(context);
}

const optLen = new BigUint64Array(1);
const optBuf = new Uint8Array(256);
const optView = new DataView(optBuf.buffer);
const ONE_BYTE = new Uint8Array(1);

/**
 * zmq_setsockopt with the value already encoded for the option's kind; `null` passes a NULL
 * value of length 0 (how libzmq clears SOCKS_PROXY, BINDTODEVICE and TCP_ACCEPT_FILTER).
 */
export function setsockopt(
  sock: Pointer,
  spec: OptionSpec,
  value: number | bigint | boolean | Uint8Array | null,
  context: ErrorContext,
): void {
  let buf: Uint8Array | null;
  let len: number;
  if (value === null) {
    buf = null;
    len = 0;
  } else if (value instanceof Uint8Array) {
    buf = value.length ? value : ONE_BYTE;
    len = value.length;
  } else if (spec.kind === "int64" || spec.kind === "uint64") {
    optView.setBigInt64(0, BigInt(value), true);
    buf = optBuf;
    len = 8;
  } else {
    optView.setInt32(0, Number(value), true);
    buf = optBuf;
    len = 4;
  }
  if (zmq.zmq_setsockopt(sock, spec.id, buf, BigInt(len)) !== 0) throw lastError(context);
}

/** How much a text or bytes option may take when read: libzmq refuses a smaller buffer. */
const LONG_OPTION = 64 * 1024;

/** zmq_getsockopt, decoded by the option's kind. */
export function getsockopt(
  sock: Pointer,
  spec: OptionSpec,
  context: ErrorContext,
): number | bigint | boolean | Uint8Array | string {
  const size = spec.kind === "int" || spec.kind === "bool"
    ? 4
    : spec.kind === "int64" || spec.kind === "uint64"
    ? 8
    : spec.kind === "key"
    ? 41
    : optBuf.length;
  let buf = optBuf;
  optLen[0] = BigInt(size);
  if (zmq.zmq_getsockopt(sock, spec.id, buf, optLen) !== 0) {
    // a text longer than the buffer (a long ws:// LAST_ENDPOINT, say): once more, larger
    if ((spec.kind !== "bytes" && spec.kind !== "string") || zmq.zmq_errno() !== ERRNO.EINVAL) {
      throw lastError(context);
    }
    buf = new Uint8Array(LONG_OPTION);
    optLen[0] = BigInt(LONG_OPTION);
    if (zmq.zmq_getsockopt(sock, spec.id, buf, optLen) !== 0) throw lastError(context);
  }
  const len = Number(optLen[0]);
  switch (spec.kind) {
    case "int":
      return optView.getInt32(0, true);
    case "bool":
      return optView.getInt32(0, true) !== 0;
    case "int64":
      return optView.getBigInt64(0, true);
    case "uint64":
      return optView.getBigUint64(0, true);
    case "bytes":
      return buf.slice(0, len);
    default: {
      const end = buf.subarray(0, len).indexOf(0);
      return decoder.decode(buf.subarray(0, end === -1 ? len : end));
    }
  }
}

/**
 * zmq_setsockopt of option number `id` with `bytes` as they are (Socket.setOptionRaw, after
 * its checks). The value travels in a copy padded to at least 8 bytes, so that libzmq reading
 * a fixed-size value from a shorter one reads zeros, never memory beyond it.
 */
export function setsockoptRaw(
  sock: Pointer,
  id: number,
  bytes: Uint8Array,
  context: ErrorContext,
): void {
  const buf = new Uint8Array(new ArrayBuffer(Math.max(8, bytes.length)));
  buf.set(bytes);
  if (zmq.zmq_setsockopt(sock, id, buf, BigInt(bytes.length)) !== 0) throw lastError(context);
}

/**
 * zmq_getsockopt of option number `id` into a buffer of `size` bytes (padded as above); answers
 * the bytes libzmq wrote, as many as it said.
 */
export function getsockoptRaw(
  sock: Pointer,
  id: number,
  size: number,
  context: ErrorContext,
): Uint8Array {
  const buf = new Uint8Array(new ArrayBuffer(Math.max(8, size)));
  const len = new BigUint64Array([BigInt(size)]);
  if (zmq.zmq_getsockopt(sock, id, buf, new Uint8Array(len.buffer)) !== 0) {
    throw lastError(context);
  }
  return buf.slice(0, Math.min(size, Number(len[0])));
}

const intBuf = new Int32Array(1);
const intBytes = new Uint8Array(intBuf.buffer);
const intLen = new BigUint64Array([4n]);

/** zmq_getsockopt for an int option on the hot path; answers -1 with errno set on failure. */
export function getsockoptInt(sock: Pointer, id: number): number {
  intLen[0] = 4n;
  if (zmq.zmq_getsockopt(sock, id, intBytes, intLen) !== 0) return -1;
  return intBuf[0];
}

/**
 * zmq_socket_monitor: libzmq binds a PAIR on `endpoint` and writes `events` of `sock` there;
 * a null endpoint stops the socket's monitor (failures are then ignored).
 */
export function socketMonitor(
  sock: Pointer,
  endpoint: string | null,
  events: number,
  context: ErrorContext,
): void {
  if (endpoint === null) {
    zmq.zmq_socket_monitor(sock, null, 0);
    return;
  }
  if (zmq.zmq_socket_monitor(sock, cString(endpoint, context), events) !== 0) {
    throw lastError(context);
  }
}

/**
 * zmq_proxy_steerable on Deno's thread pool (control and capture may be null): resolves with
 * its return value once the proxy ends. The sockets belong to that thread until then.
 */
export function proxySteerable(
  frontend: Pointer | null,
  backend: Pointer | null,
  capture: Pointer | null,
  control: Pointer | null,
): Promise<number> {
  return zmq.zmq_proxy_steerable_async(frontend, backend, capture, control);
}

// ---- CURVE keys and Z85 ----

/** zmq_z85_encode of bytes whose length is a multiple of 4; null if libzmq refused them. */
export function z85Encode(bytes: Uint8Array): string | null {
  const out = new Uint8Array(new ArrayBuffer((bytes.length / 4) * 5 + 1));
  const data = new Uint8Array(bytes); // a copy in its own buffer for the native call
  if (zmq.zmq_z85_encode(out, data, BigInt(data.length)) === null) return null;
  return decoder.decode(out.subarray(0, out.length - 1));
}

/**
 * zmq_z85_decode of text whose length is a multiple of 5, in Z85's alphabet; null if a group
 * of 5 characters does not fit in 32 bits.
 */
export function z85Decode(text: string, context: ErrorContext): Uint8Array | null {
  const out = new Uint8Array(new ArrayBuffer((text.length / 5) * 4));
  return zmq.zmq_z85_decode(out, cString(text, context)) === null ? null : out;
}

/** zmq_curve_keypair as Z85 text; a number (the errno) if libzmq could not make one. */
export function curveKeypair(): { publicKey: string; secretKey: string } | number {
  const pub = new Uint8Array(new ArrayBuffer(41));
  const sec = new Uint8Array(new ArrayBuffer(41));
  if (zmq.zmq_curve_keypair(pub, sec) !== 0) return zmq.zmq_errno();
  return {
    publicKey: decoder.decode(pub.subarray(0, 40)),
    secretKey: decoder.decode(sec.subarray(0, 40)),
  };
}

/** zmq_curve_public of a 40-character Z85 secret key; null if libzmq refused it. */
export function curvePublic(secretKey: string, context: ErrorContext): string | null {
  const pub = new Uint8Array(new ArrayBuffer(41));
  if (zmq.zmq_curve_public(pub, cString(secretKey, context)) !== 0) return null;
  return decoder.decode(pub.subarray(0, 40));
}

// ---- pointers as numbers (the shared context table of core/_shared.ts) ----

/** A native pointer's address, to store in shared memory. */
export function addressOf(ptr: Pointer): bigint {
  return BigInt(Deno.UnsafePointer.value(ptr));
}

/** The pointer at `address` (non-zero: an address stored by addressOf). */
export function pointerAt(address: bigint): Pointer {
  return Deno.UnsafePointer.create(address)!;
}

// ---- messages: core/_backend_frames.ts (the half of the boundary that moves frames) ----

export {
  type AddressedFrame,
  allocShared,
  closeShared,
  lastDroppedSize,
  lastFrameMore,
  type MessageSlot,
  recvAddressed,
  recvBatch,
  recvFrame,
  recvShared,
  sendAddressed,
  sendFrame,
  sendShared,
  sharedCounts,
  sharedElsewhere,
  type SharedMessage,
  staged,
  type StagedBatch,
} from "./_backend_frames.ts";

// ---- libc: descriptors, the reactor's pipe and poll(2), the kernel's limits: core/_backend_libc.ts ----

export {
  allowedCpus,
  canOpenFds,
  canPollSync,
  closeWakePipe,
  describeSocketFd,
  kernelHasSocket,
  makeWakePipe,
  niceProbe,
  pollFds,
  pollFdsSync,
  pollNow,
  readable,
  schedulingError,
  socketPriorityAllowed,
  wakeDrain,
  wakeWrite,
} from "./_backend_libc.ts";

// ---- DRAFT: thread-safe sockets, groups, peers, monitor v2: core/_backend_draft.ts ----

export {
  connectPeer,
  draftApi,
  drainSignal,
  groupCall,
  monitorPipesStats,
  monitorV2Api,
  pollerClose,
  pollerOpen,
  socketMonitorV2,
} from "./_backend_draft.ts";

/** Whether this build has zmq_socket_get_peer_state (DRAFT, libzmq 4.3.2 and later). */
export const peerStateApi: boolean = zmq.zmq_socket_get_peer_state !== null;

/**
 * zmq_socket_get_peer_state of a ROUTER's peer `routingId` (1 to 255 bytes), after the commands
 * libzmq has queued for the socket were processed (reading ZMQ_EVENTS does that: a peer that
 * drained its queue since is seen as such). Answers the events the peer is ready for (POLLOUT:
 * its queue takes a message); throws EHOSTUNREACH for no such peer.
 */
export function peerState(sock: Pointer, routingId: Uint8Array, context: ErrorContext): number {
  getsockoptInt(sock, 15); // ZMQ_EVENTS
  const id = routingId.length ? routingId : ONE_BYTE;
  const state = zmq.zmq_socket_get_peer_state!(sock, id, BigInt(routingId.length));
  if (state < 0) throw lastError(context);
  return state;
}
