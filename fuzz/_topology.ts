// Where a scenario's sockets meet: the transport (inproc, tcp, ipc), per-socket options (HWMs),
// CURVE on tcp (with a refused intruder), and monitors whose events are checked at the end.
import {
  type Context,
  curveKeypair,
  makeCurveClient,
  makeCurveServer,
  monitor,
  MONITOR_EVENTS,
  type MonitorEvent,
  type Socket,
  type SocketMonitor,
  type SocketType,
} from "../mod.ts";
import type { Env, Program } from "./_engine.ts";
import { Finding } from "./_ledger.ts";

/** A transport for a scenario. */
export type Transport = "inproc" | "tcp" | "ipc";

interface Watched {
  socket: string;
  events: MonitorEvent[];
  monitor: SocketMonitor;
  reader: Promise<void>;
  /** Endpoints this socket connected to, each must show a "connected" event. */
  connects: string[];
}

/** One scenario's sockets and how they meet. */
export class Topology {
  readonly transport: Transport;
  readonly ctx: Context;
  /** The server's CURVE key pair when the scenario runs CURVE (tcp only). */
  readonly curve: { publicKey: string; secretKey: string } | null;
  #env: Env;
  #program: Program;
  #watched = new Map<Socket, Watched>();
  /** Options applied to every socket before bind/connect. */
  readonly hwm: number;

  constructor(env: Env, program: Program, ctx: Context, options: { hwm?: number } = {}) {
    const rng = env.rng;
    this.#env = env;
    this.#program = program;
    this.ctx = ctx;
    this.transport = rng.pick(["inproc", "inproc", "tcp", "tcp", "ipc"] as const);
    this.curve = this.transport === "tcp" && rng.chance(0.35) ? curveKeypair() : null;
    this.hwm = options.hwm ?? rng.pick([0, 0, 1, 3, 10, 1000]);
  }

  /** A short description for traces and reports. */
  get label(): string {
    return `${this.transport}${this.curve ? "+curve" : ""} hwm ${this.hwm}`;
  }

  /** Opens a socket for `role` with the scenario's options (HWMs, CURVE). */
  open(type: SocketType, role: "server" | "client"): Socket {
    const s = this.#program.own(this.ctx.socket(type));
    s.setOption("SNDHWM", this.hwm);
    s.setOption("RCVHWM", this.hwm);
    if (this.curve) {
      if (role === "server") makeCurveServer(s, this.curve);
      else makeCurveClient(s, this.curve.publicKey);
    }
    if (this.transport !== "inproc" && this.#env.rng.chance(0.25)) this.#watch(s);
    return s;
  }

  /**
   * A client that must never get in: a CURVE client with the wrong server key (tcp+curve
   * only; null otherwise). Nothing it sends may arrive and nothing may reach it.
   */
  intruder(type: SocketType): Socket | null {
    if (!this.curve || !this.#env.rng.chance(0.5)) return null;
    const s = this.#program.own(this.ctx.socket(type));
    makeCurveClient(s, curveKeypair().publicKey);
    return s;
  }

  /** Binds `socket` to a fresh endpoint of the transport; answers where peers connect. */
  bind(socket: Socket): string {
    const name = this.#env.name("fz");
    switch (this.transport) {
      case "inproc":
        socket.bind(`inproc://${name}`);
        return `inproc://${name}`;
      case "ipc":
        socket.bind(`ipc:///tmp/zfz-${Deno.pid}-${name}`);
        return `ipc:///tmp/zfz-${Deno.pid}-${name}`;
      case "tcp":
        socket.bind("tcp://127.0.0.1:*");
        return socket.lastEndpoint;
    }
  }

  /** Connects `socket` to `endpoint`, noting it for the monitor check. */
  connect(socket: Socket, endpoint: string): void {
    socket.connect(endpoint);
    this.#watched.get(socket)?.connects.push(endpoint);
  }

  #watch(socket: Socket): void {
    const events: MonitorEvent[] = [];
    const m = monitor(socket);
    const reader = (async () => {
      for await (const e of m) {
        if (!Object.hasOwn(MONITOR_EVENTS, e.event) || typeof e.endpoint !== "string") {
          throw new Finding(`monitor of ${socket.type}: malformed event ${JSON.stringify(e)}`);
        }
        events.push(e);
      }
    })();
    reader.catch((e) => this.#program.fail(e));
    this.#watched.set(socket, { socket: socket.type, events, monitor: m, reader, connects: [] });
  }

  /**
   * After the drain (every message arrived, so every connection was up): each monitored
   * socket must have reported "connected" for each endpoint it connected to. Then closes the
   * monitors.
   */
  async finish(): Promise<void> {
    const deadline = performance.now() + 5000;
    for (const w of this.#watched.values()) {
      for (const endpoint of w.connects) {
        const seen = () => w.events.some((e) => e.event === "connected" && e.endpoint === endpoint);
        while (!seen() && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        if (!seen()) {
          throw new Finding(
            `monitor of ${w.socket}: no "connected" event for ${endpoint} although messages ` +
              `flowed; saw ${w.events.map((e) => e.event).join(", ") || "nothing"}`,
          );
        }
      }
      await w.monitor.close();
      await w.reader;
    }
  }

  /** Monitors opened (for the report). */
  get monitors(): number {
    return this.#watched.size;
  }
}
