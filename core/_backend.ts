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

/**
 * Whether the kernel gives this process a socket of address `family` and `type` (tried, and
 * closed at once): a transport compiled into libzmq (tipc) still needs the kernel's support.
 */
export function kernelHasSocket(family: number, type: number): boolean {
  if (libc.socket === null) return false;
  const fd = libc.socket(family, type, 0);
  if (fd < 0) return false;
  libc.close(fd);
  return true;
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
  for (const fd of fds) setNonBlocking(fd);
  return [fds[0], fds[1]];
}

/** Makes reads of `fd` answer EAGAIN instead of blocking; false if fcntl(2) failed. */
function setNonBlocking(fd: number): boolean {
  const F_GETFL = 3, F_SETFL = 4;
  const O_NONBLOCK = Deno.build.os === "darwin" ? 0x4 : 0x800;
  const flags = libc.fcntl(fd, F_GETFL, 0);
  if (flags < 0) return false;
  return (flags & O_NONBLOCK) !== 0 || libc.fcntl(fd, F_SETFL, flags | O_NONBLOCK) >= 0;
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

/** The pipe readable() writes to: [readFd, writeFd], made on first use. */
let probePipe: [number, number] | null = null;

/**
 * True if `bytes` bytes at `ptr` can be read: the kernel copies them into a pipe, or answers
 * EFAULT where reading them from JS would kill the process. Says nothing of what is there.
 * True as well when no pipe can be made (then nothing can be checked).
 */
export function readable(ptr: Pointer, bytes: number): boolean {
  if (probePipe === null) {
    const fds = new Int32Array(2);
    if (libc.pipe(new Uint8Array(fds.buffer)) !== 0) return true;
    for (const fd of fds) setNonBlocking(fd);
    probePipe = [fds[0], fds[1]];
  }
  const written = Number(libc.write_from(probePipe[1], ptr, BigInt(bytes)));
  if (written > 0) wakeDrain(probePipe[0]);
  return written === bytes;
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

// ---- what the kernel allows: the checks made before libzmq would abort (core/_guards.ts) ----

const linux = Deno.build.os === "linux";
const SOL_SOCKET = 1, SO_TYPE = 3, SO_PRIORITY = 12, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;

/** What a file descriptor is, for USE_FD: null if it is not a socket (or this is not Linux). */
export function describeSocketFd(
  fd: number,
): { family: number; type: number; listening: boolean } | null {
  if (!linux || libc.getsockopt === null) return null;
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  const len = new Uint32Array(1);
  const read = (name: number): number | null => {
    len[0] = 4;
    return libc.getsockopt!(fd, SOL_SOCKET, name, bytes, new Uint8Array(len.buffer)) === 0
      ? value[0]
      : null;
  };
  const type = read(SO_TYPE);
  if (type === null) return null;
  return { family: read(SO_DOMAIN) ?? -1, type, listening: read(SO_ACCEPTCONN) === 1 };
}

/**
 * Whether the kernel lets this process give a TCP socket priority `priority` (SO_PRIORITY:
 * above 6 needs CAP_NET_ADMIN or CAP_NET_RAW, and libzmq aborts when it is refused). Tried on a socket of
 * its own, closed at once; false where that cannot be tried.
 */
export function socketPriorityAllowed(priority: number): boolean {
  if (!linux || libc.socket === null || libc.setsockopt === null) return false;
  const AF_INET = 2, SOCK_STREAM = 1;
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const value = new Int32Array([priority]);
  const rc = libc.setsockopt(fd, SOL_SOCKET, SO_PRIORITY, new Uint8Array(value.buffer), 4);
  libc.close(fd);
  return rc === 0;
}

/** The CPUs this thread may run on (sched_getaffinity), or null where that is unknown. */
export function allowedCpus(): number[] | null {
  if (!linux || libc.sched_getaffinity === null) return null;
  const mask = new Uint8Array(128); // 1024 CPUs, glibc's cpu_set_t
  if (libc.sched_getaffinity(0, BigInt(mask.length), mask) !== 0) return null;
  const cpus: number[] = [];
  for (let i = 0; i < mask.length * 8; i++) if (mask[i >> 3] & (1 << (i & 7))) cpus.push(i);
  return cpus;
}

/** getpid from libc: a harmless start routine for the probe thread below. */
const probeRoutine: Pointer | null = (() => {
  if (!linux || libc.dlopen === null || libc.dlsym === null) return null;
  const RTLD_NOW = 2, RTLD_NOLOAD = 4;
  const handle = libc.dlopen(encoder.encode("libc.so.6\0"), RTLD_NOW | RTLD_NOLOAD);
  return handle === null ? null : libc.dlsym(handle, encoder.encode("getpid\0"));
})();

/**
 * Whether a thread may be started with scheduling `policy` at `priority` (what libzmq's I/O
 * threads ask for, aborting when refused): tried by starting a thread with exactly those
 * attributes, which does nothing and is joined at once. Answers 0, or the errno (EPERM: not
 * allowed to this process; EINVAL: not a valid pair); ENOTSUP where it cannot be tried.
 */
export function schedulingError(policy: number, priority: number): number {
  const l = libc;
  if (
    probeRoutine === null || l.pthread_attr_init === null || l.pthread_attr_destroy === null ||
    l.pthread_attr_setinheritsched === null || l.pthread_attr_setschedpolicy === null ||
    l.pthread_attr_setschedparam === null || l.pthread_create === null || l.pthread_join === null
  ) return ERRNO.ENOTSUP;
  const attr = new Uint8Array(new ArrayBuffer(128)); // pthread_attr_t: 56 bytes on x86-64
  if (l.pthread_attr_init(attr) !== 0) return ERRNO.ENOTSUP;
  try {
    const PTHREAD_EXPLICIT_SCHED = 1;
    const param = new Int32Array([priority]);
    let rc = l.pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
    if (rc === 0) rc = l.pthread_attr_setschedpolicy(attr, policy);
    if (rc === 0) rc = l.pthread_attr_setschedparam(attr, new Uint8Array(param.buffer));
    if (rc !== 0) return rc;
    const thread = new BigUint64Array(1);
    rc = l.pthread_create(new Uint8Array(thread.buffer), attr, probeRoutine, null);
    if (rc !== 0) return rc;
    l.pthread_join(thread[0], new Uint8Array(8));
    return 0;
  } finally {
    l.pthread_attr_destroy(attr);
  }
}

/**
 * The nice value of this thread, and whether it may be lowered to -20 (what libzmq's
 * `nice(-20)` needs for a THREAD_PRIORITY with a non-real-time policy): tried, then put back.
 * Null where that is unknown.
 */
export function niceProbe(): { nice: number; mayRaise: boolean } | null {
  if (!linux || libc.getpriority === null || libc.setpriority === null) return null;
  const PRIO_PROCESS = 0; // with who = 0: the calling thread, on Linux
  const nice = libc.getpriority(PRIO_PROCESS, 0);
  if (nice === -20) return { nice, mayRaise: true };
  const mayRaise = libc.setpriority(PRIO_PROCESS, 0, -20) === 0;
  if (mayRaise) libc.setpriority(PRIO_PROCESS, 0, nice);
  return { nice, mayRaise };
}

/**
 * poll(2) of plain file descriptors with timeout 0, on the JS thread: answers each one's
 * `revents` (0: not ready), in the order given.
 */
export function pollNow(fds: readonly number[], events: readonly number[]): number[] {
  const buf = new Uint8Array(new ArrayBuffer(8 * Math.max(1, fds.length)));
  const view = new DataView(buf.buffer);
  fds.forEach((fd, i) => {
    view.setInt32(i * 8, fd, true);
    view.setInt16(i * 8 + 4, events[i], true);
  });
  while (libc.poll_now(buf, BigInt(fds.length), 0) < 0) {
    if (zmq.zmq_errno() !== ERRNO.EINTR) break;
  }
  return fds.map((_, i) => view.getInt16(i * 8 + 6, true));
}

// ---- DRAFT: thread-safe sockets, addressed messages, properties, monitor v2 ----

/**
 * Whether the library has libzmq's DRAFT API (its symbols are optional in _ffi.ts: a build
 * without DRAFT, such as Debian's libzmq5, lacks them).
 */
export const draftApi: boolean = zmq.zmq_poller_new !== null && zmq.zmq_poller_add !== null &&
  zmq.zmq_poller_fd !== null && zmq.zmq_poller_destroy !== null && zmq.zmq_join !== null &&
  zmq.zmq_leave !== null && zmq.zmq_connect_peer !== null && zmq.zmq_msg_init_buffer !== null &&
  zmq.zmq_msg_set_routing_id !== null && zmq.zmq_msg_routing_id !== null &&
  zmq.zmq_msg_set_group !== null && zmq.zmq_msg_group !== null;

/** Whether zmq_socket_monitor_versioned (monitor events of version 2) exists in this build. */
export const monitorV2Api: boolean = zmq.zmq_socket_monitor_versioned !== null &&
  zmq.zmq_socket_monitor_pipes_stats !== null;

const ZMQ_POLLIN = 1;

/**
 * A zmq_poller holding the thread-safe socket `sock`, and its descriptor (libzmq's signaler:
 * readable when a command reached the socket, until drained with drainSignal). Only for
 * builds with the DRAFT API.
 */
export function pollerOpen(sock: Pointer, context: ErrorContext): { poller: Pointer; fd: number } {
  const poller = zmq.zmq_poller_new!();
  if (poller === null) throw lastError(context);
  const fd = new Int32Array(1);
  if (
    zmq.zmq_poller_add!(poller, sock, null, ZMQ_POLLIN) !== 0 ||
    zmq.zmq_poller_fd!(poller, new Uint8Array(fd.buffer)) !== 0
  ) {
    const error = lastError(context);
    pollerClose(poller);
    throw error;
  }
  // libzmq makes the signaler's descriptor non-blocking; drainSignal must never block on it
  if (!setNonBlocking(fd[0])) {
    pollerClose(poller);
    throw zmqError("EINVAL", "The zmq_poller's descriptor is unusable", context);
  }
  return { poller, fd: fd[0] };
}

/** zmq_poller_destroy: removes the socket's signaler from it and frees the poller. */
export function pollerClose(poller: Pointer): void {
  const cell = new BigUint64Array([BigInt(Deno.UnsafePointer.value(poller))]);
  zmq.zmq_poller_destroy!(new Uint8Array(cell.buffer));
}

/**
 * Empties a poller's signaler: reads until it would block (an eventfd answers its whole count
 * at once). Done before the socket's state is read, a signal after it wakes the next poll.
 */
export function drainSignal(fd: number): void {
  wakeDrain(fd);
}

/** zmq_join / zmq_leave with `group` as a NUL-terminated C string. */
export function groupCall(
  call: "zmq_join" | "zmq_leave",
  sock: Pointer,
  group: Uint8Array<ArrayBuffer>,
  context: ErrorContext,
): void {
  if (zmq[call]!(sock, group) !== 0) throw lastError(context);
}

/** zmq_connect_peer: answers the new peer's routing id. */
export function connectPeer(sock: Pointer, endpoint: string, context: ErrorContext): number {
  const id = zmq.zmq_connect_peer!(sock, cString(endpoint, context));
  if (id === 0) throw lastError(context);
  return id;
}

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

/**
 * zmq_socket_monitor_versioned: events of version 2 (64-bit event numbers, every value, the
 * local and remote addresses) of `sock`, on a PAIR libzmq binds at `endpoint`.
 */
export function socketMonitorV2(
  sock: Pointer,
  endpoint: string,
  events: bigint,
  context: ErrorContext,
): void {
  const ZMQ_PAIR = 0;
  const rc = zmq.zmq_socket_monitor_versioned!(
    sock,
    cString(endpoint, context),
    events,
    2,
    ZMQ_PAIR,
  );
  if (rc !== 0) throw lastError(context);
}

/**
 * zmq_socket_monitor_pipes_stats: asks every pipe of a socket monitored for PIPES_STATS (v2)
 * to report its queues. Answers false when the socket has no pipe (nothing to report).
 */
export function monitorPipesStats(sock: Pointer, context: ErrorContext): boolean {
  if (zmq.zmq_socket_monitor_pipes_stats!(sock) === 0) return true;
  const error = lastError(context);
  if (error.code === "EAGAIN") return false;
  throw error;
}
