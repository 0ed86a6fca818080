// errno numbers by name, as the platform's C library and libzmq number them. zmq_errno() answers
// the C library's value (on macOS EAGAIN is 35, not Linux's 11), so the table is chosen by
// Deno.build.os, as pyzmq's constants take the platform's values. libzmq's own codes (EFSM,
// ETERM, ...) are the same everywhere: ZMQ_HAUSNUMERO plus a fixed offset (zmq.h).

/** libzmq's base for the errno values it defines itself (zmq.h). */
const HAUSNUMERO = 156384712;

/** libzmq's own codes, the same on every platform. */
const ZMQ_CODES = {
  EFSM: HAUSNUMERO + 51,
  ENOCOMPATPROTO: HAUSNUMERO + 52,
  ETERM: HAUSNUMERO + 53,
  EMTHREAD: HAUSNUMERO + 54,
} as const;

/**
 * An errno name this library knows: the C library's (numbered per platform) and libzmq's own
 * (`EFSM`, `ENOCOMPATPROTO`, `ETERM`, `EMTHREAD`).
 */
export type ErrnoName =
  | "EPERM"
  | "ENOENT"
  | "EINTR"
  | "EIO"
  | "EBADF"
  | "ECHILD"
  | "EAGAIN"
  | "ENOMEM"
  | "EACCES"
  | "EFAULT"
  | "EBUSY"
  | "EEXIST"
  | "ENODEV"
  | "EINVAL"
  | "EMFILE"
  | "ENOSPC"
  | "EPIPE"
  | "ENAMETOOLONG"
  | "EPROTO"
  | "ENOTSOCK"
  | "EMSGSIZE"
  | "EPROTONOSUPPORT"
  | "ENOTSUP"
  | "EAFNOSUPPORT"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "ENETDOWN"
  | "ENETUNREACH"
  | "ECONNABORTED"
  | "ECONNRESET"
  | "ENOBUFS"
  | "ENOTCONN"
  | "ETIMEDOUT"
  | "ECONNREFUSED"
  | "EHOSTUNREACH"
  | "EINPROGRESS"
  | "EFSM"
  | "ENOCOMPATPROTO"
  | "ETERM"
  | "EMTHREAD";

/** Linux's numbering (asm-generic/errno-base.h and errno.h; glibc and musl alike). */
const LINUX: Record<ErrnoName, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  ENOSPC: 28,
  EPIPE: 32,
  ENAMETOOLONG: 36,
  EPROTO: 71,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EINPROGRESS: 115,
  ...ZMQ_CODES,
};

/** macOS's numbering (sys/errno.h): the BSD one, where ENOTSUP is 45 and EPROTO 100. */
const DARWIN: Record<ErrnoName, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 35,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  ENOSPC: 28,
  EPIPE: 32,
  ENAMETOOLONG: 63,
  EPROTO: 100,
  ENOTSOCK: 38,
  EMSGSIZE: 40,
  EPROTONOSUPPORT: 43,
  ENOTSUP: 45,
  EAFNOSUPPORT: 47,
  EADDRINUSE: 48,
  EADDRNOTAVAIL: 49,
  ENETDOWN: 50,
  ENETUNREACH: 51,
  ECONNABORTED: 53,
  ECONNRESET: 54,
  ENOBUFS: 55,
  ENOTCONN: 57,
  ETIMEDOUT: 60,
  ECONNREFUSED: 61,
  EHOSTUNREACH: 65,
  EINPROGRESS: 36,
  ...ZMQ_CODES,
};

/**
 * The errno table of an operating system (a `Deno.build.os` value): macOS's for `"darwin"`,
 * Linux's for every other (Linux and Android are what this library runs on; see the README
 * for the systems that are tested).
 */
export function errnoTable(os: string): Readonly<Record<ErrnoName, number>> {
  return Object.freeze({ ...(os === "darwin" ? DARWIN : LINUX) });
}

/** errno values by name on this platform. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = errnoTable(Deno.build.os);

/** True if `name` is an errno name of the table. */
export function isErrnoName(name: string): name is ErrnoName {
  return Object.hasOwn(LINUX, name);
}

/** The names of a table by number (the reverse of errnoTable). */
export function errnoNames(table: Readonly<Record<ErrnoName, number>>): Map<number, ErrnoName> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k as ErrnoName]));
}

const NAMES = errnoNames(ERRNO);

/**
 * The errno name of a number on this platform, or `"E<number>"` when the table has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errnoName } from "./constants.ts";
 * assert.equal(errnoName(156384763), "EFSM");
 * ```
 */
export function errnoName(errno: number): ErrnoName | `E${number}` {
  return NAMES.get(errno) ?? `E${errno}`;
}
