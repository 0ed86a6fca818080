// core/_util.ts: the argument checks and small helpers every layer shares.
import assert from "node:assert/strict";
import {
  aborted,
  checkCount,
  checkEndpoints,
  checkEvents,
  checkInteger,
  checkName,
  checkOptions,
  checkSignal,
  checkTimeout,
  closeAfterUnbind,
  delay,
  describeKind,
  describeValue,
  MAX_TIMER_MS,
  NO_OPTIONS,
  startTimer,
} from "../core/_util.ts";
import { throwsWith } from "./_util.ts";

const ctx = { op: "test" };

Deno.test("describeValue: strings and bytes by their length only, the rest by kind", () => {
  const secret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
  assert.equal(describeValue(secret), "a string of 40 characters");
  assert.equal(describeValue(new Uint8Array(32)), "32 bytes");
  assert.equal(describeValue(5n), "5n");
  assert.equal(describeValue(-1), "-1");
  assert.equal(describeValue(true), "true");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue(undefined), "undefined");
  assert.equal(describeValue([secret]), "an array");
  assert.equal(describeValue({ secret }), "[object Object]");
  assert.equal(describeValue(() => secret), "function");
  assert.equal(describeValue(Symbol("s")), "symbol");
});

Deno.test("describeKind: the kind only, never the value", () => {
  assert.equal(describeKind(42), "number");
  assert.equal(describeKind("secret"), "string");
  assert.equal(describeKind(undefined), "undefined");
  assert.equal(describeKind(null), "null");
  assert.equal(describeKind([1]), "an array");
  assert.equal(describeKind(new Map()), "[object Map]");
});

Deno.test("checkTimeout: forever is -1, also beyond setTimeout's range; bad values are EBADVALUE", () => {
  for (const forever of [undefined, -1, Infinity, MAX_TIMER_MS + 1, 2 ** 40, Number.MAX_VALUE]) {
    assert.equal(checkTimeout(forever, ctx), -1, String(forever));
  }
  for (const ms of [0, 1, 0.5, 1000, MAX_TIMER_MS]) assert.equal(checkTimeout(ms, ctx), ms);
  for (const bad of [NaN, -2, -0.5, -Infinity, "5", null, {}, 5n]) {
    const e = throwsWith(() => checkTimeout(bad, ctx), "EBADVALUE");
    assert.match(e.message, /^timeout must be a number of milliseconds >= 0, or -1 for none/);
    assert.equal(e.op, "test");
  }
  // where the docs say "a number >= 0": -1 is refused, nothing else changes
  throwsWith(() => checkTimeout(-1, ctx, false), "EBADVALUE");
  assert.equal(checkTimeout(undefined, ctx, false), -1);
  assert.equal(checkTimeout(2 ** 40, ctx, false), -1);
  assert.equal(checkTimeout(20, ctx, false), 20);
});

Deno.test("checkSignal and checkOptions: only AbortSignals and plain objects pass", () => {
  checkSignal(undefined, ctx);
  checkSignal(new AbortController().signal, ctx);
  throwsWith(() => checkSignal({ aborted: false }, ctx), "EBADVALUE");
  assert.equal(checkOptions(undefined, ctx), NO_OPTIONS);
  const options: { timeout: number; signal?: AbortSignal } = { timeout: 5 };
  const checked = checkOptions(options, ctx);
  assert.equal(checked.timeout, 5);
  assert.equal(checked.signal, undefined);
  for (const bad of [null, 5, "x", [1]]) {
    const e = throwsWith(() => checkOptions(bad as never, ctx, "{ linger }"), "EBADVALUE");
    assert.match(e.message, /like \{ linger \}/);
  }
  throwsWith(() => checkOptions({ signal: "no" } as never, ctx), "EBADVALUE");
  // each field is read once: what was checked is what is used
  let reads = 0;
  const fickle = {
    get signal() {
      return reads++ === 0 ? undefined : ("not a signal" as never);
    },
    get timeout() {
      return reads++ < 2 ? 7 : ("soon" as never);
    },
  };
  const once = checkOptions(fickle, ctx);
  assert.equal(once.signal, undefined);
  assert.equal(once.timeout, 7);
  assert.equal(once.signal, undefined); // the answer does not ask the getters again
  const given: { timeout: number; routingId: number; signal?: AbortSignal } = {
    timeout: 1,
    routingId: 7,
  };
  const other = checkOptions(given, ctx); // other fields go along
  assert.equal(other.routingId, 7);
});

Deno.test("checkEvents: POLLIN, POLLOUT or both", () => {
  for (const ok of [1, 2, 3]) assert.equal(checkEvents(ok, ctx), ok);
  for (const bad of [0, 4, 5, -1, 1.5, "1", null, NaN]) {
    throwsWith(() => checkEvents(bad, ctx), "EBADVALUE");
  }
});

Deno.test("checkInteger, checkCount, checkName, checkEndpoints name the option", () => {
  assert.equal(checkInteger(5, "interval", "Liveness", 1), 5);
  assert.equal(checkInteger(MAX_TIMER_MS, "interval", "Liveness", 1), MAX_TIMER_MS);
  for (const bad of [0, MAX_TIMER_MS + 1, 1.5, "5", NaN, Infinity]) {
    const e = throwsWith(() => checkInteger(bad, "interval", "Liveness", 1), "EBADVALUE");
    assert.equal(e.option, "interval");
    assert.equal(e.op, "Liveness");
  }
  assert.equal(checkCount(undefined, "count", "serve"), Infinity);
  assert.equal(checkCount(Infinity, "count", "serve"), Infinity);
  assert.equal(checkCount(0, "count", "serve"), 0);
  throwsWith(() => checkCount(0, "count", "serve", 1), "EBADVALUE");
  for (const bad of [-1, 1.5, "3", null, NaN]) {
    throwsWith(() => checkCount(bad, "count", "serve"), "EBADVALUE");
  }
  assert.equal(checkName("echo", "service", "request"), "echo");
  for (const bad of ["", "a\nb", "\x7f", 5, null]) {
    throwsWith(() => checkName(bad, "service", "request"), "EBADVALUE");
  }
  assert.deepEqual(checkEndpoints("tcp://a:1", "bind", "broker"), ["tcp://a:1"]);
  assert.deepEqual(checkEndpoints(["a", "b"], "bind", "broker"), ["a", "b"]);
  for (const bad of [[], [""], ["a", 5], "", 5, null]) {
    throwsWith(() => checkEndpoints(bad, "bind", "broker"), "EBADVALUE");
  }
});

Deno.test("startTimer: fires once after its delay, never when cancelled or beyond 2^31-1 ms", async () => {
  const fired: string[] = [];
  const cancelLong = startTimer(2 ** 40, () => fired.push("2^40"));
  const cancelOver = startTimer(MAX_TIMER_MS + 1, () => fired.push("2^31"));
  const cancelNever = startTimer(-1, () => fired.push("-1"));
  const cancelled = startTimer(5, () => fired.push("cancelled"));
  cancelled();
  const start = performance.now();
  await new Promise<void>((resolve) => startTimer(30, () => (fired.push("30"), resolve())));
  assert.ok(performance.now() - start >= 25, "not early");
  await delay(20); // a timer that fires after 1 ms (setTimeout's overflow) has fired by now
  assert.deepEqual(fired, ["30"]);
  cancelLong();
  cancelOver();
  cancelNever();
});

Deno.test("delay: resolves after ms, rejects with the reason when aborted, waits for an abort past 2^31-1 ms", async () => {
  const start = performance.now();
  await delay(30);
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 25 && elapsed < 5000, `${elapsed} ms`);
  await delay(0);
  await delay(-5);
  const reason = new Error("stop");
  await assert.rejects(delay(10, AbortSignal.abort(reason)), (e) => e === reason);
  const controller = new AbortController();
  let settled = false;
  const long = delay(2 ** 40, controller.signal).finally(() => settled = true);
  await delay(20);
  assert.equal(settled, false, "a delay of 2^40 ms is still waiting");
  controller.abort(reason);
  await assert.rejects(long, (e) => e === reason);
});

Deno.test("aborted: resolves when the signal aborts, at once if it has", async () => {
  await aborted(AbortSignal.abort());
  const controller = new AbortController();
  let done = false;
  const waiting = aborted(controller.signal).then(() => done = true);
  await delay(5);
  assert.equal(done, false);
  controller.abort(new Error("never a rejection"));
  await waiting;
  assert.equal(done, true);
});

Deno.test("closeAfterUnbind: unbinds every endpoint before any close, then closes with LINGER 0", () => {
  const calls: string[] = [];
  const fake = (name: string, unbindFails = false) => ({
    unbind(e: string) {
      calls.push(`unbind ${name} ${e}`);
      if (unbindFails) throw new Error("gone");
    },
    close(o?: { linger?: number }) {
      calls.push(`close ${name} ${o?.linger}`);
    },
  });
  const a = fake("a"), b = fake("b", true);
  closeAfterUnbind([a, undefined, b], [[a, "tcp://x"], [b, "tcp://y"]]);
  assert.deepEqual(calls, [
    "unbind a tcp://x",
    "unbind b tcp://y",
    "close a 0",
    "close b 0",
  ]);
});
