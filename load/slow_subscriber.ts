// Load test: a publisher that outruns a slow subscriber. PUB never blocks: when the
// subscriber's queue is full (its high-water mark), libzmq drops messages for it. The run
// checks that every send completes without waiting and counts the drops from the sequence
// numbers the subscriber sees.
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import { ZmqError } from "../core/errors.ts";
import type { Socket } from "../core/socket.ts";
import { type RoleEnv, runMain, UsageError } from "../workers/mod.ts";
import { intFlag } from "./_task.ts";

const USAGE =
  `Usage: slow_subscriber.ts [--messages N] [--hwm N] [--every K] [--transport inproc|tcp]

Publishes N numbered messages (default 20000) with SNDHWM/RCVHWM = --hwm (default 100) to a
subscriber that reads one message for every K sent (default 10), then reports sent, received
and dropped messages and the longest send.`;

/** Options for {@linkcode runSlowSubscriber}. */
export interface SlowSubscriberOptions {
  /** Messages to publish. Default 20000. */
  messages?: number;
  /** SNDHWM of the publisher and RCVHWM of the subscriber. Default 100. */
  hwm?: number;
  /** The subscriber reads one message per `every` published. Default 10. */
  every?: number;
  /** inproc or tcp on 127.0.0.1. Default inproc. */
  transport?: "inproc" | "tcp";
}

/** What the run observed. */
export interface SlowSubscriberReport {
  /** Messages published (every send resolved). */
  sent: number;
  /** Sends that could not complete at once (EAGAIN with timeout 0): must be 0. */
  blocked: number;
  /** Data messages the subscriber received. */
  received: number;
  /** sent − received. */
  dropped: number;
  /** Drops seen as gaps in the sequence numbers (including after the last one received). */
  gaps: number;
  /** Sequence numbers that arrived out of order or twice: must be 0. */
  disorder: number;
  /** The longest single send, in ms. */
  maxSendMs: number;
  /** The whole publishing loop, in ms. */
  publishMs: number;
}

const SEQ = 1; // frame tag for a data message
const END = 2; // frame tag for the end marker

function frame(tag: number, seq: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, tag, true);
  view.setUint32(4, seq, true);
  return out;
}

/** Runs a publisher and a slow subscriber in this isolate and answers what was dropped. */
export async function runSlowSubscriber(
  options: SlowSubscriberOptions = {},
): Promise<SlowSubscriberReport> {
  const messages = options.messages ?? 20_000;
  const hwm = options.hwm ?? 100;
  const every = Math.max(1, options.every ?? 10);
  using ctx = new Context({ linger: 0 });
  using pub = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  pub.setOption("SNDHWM", hwm);
  sub.setOption("RCVHWM", hwm);
  sub.subscribe("");
  if (options.transport === "tcp") {
    sub.connect(`tcp://127.0.0.1:${pub.bindToRandomPort()}`);
  } else {
    const name = `inproc://slow-sub-${crypto.randomUUID()}`;
    pub.bind(name);
    sub.connect(name);
  }
  await joined(pub, sub);

  let received = 0;
  let gaps = 0;
  let disorder = 0;
  let expected = 0; // the next sequence number the subscriber hopes for
  const take = (data: Uint8Array): boolean => {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length !== 8) return false;
    const tag = view.getUint32(0, true);
    const seq = view.getUint32(4, true);
    if (tag === END) return true;
    if (tag !== SEQ) return false;
    received++;
    if (seq < expected) disorder++;
    else {
      gaps += seq - expected;
      expected = seq + 1;
    }
    return false;
  };

  // Publish: every send must complete at once (timeout 0 rejects with EAGAIN if it would wait).
  let blocked = 0;
  let maxSendMs = 0;
  const start = performance.now();
  for (let seq = 0; seq < messages; seq++) {
    const t0 = performance.now();
    try {
      await pub.send(frame(SEQ, seq), { timeout: 0 });
    } catch (e) {
      if (e instanceof ZmqError && e.code === "EAGAIN") blocked++;
      else throw e;
    }
    maxSendMs = Math.max(maxSendMs, performance.now() - t0);
    if (seq % every === every - 1) {
      const got = await sub.recv({ timeout: 0 }).catch(eagainToNull);
      if (got) take(got);
    }
  }
  const publishMs = performance.now() - start;

  // Drain: the end marker may itself be dropped while the queue is full, so it is sent again
  // until the subscriber, now reading as fast as it can, sees one.
  for (let done = false; !done;) {
    await pub.send(frame(END, messages), { timeout: 0 }).catch(eagainToNull);
    for (;;) {
      const got = await sub.recv({ timeout: 10 }).catch(eagainToNull);
      if (got === null) break;
      if (take(got)) {
        done = true;
        break;
      }
    }
  }
  gaps += messages - expected;
  return {
    sent: messages,
    blocked,
    received,
    dropped: messages - received,
    gaps,
    disorder,
    maxSendMs: Math.round(maxSendMs * 1000) / 1000,
    publishMs: Math.round(publishMs),
  };
}

function eagainToNull(e: unknown): null {
  if (e instanceof ZmqError && e.code === "EAGAIN") return null;
  throw e;
}

/** Waits until the subscription is in place: probes are published until one arrives. */
async function joined(pub: Socket, sub: Socket): Promise<void> {
  for (;;) {
    await pub.send(frame(0, 0), { timeout: 0 }).catch(eagainToNull);
    if (await sub.recv({ timeout: 10 }).catch(eagainToNull)) break;
  }
  // Discard any probe still queued.
  while (await sub.recv({ timeout: 0 }).catch(eagainToNull)) {
    // drop it
  }
}

/** The command line: runs once and prints the report. */
export async function main(args: string[], _env?: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: "string" },
      hwm: { type: "string" },
      every: { type: "string" },
      transport: { type: "string", default: "inproc" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (values.transport !== "inproc" && values.transport !== "tcp") {
    throw new UsageError("--transport must be inproc or tcp");
  }
  const report = await runSlowSubscriber({
    messages: intFlag(values.messages, 20_000, "messages"),
    hwm: intFlag(values.hwm, 100, "hwm"),
    every: intFlag(values.every, 10, "every"),
    transport: values.transport,
  });
  console.log(JSON.stringify(report));
  console.log(
    `sent ${report.sent}, received ${report.received}, dropped ${report.dropped} ` +
      `(gaps ${report.gaps}), blocked sends ${report.blocked}, longest send ${report.maxSendMs} ms`,
  );
}

if (import.meta.main) await runMain(main, "slow_subscriber");
