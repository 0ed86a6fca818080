// The native boundary: the only module that calls the symbols of _ffi.ts (libzmq's C API and
// the few libc calls the reactor needs) and the only one besides _ffi.ts and _loader.ts that
// touches Deno's raw FFI (pointers as numbers, C strings). Every other file, in core/ too, comes
// here; tools/boundary.ts checks it in CI. A thin layer: each function is one zmq_* call (or a
// short fixed sequence), returns what the C call returns, and turns a failure into a ZmqError
// built from zmq_errno() read right after the failing call. No policy lives here.
import { found, libc, type Pointer, zmq } from "./_ffi.ts";
import { ERRNO, type OptionSpec } from "./constants.ts";
import { type ErrorContext, errorFromErrno, type ZmqError, zmqError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export { ERRNO };
export type { Pointer };

/** libzmq's message for an errno. */
export function strerror(errno: number): string {
  const p = zmq.zmq_strerror(errno);
  return p ? Deno.UnsafePointerView.getCString(p) : `errno ${errno}`;
}

/** The current errno as a ZmqError with context. Call right after the failing zmq_* call. */
export function lastError(context: ErrorContext): ZmqError {
  const errno = zmq.zmq_errno();
  return errorFromErrno(errno, strerror(errno), context);
}

/** Encodes a JS string as a NUL-terminated C string; rejects strings with NUL inside. */
export function cString(s: string, context: ErrorContext): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) {
    throw zmqError("EINVAL", "String contains a NUL character", context);
  }
  return encoder.encode(s + "\0");
}

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

/** zmq_ctx_get */
export function ctxGet(ctx: Pointer, option: number, context: ErrorContext): number {
  const v = zmq.zmq_ctx_get(ctx, option);
  if (v < 0) throw lastError(context);
  return v;
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

/** zmq_setsockopt with the value already encoded for the option's kind. */
export function setsockopt(
  sock: Pointer,
  spec: OptionSpec,
  value: number | bigint | boolean | Uint8Array,
  context: ErrorContext,
): void {
  let buf: Uint8Array;
  let len: number;
  if (value instanceof Uint8Array) {
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
  optLen[0] = BigInt(size);
  if (zmq.zmq_getsockopt(sock, spec.id, optBuf, optLen) !== 0) throw lastError(context);
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
      return optBuf.slice(0, len);
    default: {
      const end = optBuf.subarray(0, len).indexOf(0);
      return decoder.decode(optBuf.subarray(0, end === -1 ? len : end));
    }
  }
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

/** zmq_errno */
export function errno(): number {
  return zmq.zmq_errno();
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
  allocShared,
  closeShared,
  lastDroppedSize,
  lastFrameMore,
  type MessageSlot,
  recvBatch,
  recvFrame,
  recvShared,
  sendFrame,
  sendShared,
  sharedCounts,
  sharedElsewhere,
  type SharedMessage,
  staged,
  type StagedBatch,
} from "./_backend_frames.ts";

// ---- file descriptors ----

/**
 * Whether `count` more file descriptors can be opened now (tried with pipes, closed at once).
 * libzmq aborts the process when it cannot get the descriptors of a starting context's threads
 * (epoll_create in errno_assert), so a context is checked before its first socket.
 */
export function canOpenFds(count: number): boolean {
  const fds = new Int32Array(2);
  const bytes = new Uint8Array(fds.buffer);
  const opened: number[] = [];
  let ok = true;
  for (let i = 0; i < count; i += 2) {
    if (libc.pipe(bytes) !== 0) {
      ok = false;
      break;
    }
    opened.push(fds[0], fds[1]);
  }
  for (const fd of opened) libc.close(fd);
  return ok;
}

// ---- reactor support (libc) ----

/** Creates a self-pipe [readFd, writeFd] with a non-blocking read end. */
export function makeWakePipe(): [number, number] {
  const fds = new Int32Array(2);
  if (libc.pipe(new Uint8Array(fds.buffer)) !== 0) {
    const errno = zmq.zmq_errno(); // libc's errno: the same thread-local variable
    throw errorFromErrno(
      errno,
      `${strerror(errno)}: no file descriptor left for the reactor's wake pipe, ` +
        "so this operation cannot wait (close files or raise the limit: ulimit -n)",
      { op: "wait" },
    );
  }
  const F_GETFL = 3, F_SETFL = 4;
  const O_NONBLOCK = Deno.build.os === "darwin" ? 0x4 : 0x800;
  for (const fd of fds) libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
  return [fds[0], fds[1]];
}

const wakeByte = new Uint8Array(1);
const drainBuf = new Uint8Array(64);

/** Writes one byte to the wake pipe. */
export function wakeWrite(fd: number): void {
  libc.write(fd, wakeByte, 1n);
}

/** Closes both ends of a wake pipe. */
export function closeWakePipe(readFd: number, writeFd: number): void {
  libc.close(readFd);
  libc.close(writeFd);
}

/** Empties the wake pipe. */
export function wakeDrain(fd: number): void {
  while (Number(libc.read(fd, drainBuf, BigInt(drainBuf.length))) > 0) {
    // keep reading until EAGAIN
  }
}

const timespec = new BigInt64Array(2);
const timespecBytes = new Uint8Array(timespec.buffer);

/** Whether pollFdsSync is available (ppoll(2) exists on Linux, not on macOS). */
export const canPollSync: boolean = libc.ppoll !== null;

/**
 * ppoll(2) on the JS thread, blocking it for at most `timeoutUs` microseconds: answers poll's
 * return value (0 on timeout). Only for short waits; see the reactor's hot wait.
 */
export function pollFdsSync(pollfds: Uint8Array<ArrayBuffer>, count: number, timeoutUs: number) {
  timespec[0] = BigInt(Math.floor(timeoutUs / 1e6));
  timespec[1] = BigInt(Math.floor(timeoutUs % 1e6) * 1000);
  return libc.ppoll!(pollfds, BigInt(count), timespecBytes, null);
}

/** poll(2) on the thread pool: resolves with poll's return value. */
export function pollFds(pollfds: Uint8Array<ArrayBuffer>, count: number): Promise<number> {
  return libc.poll(pollfds, BigInt(count), -1);
}
