// The backend's libc half: the calls into the C library rather than libzmq (through _ffi.ts's
// `libc`): file descriptors, the reactor's wake pipe and poll(2), the pointer check of
// core/_shared.ts, and what the kernel allows, checked before libzmq would abort on it
// (core/_guards.ts). Re-exported by core/_backend.ts, the boundary's one door.
import { libc, type Pointer, zmq } from "./_ffi.ts";
import { ERRNO } from "./constants.ts";
import { errorFromErrno } from "./errors.ts";
import { strerror } from "./_backend_errors.ts";

const encoder = new TextEncoder();

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
export function setNonBlocking(fd: number): boolean {
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
