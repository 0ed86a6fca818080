import { Context } from "../core/context.ts";
import {
  canonicalSocketType,
  SOCKET_OPTION_ALIASES,
  SOCKET_OPTIONS,
  type SocketType,
  type SocketTypeAlias,
} from "../core/constants.ts";
import { Service } from "../core/service.ts";
import { type ZmqError, zmqError, type ZmqErrorCode } from "../core/errors.ts";
import { RoleError, type RoleHandle, startRole } from "../workers/worker.ts";
import {
  type BackgroundKind,
  type DeviceConfig,
  encodeConfig,
  type OptionValue,
  READY,
  type SideConfig,
} from "./_config.ts";
import { isSocketType } from "./device.ts";

export type { BackgroundKind, OptionValue };

/** Options for a {@linkcode BackgroundDevice}. */
export interface BackgroundDeviceOptions {
  /** A context shared with the Worker, needed for `inproc://` endpoints. Default: its own. */
  context?: Context;
  /** Name of the Worker (in output prefixes and errors). Default: the kind in lower case. */
  name?: string;
  /** Receives the Worker's output lines. Default: printed as `[name] line`. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** MONITORED_QUEUE only: prefix of messages from the in socket. Default `"in"`. */
  inPrefix?: string | Uint8Array;
  /** MONITORED_QUEUE only: prefix of messages from the out socket. Default `"out"`. */
  outPrefix?: string | Uint8Array;
}

const KINDS: readonly BackgroundKind[] = [
  "QUEUE",
  "FORWARDER",
  "STREAMER",
  "PROXY",
  "MONITORED_QUEUE",
];
const ROLE = new URL("./_device_role.ts", import.meta.url);

type Side = "in" | "out" | "mon";

/** A side of the configuration; the tutorial's XREP/XREQ become ROUTER/DEALER here. */
function side(type: SocketType | SocketTypeAlias): SideConfig {
  return {
    type: canonicalSocketType(type) ?? type as SocketType,
    bind: [],
    connect: [],
    options: [],
  };
}

function startError(
  code: ZmqErrorCode,
  message: string,
  extra: { endpoint?: string } = {},
): ZmqError {
  return zmqError(code, message, { op: "start device", ...extra });
}

/**
 * A device that runs in its own Web Worker, configured from socket types rather than sockets:
 * the analogue of pyzmq's `ThreadDevice` / `ProcessDevice`. Configure each side with
 * `bindIn`/`connectIn`/`setOptionIn` (and `Out`, and `Mon` for a PROXY's capture socket or a
 * MONITORED_QUEUE's monitor), then start it.
 *
 * A {@linkcode Service}: `start()` resolves once the Worker has bound and connected every
 * socket, `stop()` makes the Worker stop the device, close its sockets and end, and resolves
 * once it is gone (a stopped device leaves no socket, Worker or pending call behind), `done`
 * settles then (or rejects with what made the device fail), `await using` stops it.
 *
 * Bad configuration is a ZmqError from `start` (an unknown socket type or option, a side with
 * no endpoint, an endpoint in use), never a hung Worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BackgroundDevice } from "../mod.ts";
 * const device = new BackgroundDevice("STREAMER", "PULL", "PUSH", { onLine: () => {} });
 * device.bindIn("tcp://127.0.0.1:*");
 * device.bindOut("tcp://127.0.0.1:*");
 * device.setOptionIn("ROUTING_ID", "PULL");
 * await using started = await device.start();
 * assert.equal(started.running, true);
 * ```
 */
export class BackgroundDevice extends Service {
  /** What the device does. */
  readonly kind: BackgroundKind;
  #config: DeviceConfig;
  #options: BackgroundDeviceOptions;
  #handle: RoleHandle | null = null;
  #stopTimeout: number | undefined;

  /**
   * Describes a device. `monType` is required for `"PROXY"` (its capture socket) and
   * `"MONITORED_QUEUE"` (default `"PUB"`), and not allowed otherwise; without it, the options
   * may come fourth. Types are checked by {@linkcode BackgroundDevice.start}.
   *
   * @param kind `"QUEUE"`, `"FORWARDER"`, `"STREAMER"`, `"PROXY"` or `"MONITORED_QUEUE"`.
   * @param inType The in (frontend) socket's type.
   * @param outType The out (backend) socket's type.
   * @param monType The mon socket's type, or the options for a kind without one.
   * @param options A shared `context` (for inproc), the Worker's `name`, `onLine`, the prefixes.
   */
  constructor(
    kind: BackgroundKind,
    inType: SocketType | SocketTypeAlias,
    outType: SocketType | SocketTypeAlias,
    monType?: SocketType | SocketTypeAlias | BackgroundDeviceOptions,
    options: BackgroundDeviceOptions = {},
  ) {
    super("BackgroundDevice");
    if (monType !== null && typeof monType === "object") {
      options = monType;
      monType = undefined;
    }
    this.kind = kind;
    this.#options = options;
    if (kind === "MONITORED_QUEUE") monType ??= "PUB";
    this.#config = {
      kind,
      in: side(inType),
      out: side(outType),
      mon: monType === undefined ? undefined : side(monType),
      inPrefix: options.inPrefix,
      outPrefix: options.outPrefix,
    };
  }

  #side(name: Side): SideConfig {
    if (this.#handle) {
      throw startError("EBUSY", "Configure a background device before starting it");
    }
    const s = this.#config[name];
    if (!s) {
      throw startError("EINVAL", `A ${this.kind} device has no mon socket`);
    }
    return s;
  }

  /**
   * Binds the in (frontend) socket to `endpoint` when started.
   *
   * @param endpoint Where the in socket binds.
   * @returns The device, for chaining.
   */
  bindIn(endpoint: string): this {
    this.#side("in").bind.push(endpoint);
    return this;
  }
  /**
   * Connects the in (frontend) socket to `endpoint` when started.
   *
   * @param endpoint Where the in socket connects.
   * @returns The device, for chaining.
   */
  connectIn(endpoint: string): this {
    this.#side("in").connect.push(endpoint);
    return this;
  }
  /**
   * Sets an option on the in socket when started (pyzmq's `setsockopt_in`).
   *
   * @param name A socket option's name, checked when started.
   * @param value Its value.
   * @returns The device, for chaining.
   */
  setOptionIn(name: string, value: OptionValue): this {
    this.#side("in").options.push([name, value]);
    return this;
  }
  /**
   * Binds the out (backend) socket to `endpoint` when started.
   *
   * @param endpoint Where the out socket binds.
   * @returns The device, for chaining.
   */
  bindOut(endpoint: string): this {
    this.#side("out").bind.push(endpoint);
    return this;
  }
  /**
   * Connects the out (backend) socket to `endpoint` when started.
   *
   * @param endpoint Where the out socket connects.
   * @returns The device, for chaining.
   */
  connectOut(endpoint: string): this {
    this.#side("out").connect.push(endpoint);
    return this;
  }
  /**
   * Sets an option on the out socket when started.
   *
   * @param name A socket option's name, checked when started.
   * @param value Its value.
   * @returns The device, for chaining.
   */
  setOptionOut(name: string, value: OptionValue): this {
    this.#side("out").options.push([name, value]);
    return this;
  }
  /**
   * Binds the mon socket (capture or monitor) to `endpoint` when started.
   *
   * @param endpoint Where the mon socket binds.
   * @returns The device, for chaining.
   */
  bindMon(endpoint: string): this {
    this.#side("mon").bind.push(endpoint);
    return this;
  }
  /**
   * Connects the mon socket to `endpoint` when started.
   *
   * @param endpoint Where the mon socket connects.
   * @returns The device, for chaining.
   */
  connectMon(endpoint: string): this {
    this.#side("mon").connect.push(endpoint);
    return this;
  }
  /**
   * Sets an option on the mon socket when started.
   *
   * @param name A socket option's name, checked when started.
   * @param value Its value.
   * @returns The device, for chaining.
   */
  setOptionMon(name: string, value: OptionValue): this {
    this.#side("mon").options.push([name, value]);
    return this;
  }

  /** Checks the configuration without starting anything; throws a ZmqError naming the fault. */
  validate(): void {
    const c = this.#config;
    if (!KINDS.includes(c.kind)) {
      throw startError(
        "EINVAL",
        `Unknown device kind ${JSON.stringify(c.kind)}; expected one of ${KINDS.join(", ")}`,
      );
    }
    const needsMon = c.kind === "PROXY" || c.kind === "MONITORED_QUEUE";
    if (needsMon && !c.mon) {
      throw startError("EINVAL", `A ${c.kind} device needs a mon socket type`);
    }
    if (!needsMon && c.mon) {
      throw startError("EINVAL", `A ${c.kind} device takes no mon socket; use PROXY`);
    }
    // Apply each side's options to a throwaway socket, so a bad name or value fails here.
    using probe = new Context();
    for (const name of ["in", "out", "mon"] as const) {
      const s = c[name];
      if (!s) continue;
      if (!isSocketType(s.type)) {
        throw startError(
          "EINVAL",
          `Unknown socket type ${JSON.stringify(s.type)} for the ${name} socket`,
        );
      }
      if (s.bind.length + s.connect.length === 0) {
        throw startError(
          "EINVAL",
          `The ${name} socket has no endpoint: call bind${cap(name)} or connect${cap(name)}`,
        );
      }
      for (const e of [...s.bind, ...s.connect]) {
        if (typeof e !== "string" || !/^[a-z]+:\/\/./.test(e)) {
          throw startError(
            "EINVAL",
            `Bad endpoint ${JSON.stringify(e)} for the ${name} socket`,
            { endpoint: String(e) },
          );
        }
      }
      using socket = probe.socket(s.type);
      for (const [option, value] of s.options) {
        if (
          !Object.hasOwn(SOCKET_OPTIONS, option) && !Object.hasOwn(SOCKET_OPTION_ALIASES, option)
        ) {
          throw startError(
            "EUNKNOWNOPTION",
            `Unknown socket option ${JSON.stringify(option)} for the ${name} socket`,
          );
        }
        socket.setOption(option as keyof typeof SOCKET_OPTIONS, value as never);
      }
    }
  }

  /**
   * Validates the configuration, starts the Worker and waits until every socket is bound and
   * connected (the {@linkcode Service} contract's `start`).
   */
  protected override async onStart(): Promise<void> {
    this.validate();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => ready = resolve);
    const name = this.#options.name ?? this.kind.toLowerCase();
    const print = this.#options.onLine ?? ((line: string, stream: "stdout" | "stderr") => {
      (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
    });
    const handle = startRole(ROLE, {
      name,
      args: ["--config", encodeConfig(this.#config)],
      context: this.#options.context,
      onLine: (line, stream) => line === READY ? ready() : print(line, stream),
    });
    this.#handle = handle;
    const ended = handle.done.catch((error) => {
      throw error instanceof RoleError && error.code
        ? startError(
          error.code as ZmqErrorCode,
          error.message.replace(/^role "[^"]*" failed: /, ""),
        )
        : error;
    });
    ended.then(() => this.ended(), (error) => this.ended(error));
    await Promise.race([
      isReady,
      ended.then(() => {
        throw startError("ECHILD", "The device's Worker ended before it was ready");
      }),
    ]);
  }

  /**
   * Stops the device: its Worker terminates the proxy, closes its sockets and ends. Resolves
   * once the Worker is gone. Idempotent; never rejects ({@linkcode Service.done} tells how the
   * device ended).
   *
   * @param options `timeout`: ms to wait for the Worker to end by itself before it is
   * terminated (the default of {@linkcode RoleHandle.stop}).
   * @returns A promise that resolves once the Worker has ended.
   */
  override stop(options: { timeout?: number } = {}): Promise<void> {
    this.#stopTimeout ??= options?.timeout;
    return super.stop();
  }

  /** Ends the Worker (the {@linkcode Service} contract). */
  protected override async onStop(): Promise<void> {
    if (!this.#handle) return;
    const timeout = this.#stopTimeout;
    await this.#handle.stop(timeout === undefined ? {} : { timeout }).catch(() => {});
    await this.#handle.done.catch(() => {});
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/**
 * pyzmq's `MonitoredQueue` device in a Web Worker: a {@linkcode BackgroundDevice} of kind
 * `MONITORED_QUEUE` whose mon socket (default PUB) publishes every message with the in/out
 * prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BackgroundMonitoredQueue } from "../mod.ts";
 * const device = new BackgroundMonitoredQueue("ROUTER", "DEALER", "PUB", { onLine: () => {} });
 * device.bindIn("tcp://127.0.0.1:*").bindOut("tcp://127.0.0.1:*");
 * device.bindMon("tcp://127.0.0.1:*");
 * await using queue = await device.start();
 * assert.equal(queue.kind, "MONITORED_QUEUE");
 * ```
 */
export class BackgroundMonitoredQueue extends BackgroundDevice {
  /**
   * Describes a monitored queue; prefixes default to `"in"` and `"out"`.
   *
   * @param inType The in (frontend) socket's type.
   * @param outType The out (backend) socket's type.
   * @param monType The mon socket's type.
   * @default {"PUB"} `monType`
   * @param options The Worker's name and output, a shared context, the prefixes.
   */
  constructor(
    inType: SocketType | SocketTypeAlias,
    outType: SocketType | SocketTypeAlias,
    monType: SocketType | SocketTypeAlias = "PUB",
    options: BackgroundDeviceOptions = {},
  ) {
    super("MONITORED_QUEUE", inType, outType, monType, options);
  }
}
