import { type CloseOptions, type Frame, Socket } from "../core/mod.ts";
import { Service } from "../core/service.ts";
import { badValue, closedError, zmqError } from "../core/errors.ts";
import { checkSignal, describeKind, describeValue, isSocket } from "../core/_util.ts";
import {
  loopTimers,
  type PeriodicCallback,
  Timer,
  type TimerCallback,
  TimerQueue,
} from "./timers.ts";

/**
 * Called with each message a {@linkcode Stream} receives (always an array of frames, even for
 * a single-frame message), in order. If it returns a promise, the next message waits for it.
 */
export type RecvCallback = (frames: Uint8Array[], stream: Stream) => void | Promise<void>;

/** Called after a message queued with {@linkcode Stream.send} went out, with its frames. */
export type SendCallback = (frames: Frame[], stream: Stream) => void | Promise<void>;

/**
 * Called with an error thrown by a stream's callback (or a socket error met while receiving or
 * sending) and the stream it came from, or by a timer's callback and the timer
 * ({@linkcode Timer} or {@linkcode PeriodicCallback}).
 */
export type StreamErrorHandler = (
  error: unknown,
  source: Stream | Timer | PeriodicCallback,
) => void;

/** Options for a new {@linkcode Loop}. */
export interface LoopOptions {
  /**
   * Called with every error thrown by a callback, and the loop keeps running. Without it the
   * first error stops the loop and {@linkcode Loop.run} rejects with it. Errors are never
   * swallowed: if `onError` itself throws, `run()` rejects with that.
   */
  onError?: StreamErrorHandler;
}

/** One run of a loop: what the streams' pumps need. */
interface Session {
  /** Aborted when the loop stops. */
  readonly signal: AbortSignal;
  /** Keeps `task` in the set run() waits for before it settles. */
  track(task: Promise<void>): void;
  /** Keeps a receive or send in the set stop() waits for; answers it. */
  io<T>(operation: Promise<T>): Promise<T>;
  /** Reports an error thrown by a callback (or met by a pump). */
  report(error: unknown, source: Stream | Timer | PeriodicCallback): void;
}

/** What a loop needs from the streams attached to it. */
interface StreamHooks {
  /** Starts the stream's pumps for a run of the loop. */
  start(): void;
}

/** What a Stream reaches of its Loop: the current run, and the set of attached streams. */
interface LoopInternals {
  /** The current run, or null between runs. */
  session(): Session | null;
  /** Attaches a stream (started at once if the loop runs). */
  attach(hooks: StreamHooks): void;
  /** Detaches a stream. */
  detach(hooks: StreamHooks): void;
}

/**
 * Loop object → its internals, registered by its constructor: the library's one way for a
 * class to reach another's private state (as core/_registry.ts does for Context and Socket).
 */
const loops = new WeakMap<Loop, LoopInternals>();

let shared: Loop | undefined;

/** The stream that drives each socket: a socket has at most one open Stream. */
const streams = new WeakMap<Socket, Stream>();

/**
 * An event loop for {@linkcode Stream} callbacks: pyzmq's IOLoop. Callbacks of the streams
 * attached to a loop run only while the loop runs: from {@linkcode Loop.start} (or
 * {@linkcode Loop.run}, which starts it and waits until it has ended) until
 * {@linkcode Loop.stop}, typically called from a callback. No callback fires after `stop()`.
 *
 * A {@linkcode Service} that may start again: `start()` resolves at once (the streams' pumps
 * are going), `stop()` resolves once every receive, send and callback in progress has settled,
 * `done` settles then (rejecting with the first error a callback threw, unless the loop has an
 * `onError`), `await using` stops it. Each run has its own `done`.
 *
 * A callback that throws is reported: to `onError` if the loop has one, otherwise the loop
 * stops and its run rejects with the error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, Loop, Stream } from "../mod.ts";
 * using ctx = new Context();
 * using pull = ctx.socket("PULL");
 * using push = ctx.socket("PUSH");
 * pull.bind("inproc://loop-example");
 * push.connect("inproc://loop-example");
 *
 * const loop = new Loop();
 * const seen: string[] = [];
 * new Stream(pull, loop).onRecv(([frame]) => {
 *   const text = new TextDecoder().decode(frame);
 *   seen.push(text);
 *   if (text === "Exit") loop.stop();
 * });
 * for (const text of ["Continue", "Continue", "Exit"]) await push.send(text);
 * await loop.run();
 * assert.deepEqual(seen, ["Continue", "Continue", "Exit"]);
 * ```
 */
export class Loop extends Service {
  #streams = new Set<StreamHooks>();
  #timers = new TimerQueue();
  #session: (Session & { stopped: boolean; stop(): void }) | null = null;
  /** Settles once the current run's tasks have all settled. */
  #finished: Promise<void> = Promise.resolve();
  /** Settles once the current run's receives and sends have all settled. */
  #ioSettled: () => Promise<void> = () => Promise.resolve();
  /** Handler for errors thrown by callbacks; see {@linkcode LoopOptions.onError}. */
  onError: StreamErrorHandler | undefined;

  /**
   * Creates a loop, not running.
   *
   * @param options An error handler that keeps the loop going.
   * @throws {ZmqError} `EBADVALUE` for an `onError` that is not a function.
   */
  constructor(options: LoopOptions = {}) {
    super("Loop", { restartable: true, endsItself: true });
    loops.set(this, {
      session: () => this.#session,
      attach: (hooks) => {
        this.#streams.add(hooks);
        if (this.#session) hooks.start();
      },
      detach: (hooks) => void this.#streams.delete(hooks),
    });
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw badValue("Loop: onError must be a function", { op: "new Loop" });
    }
    this.onError = options.onError;
    loopTimers.set(this, this.#timers);
  }

  /**
   * Calls `callback` once, `ms` milliseconds from now, while the loop runs (pyzmq's
   * `IOLoop.call_later`); if the loop is stopped then, when it runs again. Answers a
   * {@linkcode Timer} whose `cancel()` keeps it from firing. An error it throws is reported as a
   * stream callback's is (`onError`, or `run()` rejects).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Loop } from "../mod.ts";
   * const loop = new Loop();
   * const started = performance.now();
   * let fired = 0;
   * const never = loop.callLater(5, () => fired += 100);
   * never.cancel(); // it will not fire
   * loop.callLater(10, () => {
   *   fired++;
   *   loop.stop(); // a bound on the run
   * });
   * await loop.run();
   * assert.equal(fired, 1);
   * assert.ok(performance.now() - started >= 9); // not before its time (a loose bound)
   * ```
   *
   * @param ms Milliseconds from now.
   * @param callback Called once, while the loop runs.
   * @returns The timer: `cancel()` keeps it from firing.
   * @throws {ZmqError} `EBADVALUE` for a delay or callback that is not one.
   */
  callLater(ms: number, callback: TimerCallback): Timer {
    return new Timer(this, ms, callback);
  }

  /**
   * One loop shared by the whole isolate, created on first use (pyzmq's
   * `IOLoop.instance()`); streams made without a loop use it.
   *
   * @returns The isolate's shared loop.
   */
  static instance(): Loop {
    return shared ??= new Loop();
  }

  /**
   * Runs the callbacks of the attached streams until {@linkcode Loop.stop} is called, or
   * `signal` aborts (which is the same as `stop()`): {@linkcode Loop.start}, then the run's
   * `done`.
   *
   * @param signal Stops the loop when aborted.
   * @returns A promise that resolves once the loop has stopped and every receive, send and
   * callback in progress has ended, so nothing stays pending.
   * @throws {ZmqError} Rejects with `EBUSY` if the loop is already running and with
   * `EBADVALUE` for a signal that is not an AbortSignal; with the first error a callback
   * threw, unless the loop has an `onError` handler.
   */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.#session !== null) {
      throw zmqError("EBUSY", "Loop is already running", { op: "run" });
    }
    checkSignal(signal, { op: "run" });
    if (signal?.aborted) return; // stopped before it started: no callback runs
    const onAbort = () => void this.stop();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.start();
      await this.done;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** True while the loop runs and {@linkcode Loop.stop} was not called (nor a callback failed). */
  override get running(): boolean {
    return super.running && this.#session !== null && !this.#session.stopped;
  }

  /** Starts the streams' pumps for a run (the {@linkcode Service} contract's `start`). */
  protected override onStart(): void {
    const controller = new AbortController();
    const tasks = new Set<Promise<void>>();
    const io = new Set<Promise<unknown>>();
    let failure: { error: unknown } | undefined;
    let stopped!: () => void;
    const stopping = new Promise<void>((resolve) => stopped = resolve);
    const session = {
      signal: controller.signal,
      stopped: false,
      stop: () => {
        if (session.stopped) return;
        session.stopped = true;
        this.#timers.pause();
        controller.abort();
        stopped();
      },
      track: (task: Promise<void>) => {
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      },
      io: <T>(operation: Promise<T>): Promise<T> => {
        const settled = operation.then(() => {}, () => {});
        io.add(settled);
        settled.finally(() => io.delete(settled));
        return operation;
      },
      report: (error: unknown, source: Stream | Timer | PeriodicCallback) => {
        const handler = this.onError;
        if (handler) {
          try {
            handler(error, source);
            return;
          } catch (e) {
            error = e;
          }
        }
        // the run rejects with the first error, even one met while the loop was stopping
        failure ??= { error };
        session.stop();
      },
    };
    this.#session = session;
    this.#ioSettled = async () => {
      while (io.size > 0) await Promise.allSettled([...io]);
    };
    if (!session.stopped) this.#timers.resume(session);
    for (const hooks of [...this.#streams]) {
      if (session.stopped) break;
      hooks.start();
    }
    this.#finished = (async () => {
      await stopping;
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    })().finally(() => {
      if (this.#session === session) {
        this.#timers.pause(); // stop() paused them already; a timer armed since must not fire
        this.#session = null;
      }
      if (failure) this.ended(failure.error);
      else this.ended();
    });
  }

  /**
   * Stops the loop (the {@linkcode Service} contract's `stop`): no callback fires after this
   * call, pending receives and sends are cancelled, and `stop()` resolves once they have
   * settled. It does not wait for callbacks still running (the one that called `stop()` may be
   * among them, awaiting it): {@linkcode Loop.done} and {@linkcode Loop.run} settle after those
   * too. Messages received but not yet handed to a callback, and queued sends, are kept for
   * the next run.
   */
  protected override async onStop(): Promise<void> {
    this.#session?.stop();
    await this.#ioSettled();
  }
}

/**
 * A socket driven by callbacks: pyzmq's `ZMQStream`. `onRecv(callback)` calls `callback(frames)`
 * for each message, in order; `send()` queues a message, sent by the loop, after which the
 * `onSend` callback runs. Callbacks run only while the stream's {@linkcode Loop} runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, Loop, Stream } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * rep.bind("inproc://stream-echo");
 * req.connect("inproc://stream-echo");
 *
 * const loop = new Loop();
 * using echo = new Stream(rep, loop);
 * echo.onRecv((frames, stream) => stream.send(frames)); // an echo server
 * echo.onSend(() => loop.stop());
 * await req.send("Hello");
 * await loop.run();
 * assert.equal(await req.recvString(), "Hello");
 * ```
 */
export class Stream implements Disposable {
  /** The socket this stream drives. */
  readonly socket: Socket;
  /** The loop whose runs fire this stream's callbacks. */
  readonly loop: Loop;
  #onRecv: RecvCallback | null = null;
  #onSend: SendCallback | null = null;
  /** Messages received after a stop, handed to onRecv first on the next run. */
  #held: Uint8Array[][] = [];
  #sendQ: Frame[][] = [];
  #recvCtl: AbortController | null = null;
  #sendCtl: AbortController | null = null;
  #recvTask: Promise<void> | undefined;
  #sendTask: Promise<void> | undefined;
  #closed = false;
  #hooks: StreamHooks;

  /**
   * Wraps `socket`; its callbacks run on `loop` (default: {@linkcode Loop.instance}). While a
   * stream receives, use the socket only through the stream.
   *
   * @param socket The socket to wrap.
   * @param loop The loop that runs its callbacks.
   * @default {Loop.instance()}
   * @throws {ZmqError} `EBADVALUE` for a socket or loop that is not one, `EBUSY` for a socket
   * that already has an open Stream.
   */
  constructor(socket: Socket, loop: Loop = Loop.instance()) {
    if (!(socket instanceof Socket) || !isSocket(socket)) {
      throw badValue(`Stream: socket must be a Socket; got ${describeValue(socket)}`, {
        op: "new Stream",
      });
    }
    if (!(loop instanceof Loop)) {
      throw badValue(`Stream: loop must be a Loop; got ${describeValue(loop)}`, {
        op: "new Stream",
      });
    }
    const other = streams.get(socket);
    if (other !== undefined && !other.closed) {
      // two streams would split the socket's messages between them
      throw zmqError("EBUSY", "Stream: this socket already has an open Stream; use that one", {
        op: "new Stream",
        socketType: socket.type,
      });
    }
    streams.set(socket, this);
    this.socket = socket;
    this.loop = loop;
    this.#hooks = {
      start: () => {
        if (this.closed) {
          loops.get(this.loop)!.detach(this.#hooks); // its socket was closed directly
          return;
        }
        this.#startRecv();
        this.#startSend();
      },
    };
    loops.get(loop)!.attach(this.#hooks);
  }

  /** True once {@linkcode Stream.close} was called or the socket was closed. */
  get closed(): boolean {
    return this.#closed || this.socket.closed;
  }

  /** True if the stream has an `onRecv` callback (it receives while the loop runs). */
  get receiving(): boolean {
    return this.#onRecv !== null && !this.closed;
  }

  /**
   * Sets the callback for received messages (replacing any earlier one); `null` stops
   * receiving, leaving further messages in the socket. Answers the stream, for chaining.
   *
   * @param callback Called with each message's frames; `null` stops receiving.
   * @returns The stream, for chaining.
   * @throws {ZmqError} `EBADVALUE` for a callback that is not a function, `ECLOSED` once closed.
   */
  onRecv(callback: RecvCallback | null): this {
    checkCallback(callback, "onRecv");
    this.#live("onRecv");
    this.#onRecv = callback;
    if (callback === null) this.#recvCtl?.abort();
    else this.#startRecv();
    return this;
  }

  /**
   * Sets the callback run after each queued message was sent; `null` removes it. Like every
   * callback it runs only while the loop runs: a send that completes as the loop stops is not
   * reported.
   *
   * @param callback Called with each message once sent; `null` removes it.
   * @returns The stream, for chaining.
   * @throws {ZmqError} `EBADVALUE` for a callback that is not a function, `ECLOSED` once closed.
   */
  onSend(callback: SendCallback | null): this {
    checkCallback(callback, "onSend");
    this.#live("onSend");
    this.#onSend = callback;
    return this;
  }

  /**
   * Queues a message (a frame, or an array of frames sent as one multipart message); the loop
   * sends queued messages in order while it runs. Throws a ZmqError (`"EBADVALUE"`) for a frame
   * that is not a string or bytes, `"ECLOSED"` once the stream is closed.
   *
   * @param message A frame, or the frames of one multipart message.
   * @throws {ZmqError} `EBADVALUE` for a frame that is not a string or bytes, `ECLOSED` once closed.
   */
  send(message: Frame | Frame[]): void {
    this.#live("send");
    const frames = Array.isArray(message) ? [...message] : [message];
    checkFrames(frames, this.socket.type);
    this.#sendQ.push(frames);
    this.#startSend();
  }

  /**
   * Queues frames as one multipart message (pyzmq's `send_multipart`).
   *
   * @param frames The frames of one message.
   * @throws {ZmqError} `EBADVALUE` for something that is not an array of frames, and as
   * {@linkcode Stream.send} does.
   */
  sendMultipart(frames: Frame[]): void {
    if (!Array.isArray(frames)) {
      throw badValue("sendMultipart takes an array of frames", {
        op: "sendMultipart",
        socketType: this.socket.type,
      });
    }
    this.send(frames);
  }

  /** Number of messages queued by {@linkcode Stream.send} and not sent yet. */
  get queued(): number {
    return this.#sendQ.length;
  }

  /**
   * Stops the stream's callbacks: it receives no more (messages stay in the socket) and
   * `onRecv`/`onSend` are removed. Queued messages are still sent while the loop runs. Set a
   * callback again to resume.
   */
  stop(): void {
    this.#onRecv = null;
    this.#onSend = null;
    this.#recvCtl?.abort();
  }

  /**
   * Stops the stream, drops the messages still queued, detaches it from its loop and closes the
   * socket (with `linger`, if given). Closing twice is harmless.
   *
   * @param options `linger` in ms for the socket's close.
   * @default {{}} the socket's LINGER.
   */
  close(options: CloseOptions = {}): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.#sendQ = [];
    this.#held = [];
    this.#sendCtl?.abort();
    loops.get(this.loop)!.detach(this.#hooks);
    this.socket.close(options);
  }

  /** Closes the stream and its socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #live(op: string): void {
    if (this.closed) {
      throw closedError("Stream is closed", { op, socketType: this.socket.type });
    }
  }

  #startRecv(): void {
    const session = loops.get(this.loop)!.session();
    if (session === null || session.signal.aborted) return;
    if (this.#onRecv === null || this.closed) return;
    if (this.#recvCtl !== null && !this.#recvCtl.signal.aborted) return; // already receiving
    // A pump that was just stopped may still be settling its last receive: start after it,
    // so messages stay in order.
    const previous = this.#recvTask;
    const ctl = new AbortController();
    this.#recvCtl = ctl;
    this.#recvTask = this.#pump(session, ctl, async () => {
      await previous;
      await this.#recvPump(session, ctl.signal);
    });
  }

  #startSend(): void {
    const session = loops.get(this.loop)!.session();
    if (session === null || session.signal.aborted) return;
    if (this.#sendQ.length === 0 || this.closed) return;
    if (this.#sendCtl !== null && !this.#sendCtl.signal.aborted) return; // already sending
    const previous = this.#sendTask;
    const ctl = new AbortController();
    this.#sendCtl = ctl;
    this.#sendTask = this.#pump(session, ctl, async () => {
      await previous;
      await this.#sendPump(session, ctl.signal);
    });
  }

  /**
   * Runs a pump until it ends; the loop's stop aborts it, and run() waits for it. Answers a
   * promise that settles (never rejects) when the pump has ended.
   */
  #pump(session: Session, ctl: AbortController, body: () => Promise<void>): Promise<void> {
    const onStop = () => ctl.abort();
    session.signal.addEventListener("abort", onStop, { once: true });
    const task = body().catch((e) => session.report(e, this)).finally(() => {
      session.signal.removeEventListener("abort", onStop);
      ctl.abort(); // marks the pump as ended
    });
    session.track(task);
    return task;
  }

  async #recvPump(session: Session, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted || this.closed || this.#onRecv === null) return;
      let frames = this.#held.shift();
      if (frames === undefined) {
        try {
          frames = await session.io(this.socket.recvMultipart({ signal }));
        } catch (e) {
          if (signal.aborted || this.closed) return;
          throw e;
        }
        if (this.closed) return;
        if (signal.aborted || this.#onRecv === null) {
          this.#held.push(frames); // taken from the socket after a stop: keep it for later
          return;
        }
      }
      try {
        await this.#onRecv(frames, this);
      } catch (e) {
        session.report(e, this);
      }
    }
  }

  async #sendPump(session: Session, signal: AbortSignal): Promise<void> {
    while (this.#sendQ.length > 0) {
      if (signal.aborted || this.closed) return;
      const frames = this.#sendQ[0];
      try {
        await session.io(this.socket.send(frames, { signal }));
      } catch (e) {
        // cancelled before any frame went out: the message stays queued for the next run
        if (signal.aborted || this.closed) return;
        this.#sendQ.shift();
        session.report(e, this);
        continue;
      }
      this.#sendQ.shift();
      const callback = this.#onSend;
      if (callback === null || session.signal.aborted) continue;
      try {
        await callback(frames, this);
      } catch (e) {
        session.report(e, this);
      }
    }
  }
}

function checkCallback(callback: unknown, op: string): void {
  if (callback !== null && typeof callback !== "function") {
    throw badValue(`${op}: callback must be a function or null; got ${describeValue(callback)}`, {
      op,
    });
  }
}

function checkFrames(frames: unknown[], socketType: string): void {
  if (frames.length === 0) {
    throw badValue("A message needs at least one frame", {
      op: "send",
      socketType,
    });
  }
  frames.forEach((f, i) => {
    if (typeof f !== "string" && !ArrayBuffer.isView(f)) {
      throw badValue(`Frame ${i} is ${describeKind(f)}; expected a string or Uint8Array`, {
        op: "send",
        socketType,
      });
    }
  });
}
