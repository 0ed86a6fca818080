// Opening the sockets of a subcommand: endpoints, --option settings, security, and a Session
// that owns the context, the authenticator and the monitors, and closes them all.
import {
  Authenticator,
  Context,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  monitor,
  type MonitorEvent,
  type Socket,
  SOCKET_OPTIONS,
  type SocketMonitor,
  type SocketOptionName,
  type SocketOptionValue,
  type SocketType,
  ZmqError,
} from "../mod.ts";
import type { Flags, FlagSpecs } from "./_args.ts";
import { addSecret, messageOf, redact, RunError, UsageError } from "./_errors.ts";
import { err } from "./_io.ts";
import type { Interrupt } from "./_interrupt.ts";
import { handshakeFailure, type Security, SECURITY_FLAGS } from "./_security.ts";

/** --bind, --connect and --option, plus the security flags. */
export const SOCKET_FLAGS: FlagSpecs = {
  bind: { type: "string", multiple: true },
  connect: { type: "string", multiple: true },
  option: { type: "string", multiple: true, short: "o" },
  ...SECURITY_FLAGS,
};

/** The usage lines of --bind, --connect and --option. */
export const ENDPOINT_HELP =
  `  --bind EP            bind to EP (repeatable): tcp://127.0.0.1:5555, tcp://*:5555,
                       tcp://127.0.0.1:* (a free port, printed), ipc:///tmp/x; a bare port N
                       means tcp://127.0.0.1:N
  --connect EP         connect to EP (repeatable)
  -o, --option N=V     set socket option N (as in libzmq, without ZMQ_), e.g. SNDHWM=1000,
                       LINGER=0, ROUTING_ID=me (repeatable)`;

/** A socket option from `--option NAME=VALUE`, checked against the option table. */
export interface OptionSetting {
  name: SocketOptionName;
  value: SocketOptionValue<SocketOptionName>;
  secret: boolean;
}

/** What to open: a socket type, where it binds and connects, and its options. */
export interface SocketPlan {
  type: SocketType;
  bind: string[];
  connect: string[];
  options: OptionSetting[];
}

const TRANSPORTS = new Set([
  "tcp",
  "ipc",
  "ws",
  "wss",
  "udp",
  "pgm",
  "epgm",
  "norm",
  "tipc",
  "vmci",
]);
const SECRET_OPTIONS = new Set(
  Object.entries(SOCKET_OPTIONS).filter(([, spec]) => "secret" in spec).map(([name]) => name),
);

/** Checks an endpoint typed after `flag`; a bare port N becomes tcp://127.0.0.1:N. */
export function endpointArg(flag: string, value: string): string {
  if (/^\d+$/.test(value)) return `tcp://127.0.0.1:${value}`;
  const m = /^([a-z0-9]+):\/\/./.exec(value);
  if (m === null) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not an endpoint like tcp://127.0.0.1:5555`,
    );
  }
  if (m[1] === "inproc") {
    throw new UsageError(
      `${flag} ${value}: inproc:// reaches only sockets of the same process; use tcp:// or ipc://`,
    );
  }
  if (!TRANSPORTS.has(m[1])) throw new UsageError(`${flag} ${value}: unknown transport ${m[1]}`);
  return value;
}

/** Reads `--option NAME=VALUE` by the option's kind; mistakes are UsageErrors. */
export function optionArg(text: string): OptionSetting {
  const eq = text.indexOf("=");
  const name = (eq < 0 ? text : text.slice(0, eq)).trim().toUpperCase().replace(/^ZMQ_/, "");
  if (eq < 0) throw new UsageError(`--option ${name}: write NAME=VALUE`);
  const raw = text.slice(eq + 1);
  const secret = SECRET_OPTIONS.has(name);
  if (secret) addSecret(raw);
  if (!Object.hasOwn(SOCKET_OPTIONS, name)) {
    throw new UsageError(`--option: unknown socket option ${name}`);
  }
  const spec = SOCKET_OPTIONS[name as SocketOptionName];
  if (!spec.set) throw new UsageError(`--option: ${name} is read-only`);
  const shown = secret ? "(hidden)" : JSON.stringify(raw);
  const bad = (want: string) => new UsageError(`--option ${name} takes ${want}; got ${shown}`);
  let value: SocketOptionValue<SocketOptionName>;
  switch (spec.kind) {
    case "int": {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw bad("a 32-bit integer");
      value = n;
      break;
    }
    case "int64":
    case "uint64":
      if (!/^-?\d+$/.test(raw)) throw bad("an integer");
      value = BigInt(raw);
      break;
    case "bool": {
      const v = raw.toLowerCase();
      if (!["1", "0", "true", "false", "yes", "no", "on", "off"].includes(v)) {
        throw bad("true or false");
      }
      value = ["1", "true", "yes", "on"].includes(v);
      break;
    }
    case "key":
      if (raw.length !== 40) throw bad("a 40-character Z85 key");
      value = raw;
      break;
    default:
      value = raw;
  }
  return { name: name as SocketOptionName, value, secret };
}

/** A plan from --bind, --connect and --option (plus endpoints the command took as arguments). */
export function socketPlan(
  type: SocketType,
  flags: Flags,
  extra: { bind?: string[]; connect?: string[] } = {},
): SocketPlan {
  const bind = [...(extra.bind ?? []), ...flags.list("bind")].map((e) => endpointArg("--bind", e));
  const connect = [...(extra.connect ?? []), ...flags.list("connect")].map((e) =>
    endpointArg("--connect", e)
  );
  if (bind.length === 0 && connect.length === 0) {
    throw new UsageError("give an endpoint with --bind EP or --connect EP");
  }
  return { type, bind, connect, options: flags.list("option").map(optionArg) };
}

/** How {@linkcode Session.open} treats a socket beyond its plan. */
export interface OpenOptions {
  /** Stop the command when a connecting socket's handshake fails (default true). */
  watchHandshakes?: boolean;
  /** Called after options and security are set, before any bind or connect. */
  beforeEndpoints?: (socket: Socket) => void;
}

const ENV_ERRORS = new Set(["EADDRINUSE", "EACCES", "EPERM"]);

/**
 * The context of one command run, with what hangs off it: the authenticator for server
 * sockets, monitors that watch handshakes, and a signal that aborts on Ctrl-C or when a
 * connecting socket's handshake fails (its reason is then the RunError saying why).
 */
export class Session implements AsyncDisposable {
  readonly context: Context;
  readonly signal: AbortSignal;
  readonly #name: string;
  readonly #security: Security;
  readonly #interrupt: Interrupt;
  readonly #failure = new AbortController();
  #auth: Authenticator | null = null;
  #watchers: { monitor: SocketMonitor; done: Promise<void> }[] = [];
  #closed = false;

  /**
   * A session for subcommand `name`. `linger` is how long unsent messages may hold up the end
   * (ms, -1 for as long as it takes); Ctrl-C drops them.
   */
  constructor(name: string, interrupt: Interrupt, security: Security, linger = -1) {
    this.#name = name;
    this.#interrupt = interrupt;
    this.#security = security;
    this.context = new Context({ linger });
    this.signal = AbortSignal.any([interrupt.signal, this.#failure.signal]);
  }

  /** Opens, secures, binds and connects a socket as planned. */
  open(plan: SocketPlan, options: OpenOptions = {}): Socket {
    const socket = this.context.socket(plan.type);
    for (const o of plan.options) {
      try {
        socket.setOption(o.name, o.value);
      } catch (e) {
        const shown = o.secret ? "(hidden)" : String(o.value);
        throw new UsageError(`--option ${o.name}=${shown}: ${messageOf(e)}`);
      }
    }
    const server = this.#secure(socket, plan);
    if (plan.connect.length > 0 && !server && options.watchHandshakes !== false) {
      this.#watch(socket, (e) => {
        const why = handshakeFailure(e);
        this.#failure.abort(new RunError(`handshake with ${e.endpoint} failed: ${why}`));
      });
    } else if (server && options.watchHandshakes !== false) {
      this.#watch(
        socket,
        (e) => err(`zmq ${this.#name}: refused a peer: ${handshakeFailure(e)}\n`),
      );
    }
    options.beforeEndpoints?.(socket);
    for (const ep of plan.bind) this.#endpoint(socket, "bind", ep);
    for (const ep of plan.connect) this.#endpoint(socket, "connect", ep);
    return socket;
  }

  /** Applies the security flags; answers true if the socket is a server (checks peers). */
  #secure(socket: Socket, plan: SocketPlan): boolean {
    const s = this.#security;
    // a server's frames are bounded (the library's default, 1 MiB) unless the user set
    // MAXMSGSIZE: a limit of theirs is kept, and -1 lifts it
    const unbounded = plan.options.some((o) => o.name === "MAXMSGSIZE" && o.value === -1n);
    const limit = unbounded ? { maxMessageSize: -1 } : {};
    switch (s.mechanism) {
      case "null":
        return false;
      case "curve-client":
        makeCurveClient(socket, s.serverKey, s.keys);
        return false;
      case "curve-server":
        if (s.allow !== null) this.#authenticator().configureCurve({ publicKeys: s.allow });
        makeCurveServer(socket, s.keys, limit);
        return true;
      case "plain":
        if (plan.bind.length > 0 && plan.connect.length > 0) {
          throw new UsageError(
            "--plain: a socket that both binds and connects cannot tell whether it checks or " +
              "sends the password; use one of them",
          );
        }
        if (plan.bind.length === 0) {
          makePlainClient(socket, s.user, s.password);
          return false;
        }
        this.#authenticator().configurePlain({ passwords: { [s.user]: s.password } });
        makePlainServer(socket, limit);
        return true;
    }
  }

  #authenticator(): Authenticator {
    if (this.#auth === null) {
      const auth = new Authenticator(this.context);
      // an authenticator serves as soon as start() returns (its start is synchronous); it can
      // only fail on a closed context, which ends the command with that reason
      auth.start().catch((e) => this.#failure.abort(new RunError(messageOf(e))));
      this.#auth = auth;
    }
    return this.#auth;
  }

  #watch(socket: Socket, onFailure: (e: MonitorEvent) => void) {
    const events = monitor(socket, [
      "handshake_failed_auth",
      "handshake_failed_protocol",
      "handshake_failed_no_detail",
    ]);
    const done = (async () => {
      for await (const e of events) onFailure(e);
    })();
    this.#watchers.push({ monitor: events, done });
  }

  #endpoint(socket: Socket, how: "bind" | "connect", endpoint: string): void {
    try {
      if (how === "bind") socket.bind(endpoint);
      else socket.connect(endpoint);
    } catch (e) {
      if (!(e instanceof ZmqError)) throw e;
      const line = `--${how} ${endpoint}: ${redact(e.message.replace(/ \(.*\)$/, ""))}`;
      throw ENV_ERRORS.has(e.code) ? new RunError(line) : new UsageError(line);
    }
    if (how === "bind" && /:(\*|0)$/.test(endpoint)) {
      err(`zmq ${this.#name}: bound ${socket.lastEndpoint}\n`);
    }
  }

  /**
   * Stops the monitors and the authenticator and terminates the context: unsent messages get
   * the session's linger, none after Ctrl-C or a failure. Closing twice does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watchers) await w.monitor.close();
    await Promise.all(this.#watchers.map((w) => w.done));
    const drop = this.signal.aborted;
    // nothing graceful is left: a Ctrl-C while unsent messages linger exits at once
    this.#interrupt.finishing = true;
    await this.context.terminate(drop ? { linger: 0 } : {});
    await this.#auth?.stop();
  }

  /** Closes the session (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
