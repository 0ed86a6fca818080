// A seeded fuzzer for the public API: random sequences of calls (contexts and sockets of every
// type, bind/connect/unbind/disconnect over inproc and tcp, send/recv with small timeouts and
// aborts, poll, valid and invalid options, closing sockets and contexts under pending
// operations). The rules it checks:
//
// - an API call may only fail with a ZmqError, or with an AbortError for an aborted call;
//   anything else (a TypeError from inside the library, say) is a finding;
// - nothing crashes the process (exit code, signal) and nothing hangs (the caller bounds the
//   run's wall-clock time);
// - nothing leaks: at the end the program closes what is left, every pending operation
//   settles, and the process ends by itself (a leaked FFI call or timer keeps it alive).
//
// Usage: deno run -A fuzz/fuzz.ts --seed 42 --steps 300 [--trace]
// A failure prints the seed and the step; re-run with the same seed (and --trace) to replay.
import { parseArgs } from "node:util";
import {
  Context,
  POLLIN,
  POLLOUT,
  type Socket,
  SOCKET_OPTIONS,
  SOCKET_TYPES,
  type SocketOptionName,
  type SocketType,
  ZmqError,
} from "../mod.ts";
import { Rng } from "./_rng.ts";

export { Rng };

/** A finding: an API call failed in a way the rules forbid. */
export class FuzzFailure extends Error {
  /** Builds a finding with its description (which names the seed and step). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FuzzFailure";
  }
}

interface Live {
  socket: Socket;
  type: SocketType;
  ctx: Context;
  id: number;
  /** tcp endpoints this socket bound, and connected to. */
  bound: Set<string>;
  connected: Set<string>;
  /** CONFLATE was set (perhaps): such a socket makes no inproc connects. */
  conflate?: boolean;
}

/**
 * Socket types that may talk to each other. Over inproc libzmq does not check that peers are
 * compatible (over tcp the handshake does), and some wrong pairs abort the process (a ROUTER
 * among several inproc peers of a PAIR: pipe.cpp:60), so each family gets its own inproc names.
 */
const FAMILY: Record<SocketType, string> = {
  PAIR: "pair",
  REQ: "reqrep",
  REP: "reqrep",
  DEALER: "reqrep",
  ROUTER: "reqrep",
  PUB: "pubsub",
  SUB: "pubsub",
  XPUB: "pubsub",
  XSUB: "pubsub",
  PUSH: "pipeline",
  PULL: "pipeline",
  STREAM: "stream",
};

const TYPES = Object.keys(SOCKET_TYPES) as SocketType[];
const OPTIONS = Object.keys(SOCKET_OPTIONS) as SocketOptionName[];
const MAX_SOCKETS = 24;
const TIMEOUTS = [0, 0, 1, 2, 5, 10, 20];

/**
 * The ZmqError codes the calls this fuzzer makes may answer: libzmq's for a bad endpoint, option,
 * state or peer (EINVAL, EADDRINUSE, EFSM, ENOTSUP, ...), and this library's own (ECLOSED,
 * EAGAIN for a timeout, EBADVALUE, EUNKNOWNOPTION, ...). Any other code is a finding: EFAULT
 * would be a bad pointer, an `E<number>` an errno this library does not know.
 */
export const EXPECTED_CODES: ReadonlySet<string> = new Set([
  // this library's checks and timeouts
  "EAGAIN",
  "EBADJSON",
  "EBADUTF8",
  "EBADVALUE",
  "ECLOSED",
  "EREADONLY",
  "EUNKNOWNOPTION",
  "EWRITEONLY",
  "EMFILE",
  // libzmq: endpoints
  "EADDRINUSE",
  "EADDRNOTAVAIL",
  "ENAMETOOLONG",
  "ENOCOMPATPROTO",
  "ENODEV",
  "ENOENT",
  "EPROTONOSUPPORT",
  // libzmq: options, states and peers
  "EFSM",
  "EHOSTUNREACH",
  "EINVAL",
  "EMTHREAD",
  "ENOTSUP",
]);

/** Is `e` an error an API call may legitimately answer? */
export function allowed(e: unknown): boolean {
  if (e instanceof ZmqError) return EXPECTED_CODES.has(e.code);
  return e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError");
}

/** Runs one fuzz session; resolves with a summary, rejects with a FuzzFailure. */
export async function fuzz(
  seed: number,
  steps: number,
  trace: (line: string) => void = () => {},
): Promise<{ steps: number; calls: number; errors: Record<string, number> }> {
  const rng = new Rng(seed);
  const contexts: Context[] = [];
  const sockets: Live[] = [];
  const closedSockets: Live[] = [];
  const endpoints: string[] = [];
  const pending = new Set<Promise<void>>();
  const errors: Record<string, number> = {};
  let calls = 0;
  let nextId = 0;
  let step = 0;
  let failure: FuzzFailure | undefined;

  const fail = (what: string, e: unknown) => {
    failure ??= new FuzzFailure(
      `seed ${seed} step ${step}: ${what} threw ${
        e instanceof ZmqError
          ? `ZmqError ${e.code} (not an expected code): ${e.message}`
          : e instanceof Error
          ? `${e.name}: ${e.message}`
          : String(e)
      }`,
      { cause: e },
    );
  };
  const record = (what: string, e: unknown) => {
    if (!allowed(e)) return fail(what, e);
    const code = e instanceof ZmqError ? e.code : (e as DOMException).name;
    errors[code] = (errors[code] ?? 0) + 1;
  };
  /** Makes one API call; awaits it or leaves it pending, checking how it ends. */
  const call = async (what: string, fn: () => unknown, background = false): Promise<void> => {
    calls++;
    trace(`${step}: ${what}${background ? " (background)" : ""}`);
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      return record(what, e);
    }
    if (!(result instanceof Promise)) return;
    const settled = result.then(() => {}, (e) => record(what, e));
    if (background) {
      pending.add(settled);
      settled.finally(() => pending.delete(settled));
    } else {
      await settled;
    }
  };

  const liveContexts = () => contexts.filter((c) => !c.closed);
  const anySocket = (): Live | undefined => {
    if (closedSockets.length > 0 && rng.chance(0.05)) return rng.pick(closedSockets);
    return sockets.length > 0 ? rng.pick(sockets) : undefined;
  };
  const randomEndpoint = (forBind: boolean, type: SocketType): string => {
    const r = rng.int(20);
    if (r < 6) return `inproc://fuzz-${FAMILY[type] ?? "x"}-${rng.int(6)}`;
    if (r < 11) {
      return forBind ? "tcp://127.0.0.1:*" : rng.pick(
        endpoints.length ? endpoints : [
          "tcp://127.0.0.1:21990",
        ],
      );
    }
    if (r < 14 && endpoints.length) return rng.pick(endpoints);
    return rng.pick([
      "",
      "tcp://",
      "tcp://127.0.0.1",
      "tcp://127.0.0.1:notaport",
      "bogus://x",
      "inproc://",
      "udp://127.0.0.1:21991",
      "tcp://256.0.0.1:21992",
      `ipc:///tmp/${"y".repeat(150)}`,
      "tcp://[::1]:21993",
      "inproc://a\0b",
    ]);
  };
  const randomFrame = (): unknown => {
    const r = rng.int(12);
    if (r < 4) return "x".repeat(rng.int(40));
    if (r < 8) {
      const b = new Uint8Array(rng.int(64));
      for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
      return b;
    }
    if (r === 8) return new Uint8Array(new ArrayBuffer(rng.int(5000)));
    return rng.pick([42, null, undefined, {}, [1, 2], new ArrayBuffer(3), new Uint16Array(2)]);
  };
  const randomValue = (): unknown => {
    return rng.pick([
      -2,
      -1,
      0,
      1,
      2,
      5,
      100,
      1000,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 40,
      1.5,
      NaN,
      true,
      false,
      "",
      "abc",
      "lo",
      "x".repeat(40),
      "x".repeat(300),
      new Uint8Array(0),
      new Uint8Array(32),
      new Uint8Array(256),
      0n,
      -1n,
      2n ** 70n,
      null,
      undefined,
      {},
    ]);
  };
  const opOptions = (): { timeout?: number; signal?: AbortSignal } => {
    const options: { timeout?: number; signal?: AbortSignal } = { timeout: rng.pick(TIMEOUTS) };
    const r = rng.int(10);
    if (r === 0) options.signal = AbortSignal.abort();
    else if (r === 1) options.signal = AbortSignal.timeout(rng.int(5) + 1);
    else if (r === 2) options.timeout = rng.pick([-5, NaN, 1e12]);
    return options;
  };

  const newContext = async () => {
    const options = rng.pick([
      {},
      { linger: 0 },
      { ioThreads: 2 },
      { ioThreads: -1 },
      // (no small maxSockets: a full socket limit with pending inproc connects makes libzmq
      // 4.3.5 abort in zmq_ctx_term, ctx.cpp:142; a libzmq bug, left out of the runs)
      { maxSockets: 1023 },
      { linger: 1.5 },
    ]);
    await call(`new Context(${JSON.stringify(options)})`, () => {
      contexts.push(new Context(options));
    });
  };

  const actions: [number, () => Promise<void>][] = [
    [6, async () => {
      const live = liveContexts();
      if (live.length === 0 || (live.length < 3 && rng.chance(0.2))) return newContext();
      const ctx = rng.chance(0.03) && contexts.length ? rng.pick(contexts) : rng.pick(live);
      if (sockets.length >= MAX_SOCKETS) return;
      const type = rng.chance(0.03) ? "NOPE" as SocketType : rng.pick(TYPES);
      await call(`socket(${type}) on ctx ${contexts.indexOf(ctx)} → #${nextId}`, () => {
        const socket = ctx.socket(type);
        sockets.push({ socket, type, ctx, id: nextId++, bound: new Set(), connected: new Set() });
      });
    }],
    [3, async () => {
      if (sockets.length === 0) return;
      const i = rng.int(sockets.length);
      const live = sockets[i];
      const linger = rng.pick([0, 0, 1, 5]);
      await call(`close #${live.id} linger ${linger}`, () => live.socket.close({ linger }));
      sockets.splice(i, 1);
      closedSockets.push(live);
    }],
    [5, async () => {
      const live = anySocket();
      if (!live) return;
      const endpoint = randomEndpoint(true, live.type);
      await call(`bind #${live.id} ${JSON.stringify(endpoint)}`, () => {
        live.socket.bind(endpoint);
        const last = live.socket.lastEndpoint;
        if (last.startsWith("tcp://")) {
          if (!endpoints.includes(last)) endpoints.push(last);
          live.bound.add(last);
        }
      });
    }],
    [5, async () => {
      const live = anySocket();
      if (!live) return;
      const endpoint = randomEndpoint(false, live.type);
      if (live.conflate && endpoint.startsWith("inproc://")) return; // see CONFLATE below
      await call(`connect #${live.id} ${JSON.stringify(endpoint)}`, () => {
        live.socket.connect(endpoint);
        live.connected.add(endpoint);
      });
    }],
    [2, async () => {
      const live = anySocket();
      if (!live) return;
      const endpoint = randomEndpoint(rng.chance(0.5), live.type);
      const op = rng.chance(0.5) ? "unbind" : "disconnect";
      // A disconnected endpoint keeps the LINGER the socket has at that moment: with the
      // default -1, messages queued for it hold zmq_ctx_term forever, whatever LINGER the
      // socket is closed with later (libzmq behaviour, pyzmq too). Documented; kept out here.
      try {
        live.socket.setOption("LINGER", rng.pick([0, 1, 5]));
      } catch {
        // a closed socket: the call below reports it
      }
      await call(`${op} #${live.id} ${JSON.stringify(endpoint)}`, () => live.socket[op](endpoint));
    }],
    [10, async () => {
      const live = anySocket();
      if (!live) return;
      const frames = Array.from({ length: rng.int(3) + 1 }, randomFrame);
      const options = opOptions();
      // a timeout too long for a timer waits forever: leave it pending until the socket closes
      const bg = rng.chance(0.3) || options.timeout === 1e12;
      const kind = rng.int(4);
      if (kind === 0) {
        await call(`send #${live.id}`, () => live.socket.send(frames[0] as string, options), bg);
      } else if (kind === 1) {
        await call(
          `sendMultipart #${live.id} ${frames.length}`,
          () => live.socket.sendMultipart(frames as string[], options),
          bg,
        );
      } else if (kind === 2) {
        await call(
          `sendJson #${live.id}`,
          () => live.socket.sendJson(rng.pick([{ a: 1 }, [1, "x"], 1n, undefined, "s"]), options),
          bg,
        );
      } else {
        await call(
          `send(array) #${live.id}`,
          () => live.socket.send(frames as string[], options),
          bg,
        );
      }
    }],
    [10, async () => {
      const live = anySocket();
      if (!live) return;
      const options = opOptions();
      // a timeout too long for a timer waits forever: leave it pending until the socket closes
      const bg = rng.chance(0.3) || options.timeout === 1e12;
      const s = live.socket;
      const method = rng.pick(["recv", "recvMultipart", "recvString", "recvJson"] as const);
      await call(
        `${method} #${live.id} ${JSON.stringify(options.timeout)}`,
        // one signature for the four (recv's copy: false overload does not apply here)
        () => (s[method] as (o: typeof options) => Promise<unknown>).call(s, options),
        bg,
      );
    }],
    [3, async () => {
      const live = anySocket();
      if (!live) return;
      const events = rng.pick([POLLIN, POLLOUT, POLLIN | POLLOUT, 0, 4, -1, 1.5]);
      const timeout = rng.pick([...TIMEOUTS, undefined, -7]);
      const signal = rng.chance(0.1) ? AbortSignal.timeout(2) : undefined;
      // an unbounded poll is only made with a signal that ends it
      const t = timeout === undefined && signal === undefined ? 5 : timeout;
      await call(
        `poll #${live.id} ${events} ${t}`,
        () => live.socket.poll(events, t, signal),
        rng.chance(0.3),
      );
    }],
    [8, async () => {
      const live = anySocket();
      if (!live) return;
      const name = rng.chance(0.05) ? "NOT_AN_OPTION" as SocketOptionName : rng.pick(OPTIONS);
      const value = randomValue();
      // CONFLATE on a socket with an inproc connect nobody bound aborts libzmq in zmq_ctx_term
      // (ctx.cpp:789 in 4.3.5, :809 in 4.3.4): documented, kept out of the runs.
      if (name === "CONFLATE" && (value === true || value === 1)) {
        if ([...live.connected].some((e) => e.startsWith("inproc://"))) return;
        live.conflate = true;
      }
      // Changing SNDHWM/RCVHWM sends the new limit to every pipe the socket still lists, even one
      // whose connection is being torn down: a use-after-free in libzmq (4.3.4 and 4.3.5,
      // reproduced with pyzmq and valgrind), so HWMs are set only before bind/connect here.
      if (
        (name === "SNDHWM" || name === "RCVHWM") && (live.connected.size > 0 || live.bound.size > 0)
      ) return;
      await call(
        `setOption #${live.id} ${name} ${typeof value === "bigint" ? `${value}n` : String(value)}`,
        () => live.socket.setOption(name, value as never),
      );
    }],
    [4, async () => {
      const live = anySocket();
      if (!live) return;
      const name = rng.chance(0.05) ? "NOT_AN_OPTION" as SocketOptionName : rng.pick(OPTIONS);
      await call(`getOption #${live.id} ${name}`, () => live.socket.getOption(name));
    }],
    [3, async () => {
      const live = anySocket();
      if (!live) return;
      const topic = rng.pick(["", "a", "ab", new Uint8Array([0, 1]), 5 as unknown as string]);
      const op = rng.chance(0.7) ? "subscribe" : "unsubscribe";
      await call(`${op} #${live.id}`, () => live.socket[op](topic));
    }],
    [2, async () => {
      const live = liveContexts();
      if (live.length === 0) return;
      const ctx = rng.pick(live);
      const name = rng.pick(["IO_THREADS", "MAX_SOCKETS", "IPV6", "BLOCKY", "NOPE"] as const);
      if (rng.chance(0.5)) {
        await call(`ctx.getOption ${name}`, () => ctx.getOption(name as "IPV6"));
      } else {
        let value = rng.pick([0, 1, 2, -1, true, 1.5, "x"]);
        // A tiny MAX_SOCKETS set before the first socket, plus an inproc connect nobody
        // binds, makes libzmq 4.3.5 abort in zmq_ctx_term (ctx.cpp:142, it cannot create the
        // PAIR socket it uses to flush pending connects): a libzmq bug, kept out of the runs.
        if (name === "MAX_SOCKETS" && value !== -1 && value !== "x") value = 1024;
        await call(
          `ctx.setOption ${name} ${String(value)}`,
          () => ctx.setOption(name as "IPV6", value as number),
        );
      }
    }],
    [1, async () => {
      if (contexts.length === 0) return;
      const ctx = rng.pick(contexts);
      const drop = () => {
        for (let i = sockets.length - 1; i >= 0; i--) {
          if (sockets[i].ctx === ctx) closedSockets.push(...sockets.splice(i, 1));
        }
      };
      const which = `ctx ${contexts.indexOf(ctx)}`;
      if (rng.chance(0.5)) {
        await call(`${which}.close linger 0`, () => ctx.close({ linger: 0 }));
      } else {
        await call(`${which}.terminate linger 0`, () => ctx.terminate({ linger: 0 }));
      }
      drop();
    }],
  ];
  const total = actions.reduce((n, [w]) => n + w, 0);

  await newContext();
  for (step = 1; step <= steps && failure === undefined; step++) {
    let r = rng.int(total);
    for (const [weight, action] of actions) {
      if ((r -= weight) < 0) {
        try {
          await action();
        } catch (e) {
          fail("the fuzzer's own bookkeeping", e);
        }
        break;
      }
    }
  }

  // Close what is left; every pending operation must then settle by itself.
  trace("end: closing everything");
  for (const live of sockets) {
    await call(`final close #${live.id}`, () => live.socket.close({ linger: 0 }));
  }
  for (const ctx of contexts) await call("final ctx.close", () => ctx.close({ linger: 0 }));
  await Promise.all(pending);
  if (failure) throw failure;
  return { steps: step - 1, calls, errors };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "1" },
      steps: { type: "string", default: "300" },
      trace: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno run -A fuzz/fuzz.ts --seed N --steps N [--trace]\n\n" +
        "Drives random API calls from a seed; exits 0 when every call behaved, 1 otherwise.\n" +
        "--trace prints every call (to stderr) so a failing seed can be replayed and read.",
    );
  } else {
    const seed = Number(values.seed);
    const steps = Number(values.steps);
    const trace = values.trace ? (line: string) => console.error(line) : undefined;
    addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      console.error(`FUZZ FAILURE seed ${seed}: unhandled rejection: ${event.reason}`);
      Deno.exit(1);
    });
    try {
      const { steps: ran, calls, errors } = await fuzz(seed, steps, trace);
      console.log(
        `fuzz ok: seed ${seed}, ${ran} steps, ${calls} calls, errors ${JSON.stringify(errors)}`,
      );
    } catch (e) {
      console.error(
        `FUZZ FAILURE (replay: deno run -A fuzz/fuzz.ts --seed ${seed} --steps ${steps} --trace)`,
      );
      console.error(e instanceof FuzzFailure ? e.message : e);
      if (e instanceof Error && e.cause instanceof Error) console.error(e.cause.stack);
      Deno.exitCode = 1;
    }
  }
}
