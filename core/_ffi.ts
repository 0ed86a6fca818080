// The only file that declares native symbols; only the backend files (_backend.ts and its
// _backend_*.ts halves) import it (tools/boundary.ts checks that). Everything above the core goes through Context and Socket; nothing outside
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
  // Context options by bytes (THREAD_NAME_PREFIX as text); DRAFT in 4.3.5, so optional.
  zmq_ctx_set_ext: {
    parameters: ["pointer", "i32", "buffer", "usize"],
    result: "i32",
    optional: true,
  },
  zmq_ctx_get_ext: {
    parameters: ["pointer", "i32", "buffer", "buffer"],
    result: "i32",
    optional: true,
  },
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
  // Messages with properties (stable API): a send of a zmq_msg_t and zmq_msg_gets.
  zmq_msg_send: { parameters: ["buffer", "pointer", "i32"], result: "i32" },
  zmq_msg_gets: { parameters: ["buffer", "buffer"], result: "pointer" },
  // The DRAFT API (absent from builds without it, such as Debian's libzmq5: optional, null
  // there). Thread-safe sockets have no ZMQ_FD; a zmq_poller holding one gives its descriptor.
  zmq_poller_new: { parameters: [], result: "pointer", optional: true },
  zmq_poller_destroy: { parameters: ["buffer"], result: "i32", optional: true },
  zmq_poller_add: {
    parameters: ["pointer", "pointer", "pointer", "i16"],
    result: "i32",
    optional: true,
  },
  zmq_poller_fd: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  zmq_join: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  zmq_leave: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  zmq_connect_peer: { parameters: ["pointer", "buffer"], result: "u32", optional: true },
  zmq_socket_get_peer_state: {
    parameters: ["pointer", "buffer", "usize"],
    result: "i32",
    optional: true,
  },
  zmq_msg_init_buffer: { parameters: ["buffer", "buffer", "usize"], result: "i32", optional: true },
  zmq_msg_set_routing_id: { parameters: ["buffer", "u32"], result: "i32", optional: true },
  zmq_msg_routing_id: { parameters: ["buffer"], result: "u32", optional: true },
  zmq_msg_set_group: { parameters: ["buffer", "buffer"], result: "i32", optional: true },
  zmq_msg_group: { parameters: ["buffer"], result: "pointer", optional: true },
  zmq_socket_monitor_versioned: {
    parameters: ["pointer", "buffer", "u64", "i32", "i32"],
    result: "i32",
    optional: true,
  },
  zmq_socket_monitor_pipes_stats: { parameters: ["pointer"], result: "i32", optional: true },
} as const;

const LIBC_SYMBOLS = {
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  // A short blocking wait on the JS thread while a conversation is hot (Linux only).
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32", optional: true },
  pipe: { parameters: ["buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // write(2) from an address: the kernel answers EFAULT for memory that cannot be read, where
  // reading it from here would fault (a context handle's address is checked so)
  write_from: { name: "write", parameters: ["i32", "pointer", "usize"], result: "isize" },
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
    parameters: ["buffer", "buffer", "pointer", "pointer"],
    result: "i32",
    optional: true,
  },
  pthread_timedjoin_np: { parameters: ["u64", "buffer", "buffer"], result: "i32", optional: true },
  pthread_join: { parameters: ["u64", "buffer"], result: "i32", optional: true },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32", optional: true },
  dlopen: { parameters: ["buffer", "i32"], result: "pointer", optional: true },
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer", optional: true },
  // A zero-timeout poll(2) of plain file descriptors on the JS thread (Poller, fd readiness).
  poll_now: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  // Checks made before libzmq would abort on a value (options' guards, core/_guards.ts): what
  // a descriptor is (USE_FD), whether the kernel takes a socket priority or a scheduling
  // policy, which CPUs this process may run on, whether the nice value may be raised.
  socket: { parameters: ["i32", "i32", "i32"], result: "i32", optional: true },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
    optional: true,
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  sched_getaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32", optional: true },
  pthread_attr_init: { parameters: ["buffer"], result: "i32", optional: true },
  pthread_attr_destroy: { parameters: ["buffer"], result: "i32", optional: true },
  pthread_attr_setinheritsched: { parameters: ["buffer", "i32"], result: "i32", optional: true },
  pthread_attr_setschedpolicy: { parameters: ["buffer", "i32"], result: "i32", optional: true },
  pthread_attr_setschedparam: { parameters: ["buffer", "buffer"], result: "i32", optional: true },
  getpriority: { parameters: ["i32", "u32"], result: "i32", optional: true },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32", optional: true },
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
