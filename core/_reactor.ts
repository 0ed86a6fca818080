// The reactor: one per isolate. It lets sockets wait for readiness without blocking the JS
// thread, following the facts measured for this project (see DESIGN.md §2):
//
// - every zmq_* call stays on the JS thread, always with ZMQ_DONTWAIT;
// - a socket that must wait is "watched": the loop polls its ZMQ_FD with poll(2) on Deno's
//   thread pool (one nonblocking FFI call in flight at most, however many sockets wait);
// - ZMQ_FD is edge-triggered, so ZMQ_EVENTS is read again before every poll;
// - a self-pipe wakes the poll when the watched set changes or an operation is cancelled;
// - the loop runs only while something waits, so a program whose work is done exits.
import { makeWakePipe, pollFds, wakeDrain, wakeWrite } from "./_backend.ts";
import { libc } from "./_ffi.ts";

/** Something the reactor can wait on: a socket with pending work. */
export interface Watched {
  /** The file descriptor to poll for POLLIN (libzmq's ZMQ_FD). */
  readonly fd: number;
  /** Does all pending work that can be done now; answers the events still awaited (0: none). */
  service(): number;
  /** Reads ZMQ_EVENTS (which also re-arms the edge-triggered fd); -1 when that failed. */
  events(): number;
}

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

class Reactor {
  #watched = new Set<Watched>();
  #running = false;
  #polling = false;
  #wakeSent = false;
  #wakeRead = -1;
  #wakeWrite = -1;
  #buf = new Uint8Array(new ArrayBuffer(POLLFD_SIZE * 16));

  /** True while a poll(2) call is in flight. */
  get polling(): boolean {
    return this.#polling;
  }

  /** Starts waiting for `w`: services it from the loop until its service() answers 0. */
  watch(w: Watched): void {
    this.#watched.add(w);
    if (this.#polling) this.wake();
    else if (!this.#running) this.#run();
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

  /** Interrupts the poll in flight, if any, so the loop re-reads every watched socket. */
  wake(): void {
    if (this.#polling && !this.#wakeSent) {
      this.#wakeSent = true;
      wakeWrite(this.#wakeWrite);
    }
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        const waiting = this.#sweep();
        if (waiting === null) continue; // something became ready: sweep again
        if (waiting.length === 0) return;
        if (spinMs > 0 && this.#spin(waiting)) continue;
        const count = this.#fill(waiting);
        this.#polling = true;
        try {
          await pollFds(this.#buf, count);
        } finally {
          this.#polling = false;
        }
        if (this.#wakeSent) {
          wakeDrain(this.#wakeRead);
          this.#wakeSent = false;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Services every watched item; answers those that must wait, or null if one is ready. */
  #sweep(): Watched[] | null {
    const waiting: Watched[] = [];
    let ready = false;
    for (const w of this.#watched) {
      const want = w.service();
      if (want === 0) {
        this.#watched.delete(w);
        continue;
      }
      const ev = w.events();
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
    }
    if (this.#wakeRead < 0) [this.#wakeRead, this.#wakeWrite] = makeWakePipe();
    const view = new DataView(this.#buf.buffer);
    const put = (i: number, fd: number) => {
      view.setInt32(i * POLLFD_SIZE, fd, true);
      view.setInt16(i * POLLFD_SIZE + 4, POLLIN, true);
      view.setInt16(i * POLLFD_SIZE + 6, 0, true);
    };
    put(0, this.#wakeRead);
    waiting.forEach((w, i) => put(i + 1, w.fd));
    return count;
  }

  /** Closes the wake pipe (when the isolate unloads). */
  dispose(): void {
    if (this.#wakeRead >= 0) {
      libc.close(this.#wakeRead);
      libc.close(this.#wakeWrite);
      this.#wakeRead = this.#wakeWrite = -1;
    }
  }
}

/** This isolate's reactor. */
export const reactor: Reactor = new Reactor();

globalThis.addEventListener?.("unload", () => reactor.dispose());
