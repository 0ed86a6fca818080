// The reactor: one per isolate. It lets sockets wait for readiness without blocking the JS
// thread, following the facts measured for this project (docs/design.md, "The reactor"):
//
// - every zmq_* call stays on the JS thread, always with ZMQ_DONTWAIT;
// - a socket that must wait is "watched": the loop polls its ZMQ_FD with poll(2) on Deno's
//   thread pool (one nonblocking FFI call in flight at most, however many sockets wait);
// - ZMQ_FD is edge-triggered, so ZMQ_EVENTS is read again before every poll;
// - a self-pipe wakes the poll when the watched set changes or an operation is cancelled;
// - the loop runs only while something waits, so a program whose work is done exits.
import {
  canPollSync,
  closeWakePipe,
  makeWakePipe,
  pollFds,
  pollFdsSync,
  wakeDrain,
  wakeWrite,
} from "./_backend.ts";
import { noteTurn } from "./_turn.ts";

/** Something the reactor can wait on: a socket with pending work, or a plain descriptor. */
export interface Watched {
  /** The file descriptor to poll (libzmq's ZMQ_FD, or one of the program's own). */
  readonly fd: number;
  /** poll(2)'s events to wait for on `fd` (default POLLIN, what ZMQ_FD signals). */
  readonly pollEvents?: number;
  /**
   * Does all pending work that can be done now; answers the events still awaited (0: none),
   * with the FRESH bit set if its last libzmq call already showed them not ready.
   */
  service(): number;
  /** Reads ZMQ_EVENTS (which also re-arms the edge-triggered fd); -1 when that failed. */
  events(): number;
  /**
   * Rejects the pending operations with `error`: the reactor cannot wait for them (no file
   * descriptor for its wake pipe, say) or servicing them threw. The socket stays open.
   */
  fail(error: unknown): void;
}

/** Bit added to service()'s answer: readiness was just checked, events() can be skipped. */
export const FRESH = 0x100;

const POLLIN = 1;
const POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

/** How long the loop keeps re-checking hot sockets before it parks in poll(2), in ms. */
let spinMs = 0;

/**
 * Sets how long the reactor spins (re-reading ZMQ_EVENTS on the JS thread) before it parks in
 * poll(2). 0 (the default) never spins. A short spin trades CPU for latency while a
 * conversation is hot; see bench/ for measurements.
 */
export function setSpin(ms: number): void {
  spinMs = Math.max(0, ms);
}

/**
 * The hot wait: while a conversation is hot (the last wait ended within this many µs), the
 * loop first blocks the JS thread in ppoll(2) for up to this long before it parks on the thread
 * pool. A sleeping ppoll costs no CPU, and it wakes as fast as a C program's blocking recv; the
 * pool's wake-up hop costs tens of µs. A hot wait that times out backs off (exponentially) so
 * that an isolate whose sockets wait on its own JS code does not pay it again and again.
 */
let hotWaitUs = canPollSync ? envNumber("DENO_ZMQ_HOT_WAIT_US", 500) : 0;

function envNumber(name: string, fallback: number): number {
  try {
    const v = Deno.env.get(name);
    return v !== undefined && Number(v) >= 0 ? Number(v) : fallback;
  } catch {
    return fallback; // no --allow-env: the default
  }
}

/** Sets the hot wait's budget in µs (0 turns it off). */
export function setHotWait(us: number): void {
  hotWaitUs = canPollSync ? Math.max(0, us) : 0;
}

const MAX_BACKOFF = 64;
/** Hot waits stop this long after the last poll on the pool, so that the event loop turns. */
const HOT_TURN_MS = 50;

class Reactor {
  /** True when the last wait ended within hotWaitUs: the next one may block briefly. */
  #hot = false;
  /** Consecutive hot waits that timed out. */
  #misses = 0;
  /** Fast waits to make on the pool before the next hot wait is tried. */
  #skip = 0;
  /** Set by a sweep that finished every op of a socket (a continuation may be pending). */
  #settled = false;
  /** When the first hot wait since the last poll on the pool was made; -1: none yet. */
  #hotSince = -1;
  #watched = new Set<Watched>();
  #waiting: Watched[] = [];
  #running = false;
  #polling = false;
  #wakeSent = false;
  #woken: (() => void)[] = [];
  #wakeRead = -1;
  #wakeWrite = -1;
  #buf = new Uint8Array(new ArrayBuffer(POLLFD_SIZE * 16));
  #view = new DataView(this.#buf.buffer);

  /** True while a poll(2) call is in flight. */
  get polling(): boolean {
    return this.#polling;
  }

  /** Starts waiting for `w`: services it from the loop until its service() answers 0. */
  watch(w: Watched): void {
    this.#watched.add(w);
    if (this.#polling) this.wake();
    else if (!this.#running) {
      // Start after the current synchronous code, so that every socket it sets waiting (and
      // every message it sends) is seen by the first sweep.
      this.#running = true;
      queueMicrotask(this.#start);
    }
  }

  /**
   * Asks the loop to service `w` soon. Answers true if that will happen after the poll in
   * flight returns (the caller must then leave settling to service()), false if the caller
   * should settle now.
   */
  defer(w: Watched): boolean {
    if (this.#polling && this.#watched.has(w)) {
      this.wake();
      return true;
    }
    return false;
  }

  /**
   * Resolves once a woken poll has come back and the loop has serviced every watched socket
   * (settling the operations of sockets closed meanwhile); at once if no woken poll is in
   * flight. Context.terminate waits for it, so that it resolves after its sockets' operations.
   */
  whenWoken(): Promise<void> {
    if (!this.#polling || !this.#wakeSent) return Promise.resolve();
    return new Promise((resolve) => this.#woken.push(resolve));
  }

  /** Interrupts the poll in flight, if any, so the loop re-reads every watched socket. */
  wake(): void {
    if (this.#polling && !this.#wakeSent) {
      this.#wakeSent = true;
      wakeWrite(this.#wakeWrite);
    }
  }

  /** Starts a run (from a microtask queued by watch()). */
  #start = (): void => this.#run();

  /** Goes on after the event loop turned (a hot run yields to it every HOT_TURN_MS). */
  #afterYield = (): void => {
    noteTurn();
    this.#hotSince = -1;
    this.#run();
  };

  /**
   * The loop, while something waits: sweep, then wait (a hot wait on the JS thread, or a poll on
   * the pool that resumes the loop when it returns). #running stays true until nothing waits.
   */
  #run(): void {
    // A hot wait blocks the JS thread, so it is made only when nothing else can be pending in
    // this isolate: first in a run (started from a fresh microtask by watch(), or right after
    // a poll on the pool, when the event loop has just turned), never once an op was settled
    // in this run (its continuation must run first).
    let mayBlock = true;
    try {
      for (;;) {
        this.#settled = false;
        const waiting = this.#sweep();
        if (waiting === null || this.#settled) mayBlock = false;
        if (waiting === null) continue; // something became ready: sweep again
        if (waiting.length === 0) {
          this.#running = false;
          return;
        }
        if (spinMs > 0 && this.#spin(waiting)) continue;
        const count = this.#fill(waiting);
        if (mayBlock && this.#hot && this.#skip === 0 && hotWaitUs > 0) {
          const now = performance.now();
          if (this.#hotSince < 0) this.#hotSince = now;
          // let the event loop turn (timers, Worker messages) at least every HOT_TURN_MS: a
          // setImmediate, a turn of a few µs, where parking on the pool costs a wake-up hop
          if (now - this.#hotSince >= HOT_TURN_MS) {
            setImmediate(this.#afterYield);
            return;
          }
          const r = pollFdsSync(this.#buf, count, hotWaitUs);
          if (r > 0) {
            this.#misses = 0;
            continue;
          }
          if (r === 0) {
            this.#hot = false;
            this.#misses = Math.min(this.#misses + 1, 6);
            this.#skip = Math.min(MAX_BACKOFF, 2 ** this.#misses);
          }
        }
        const start = performance.now();
        this.#polling = true;
        pollFds(this.#buf, count).then(() => this.#resume(start), (error) => {
          this.#polling = false;
          this.#failAll(error);
          for (const resolve of this.#woken.splice(0)) resolve();
        });
        return;
      }
    } catch (error) {
      // no wake pipe (file descriptors exhausted, say): the operations that needed the wait
      // reject with the error; the next operation that must wait tries again
      this.#failAll(error);
    }
  }

  /** Rejects the operations of every watched socket with `error` and ends the run. */
  #failAll(error: unknown): void {
    const all = [...this.#watched];
    this.#watched.clear();
    this.#running = false;
    for (const w of all) w.fail(error);
  }

  /** After a poll on the pool returned: the event loop has turned; run the loop again. */
  #resume(start: number): void {
    noteTurn(); // a pool poll came back through the event loop: it has turned
    this.#polling = false;
    this.#hotSince = -1;
    this.#hot = (performance.now() - start) * 1000 <= hotWaitUs;
    if (this.#hot && this.#skip > 0) this.#skip--;
    if (this.#wakeSent) {
      wakeDrain(this.#wakeRead);
      this.#wakeSent = false;
    }
    try {
      this.#run();
    } finally {
      for (const resolve of this.#woken.splice(0)) resolve();
    }
  }

  /** Services every watched item; answers those that must wait, or null if one is ready. */
  #sweep(): Watched[] | null {
    const waiting = this.#waiting; // reused: read only until the next sweep
    waiting.length = 0;
    let ready = false;
    for (const w of this.#watched) {
      let want: number, ev: number;
      try {
        want = w.service();
        ev = want === 0 || (want & FRESH) !== 0 ? 0 : w.events();
      } catch (error) {
        // whatever went wrong stays with that socket's operations, not the reactor's
        this.#watched.delete(w);
        this.#settled = true;
        w.fail(error);
        continue;
      }
      if (want === 0) {
        this.#watched.delete(w);
        this.#settled = true;
        continue;
      }
      if ((want & FRESH) !== 0) {
        waiting.push(w);
        continue;
      }
      if (ev < 0 || (ev & want) !== 0) ready = true;
      else waiting.push(w);
    }
    return ready ? null : waiting;
  }

  /** Re-reads ZMQ_EVENTS of the waiting sockets for up to spinMs; true if one became ready. */
  #spin(waiting: Watched[]): boolean {
    const until = performance.now() + spinMs;
    do {
      for (const w of waiting) {
        if (w.events() !== 0) return true;
      }
    } while (performance.now() < until);
    return false;
  }

  #fill(waiting: Watched[]): number {
    const count = waiting.length + 1;
    if (this.#buf.byteLength < count * POLLFD_SIZE) {
      this.#buf = new Uint8Array(new ArrayBuffer(count * 2 * POLLFD_SIZE));
      this.#view = new DataView(this.#buf.buffer);
    }
    if (this.#wakeRead < 0) [this.#wakeRead, this.#wakeWrite] = makeWakePipe();
    const view = this.#view;
    for (let i = 0; i < count; i++) {
      const w = i === 0 ? undefined : waiting[i - 1];
      view.setInt32(i * POLLFD_SIZE, w === undefined ? this.#wakeRead : w.fd, true);
      view.setInt16(i * POLLFD_SIZE + 4, w?.pollEvents ?? POLLIN, true);
      view.setInt16(i * POLLFD_SIZE + 6, 0, true);
    }
    return count;
  }

  /** Closes the wake pipe (when the isolate unloads). */
  dispose(): void {
    if (this.#wakeRead >= 0) {
      closeWakePipe(this.#wakeRead, this.#wakeWrite);
      this.#wakeRead = this.#wakeWrite = -1;
    }
  }
}

/** This isolate's reactor. */
export const reactor: Reactor = new Reactor();

globalThis.addEventListener?.("unload", () => reactor.dispose());
