// The only file that declares native symbols; only _backend.ts imports it (tools/boundary.ts
// checks that). Everything above the core goes through Context and Socket; nothing outside
// core/ touches a pointer.
import { findLibrary, type FoundLibrary } from "./_loader.ts";

const ZMQ_SYMBOLS = {
  zmq_errno: { parameters: [], result: "i32" },
  zmq_strerror: { parameters: ["i32"], result: "pointer" },
  zmq_has: { parameters: ["buffer"], result: "i32" },
  zmq_ctx_new: { parameters: [], result: "pointer" },
  zmq_ctx_term: { parameters: ["pointer"], result: "i32" },
  zmq_ctx_term_async: {
    name: "zmq_ctx_term",
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  zmq_ctx_shutdown: { parameters: ["pointer"], result: "i32" },
  zmq_ctx_set: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  zmq_ctx_get: { parameters: ["pointer", "i32"], result: "i32" },
  zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
  zmq_close: { parameters: ["pointer"], result: "i32" },
  zmq_bind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_unbind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_disconnect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_setsockopt: { parameters: ["pointer", "i32", "buffer", "usize"], result: "i32" },
  zmq_getsockopt: { parameters: ["pointer", "i32", "buffer", "buffer"], result: "i32" },
  zmq_send: { parameters: ["pointer", "buffer", "usize", "i32"], result: "i32" },
  zmq_recv: { parameters: ["pointer", "buffer", "usize", "i32"], result: "i32" },
  zmq_msg_init: { parameters: ["buffer"], result: "i32" },
  zmq_msg_init_size: { parameters: ["buffer", "usize"], result: "i32" },
  zmq_msg_recv: { parameters: ["buffer", "pointer", "i32"], result: "i32" },
  // The hot receive paths pass their long-lived zmq_msg_t as a pointer (computed once): a
  // "pointer" parameter costs a fraction of a "buffer" one in Deno's fast calls.
  zmq_msg_recv_at: {
    name: "zmq_msg_recv",
    parameters: ["pointer", "pointer", "i32"],
    result: "i32",
  },
  zmq_msg_data_at: { name: "zmq_msg_data", parameters: ["pointer"], result: "usize" },
  zmq_msg_data: { parameters: ["buffer"], result: "pointer" },
  // The same call answering the address as a number-like bigint: no pointer object per frame.
  zmq_msg_data_addr: { name: "zmq_msg_data", parameters: ["buffer"], result: "usize" },
  zmq_msg_size: { parameters: ["buffer"], result: "usize" },
  zmq_msg_more: { parameters: ["buffer"], result: "i32" },
  zmq_msg_close: { parameters: ["buffer"], result: "i32" },
  // Zero copy (core/zero_copy.ts): a frame that keeps libzmq's message as its memory, sent by
  // sharing that message (zmq_msg_copy counts references; no byte is copied).
  zmq_msg_copy: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_msg_move: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_msg_init_data: {
    parameters: ["buffer", "pointer", "usize", "pointer", "pointer"],
    result: "i32",
  },
  zmq_msg_send_shared: {
    name: "zmq_msg_send",
    parameters: ["buffer", "pointer", "i32"],
    result: "i32",
  },
  zmq_proxy_steerable_async: {
    name: "zmq_proxy_steerable",
    parameters: ["pointer", "pointer", "pointer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  zmq_curve_keypair: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_curve_public: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_z85_encode: { parameters: ["buffer", "buffer", "usize"], result: "pointer" },
  zmq_z85_decode: { parameters: ["buffer", "buffer"], result: "pointer" },
  zmq_socket_monitor: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  zmq_version: { parameters: ["buffer", "buffer", "buffer"], result: "void" },
} as const;

const LIBC_SYMBOLS = {
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  // A short blocking wait on the JS thread while a conversation is hot (Linux only).
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32", optional: true },
  pipe: { parameters: ["buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  // Copies a received frame out of libzmq's message into a JS buffer (one fast call).
  memcpy: { parameters: ["buffer", "usize", "usize"], result: "void" },
  // The same between two addresses (a batch's staging area at an offset, a message's data).
  memcpy_at: { name: "memcpy", parameters: ["usize", "usize", "usize"], result: "void" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // The memory of a zero-copy frame made by ZeroCopyFrame.alloc: zeroed, and freed by libzmq
  // with libc's free (a native function: safe on any of libzmq's threads, no JS involved).
  calloc: { parameters: ["usize", "usize"], result: "pointer" },
  free_at: { name: "free", parameters: ["pointer"], result: "void" },
  // A synchronous Context.close runs zmq_ctx_term on a thread of its own and joins it with a
  // deadline, so that a termination held up by lingering messages can say so (Linux only).
  pthread_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer"],
    result: "i32",
    optional: true,
  },
  pthread_timedjoin_np: { parameters: ["u64", "buffer", "buffer"], result: "i32", optional: true },
  pthread_join: { parameters: ["u64", "buffer"], result: "i32", optional: true },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32", optional: true },
  dlopen: { parameters: ["buffer", "i32"], result: "pointer", optional: true },
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer", optional: true },
} as const;

function libcPath(): string {
  switch (Deno.build.os) {
    case "linux":
      return "libc.so.6";
    case "darwin":
      return "libSystem.B.dylib";
    default:
      return "libc.so";
  }
}

/** Where libzmq was found, its version and capabilities. */
export const found: FoundLibrary = findLibrary();

/** libzmq's C API. */
export const zmq = Deno.dlopen(found.path, ZMQ_SYMBOLS).symbols;

/** The few libc calls the reactor needs: poll(2) and a self-pipe to wake it. */
export const libc = Deno.dlopen(libcPath(), LIBC_SYMBOLS).symbols;

/** Type of a native pointer; only core/ files handle these. */
export type Pointer = Deno.PointerObject;
