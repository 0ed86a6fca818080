// Option values libzmq takes without a word and later aborts the process on (an assert in an
// I/O thread, which no JS code can catch), checked here first. Each check is the condition
// libzmq 4.3.5 asserts, read from its source and tried on the binary:
//
// - USE_FD that is not a listening stream socket of the endpoint's family: epoll.cpp:73 (EPERM
//   or EBADF) at bind;
// - ZAP_ENFORCE_DOMAIN on a PLAIN server without ZAP_DOMAIN: plain_server.cpp:27 at the first
//   handshake (and on a CURVE server it silently skips authentication: refused too);
// - PRIORITY above what the kernel allows this process (SO_PRIORITY above 6 needs
//   CAP_NET_ADMIN or CAP_NET_RAW): ip.cpp:212 at the first connection, in a libzmq built with
//   SO_PRIORITY (npm:zeromq 6.8.0's is not: it stores PRIORITY and never applies it, measured);
// - a thread scheduling policy or priority the kernel refuses, nice(-20) without the right to
//   it (or with a result of -1, which libzmq mistakes for a failure), a CPU this process may not
//   use: thread.cpp:315 and :343 when the context's threads start.
import {
  allowedCpus,
  describeSocketFd,
  getsockopt,
  getsockoptInt,
  niceProbe,
  type Pointer,
  schedulingError,
  socketPriorityAllowed,
} from "./_backend.ts";
import { ERRNO } from "./constants.ts";
import { type ErrorContext, zmqError } from "./errors.ts";
import { CONTEXT_OPTION_SPECS, type ContextOptionName, SOCKET_OPTIONS } from "./options.ts";
import type { ContextInternals } from "./_registry.ts";
import { SCHED_POLICIES } from "./_options.ts";

const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1;

// ---- socket options ----

/** Checks an encoded socket option value that libzmq would accept and later abort on. */
export function checkSocketValue(name: string, value: unknown, context: ErrorContext): void {
  if (name === "PRIORITY" && typeof value === "number" && value > 6) {
    if (!socketPriorityAllowed(value)) {
      throw zmqError(
        "EPERM",
        `Option PRIORITY ${value} is refused by the kernel for this process (above 6 needs ` +
          "CAP_NET_RAW); libzmq would abort at the first connection",
        context,
      );
    }
  }
  if (name === "USE_FD" && typeof value === "number" && value >= 0) {
    checkListeningFd(value, null, context);
  }
}

/** USE_FD must be a listening stream socket (of the endpoint's family, once it is known). */
function checkListeningFd(fd: number, families: number[] | null, context: ErrorContext): void {
  const what = describeSocketFd(fd);
  const libzmq = "libzmq would abort the process when it binds";
  if (what === null) {
    throw zmqError(
      "EINVAL",
      `USE_FD ${fd} is not a socket (or cannot be checked here): ${libzmq}`,
      context,
    );
  }
  if (what.type !== SOCK_STREAM || !what.listening) {
    throw zmqError("EINVAL", `USE_FD ${fd} is not a listening stream socket: ${libzmq}`, context);
  }
  if (families !== null && !families.includes(what.family)) {
    throw zmqError(
      "EINVAL",
      `USE_FD ${fd} is a socket of another address family than the endpoint's: ${libzmq}`,
      context,
    );
  }
}

/** The address families a bound endpoint's USE_FD may have; null: USE_FD plays no part. */
function familiesFor(endpoint: string): number[] | null {
  if (endpoint.startsWith("ipc://")) return [AF_UNIX];
  if (endpoint.startsWith("tcp://") || endpoint.startsWith("ws://")) return [AF_INET, AF_INET6];
  return null;
}

/**
 * Checks, before a bind or connect, the options the endpoint's connections will be made with
 * (libzmq copies them then): USE_FD, and ZAP_ENFORCE_DOMAIN without a ZAP_DOMAIN on a PLAIN or
 * CURVE server. Reads them from libzmq, so values set by number are checked too. An IPv6
 * address without IPV6 gets libzmq's ENODEV, with what to do about it.
 */
export function checkEndpointOptions(
  ptr: Pointer,
  bind: boolean,
  endpoint: string,
  context: ErrorContext,
): void {
  // libzmq answers a bare ENODEV for an IPv6 address (or source address) without IPV6
  if (/^(tcp|ws|udp):\/\/.*\[/.test(endpoint)) {
    if (getsockoptInt(ptr, SOCKET_OPTIONS.IPV6.id) === 0) {
      throw zmqError(
        "ENODEV",
        'An IPv6 address needs the IPV6 option: socket.setOption("IPV6", true), or the ' +
          "context's IPV6 before the socket is opened",
        context,
      );
    }
  }
  if (bind) {
    const fd = getsockoptInt(ptr, SOCKET_OPTIONS.USE_FD.id);
    const families = familiesFor(endpoint);
    if (fd >= 0 && families !== null) checkListeningFd(fd, families, context);
  }
  if (getsockoptInt(ptr, SOCKET_OPTIONS.ZAP_ENFORCE_DOMAIN.id) !== 1) return;
  const plain = getsockoptInt(ptr, SOCKET_OPTIONS.PLAIN_SERVER.id) === 1;
  const curve = getsockoptInt(ptr, SOCKET_OPTIONS.CURVE_SERVER.id) === 1;
  if (!plain && !curve) return;
  if (getsockopt(ptr, SOCKET_OPTIONS.ZAP_DOMAIN, context) !== "") return;
  throw zmqError(
    "EINVAL",
    `ZAP_ENFORCE_DOMAIN on a ${plain ? "PLAIN" : "CURVE"} server needs a ZAP_DOMAIN: ` +
      "without one libzmq aborts the process at a PLAIN handshake and lets every CURVE " +
      "client in without asking the authenticator. Set ZAP_DOMAIN first",
    context,
  );
}

// ---- context thread options ----

/** What this isolate set of a context's thread options (libzmq cannot read most of them). */
interface ThreadOptions {
  policy: number;
  priority: number;
  cpus: Set<number>;
}

const threadOptions = new WeakMap<ContextInternals, ThreadOptions>();

const realTime = (policy: number) => policy === SCHED_POLICIES.FIFO || policy === SCHED_POLICIES.RR;

/**
 * Checks a context option set before libzmq takes it: the thread options only before the
 * context's threads start (afterwards they would change nothing), only on the isolate's own
 * context, and only in combinations the kernel will let libzmq's threads have. Call with the
 * encoded value; `commit` records what was set once libzmq took it.
 */
export function checkContextValue(
  internals: ContextInternals,
  name: ContextOptionName,
  value: number | Uint8Array,
  context: ErrorContext,
): () => void {
  const spec = CONTEXT_OPTION_SPECS[name];
  if (!("beforeStart" in spec)) return () => {};
  if (internals.adopted) {
    throw zmqError(
      "EINVAL",
      `Context option ${name} can only be set by the isolate that created the context`,
      context,
    );
  }
  if (internals.shared?.started ?? internals.started) {
    throw zmqError(
      "EINVAL",
      `Context option ${name} applies when the context's threads start, at its first socket; ` +
        "this context has started them, so it would change nothing",
      context,
    );
  }
  const state = threadOptions.get(internals) ?? { policy: -1, priority: -1, cpus: new Set() };
  const next = { ...state, cpus: new Set(state.cpus) };
  if (name === "THREAD_SCHED_POLICY") next.policy = value as number;
  if (name === "THREAD_PRIORITY") next.priority = value as number;
  if (name === "THREAD_AFFINITY_CPU_ADD") {
    const cpus = allowedCpus();
    if (cpus === null || !cpus.includes(value as number)) {
      throw zmqError(
        "EINVAL",
        `CPU ${value} is not one this process may run on (${cpus?.join(", ") ?? "unknown"}): ` +
          "libzmq would abort when the context's threads start",
        context,
      );
    }
    next.cpus.add(value as number);
  }
  if (name === "THREAD_AFFINITY_CPU_REMOVE") next.cpus.delete(value as number);
  if (name === "THREAD_SCHED_POLICY" || name === "THREAD_PRIORITY") {
    checkScheduling(next, context, false);
  }
  return () => threadOptions.set(internals, next);
}

/**
 * Checks, as the context's threads are about to start (before its first socket), the thread
 * options set in whatever order: the combination libzmq will apply must be one it survives.
 */
export function checkThreadsAtStart(internals: ContextInternals, context: ErrorContext): void {
  const state = threadOptions.get(internals);
  if (state !== undefined) checkScheduling(state, context, true);
}

/**
 * Whether libzmq's threads could be given `options`' policy and priority (else throws). Until
 * `final`, a combination that a later option may still complete (a priority with no policy
 * chosen yet, a real-time policy with no priority yet) passes.
 */
function checkScheduling(options: ThreadOptions, context: ErrorContext, final: boolean): void {
  const { policy, priority } = options;
  if (!final && (policy === -1 || (realTime(policy) && priority === -1))) return;
  if (realTime(policy)) {
    if (priority < 1) {
      throw zmqError(
        "EINVAL",
        `SCHED_${policy === 1 ? "FIFO" : "RR"} needs a THREAD_PRIORITY of 1 to 99 as well: ` +
          "libzmq would abort when the context's threads start",
        context,
      );
    }
    const errno = schedulingError(policy, priority);
    if (errno !== 0) {
      throw zmqError(
        errno === ERRNO.EPERM ? "EPERM" : "EINVAL",
        `The kernel refuses threads with scheduling policy ${policy} at priority ${priority} ` +
          `(${errno === ERRNO.EPERM ? "not permitted to this process" : `errno ${errno}`}): ` +
          "libzmq would abort when the context's threads start",
        context,
      );
    }
    return;
  }
  if (priority > 0) {
    // a non-real-time policy: libzmq asks for nice(-20) and asserts that it did not answer -1
    const nice = niceProbe();
    if (nice === null || !nice.mayRaise || Math.max(nice.nice - 20, -20) === -1) {
      throw zmqError(
        nice !== null && !nice.mayRaise ? "EPERM" : "EINVAL",
        "THREAD_PRIORITY above 0 with a policy other than SCHED_FIFO or SCHED_RR makes libzmq " +
          "call nice(-20), which this process " +
          (nice === null || !nice.mayRaise ? "may not do" : "would see answer -1") +
          ": libzmq would abort when the context's threads start (set 0, or a real-time policy)",
        context,
      );
    }
  }
}
