// The bad-input table's machinery: each row makes one wrong call, asserts the error's class and
// code, then checks that the process and the sockets around the failed call keep working: a
// round trip over a REQ/REP pair (inproc) and a PUSH/PULL pair (tcp) that the row may itself
// have misused. The rows live in _bad_input_core.ts and _bad_input_layers.ts.
import assert from "node:assert/strict";
import { Context, type DraftSocketType, type Socket, type SocketType, ZmqError } from "../mod.ts";

const decoder = new TextDecoder();

/** What a row may use: a context, two healthy pairs, and scratch resources closed for it. */
export interface Fixture {
  ctx: Context;
  req: Socket;
  rep: Socket;
  push: Socket;
  pull: Socket;
  /** A tcp port the PULL is bound to. */
  port: number;
  /** Opens a scratch socket on `ctx`, closed after the row. */
  open(type: SocketType | DraftSocketType): Socket;
  /** Opens a scratch context, closed after the row. */
  context(): Context;
  /** A fresh temporary directory, removed after the row. */
  dir(): string;
  /** Runs `fn` after the row (stopping what the row started), before the sockets close. */
  later(fn: () => unknown): void;
}

/** One wrong call. */
export interface Row {
  /** The wrong call, as a reader would put it. */
  what: string;
  /** The expected error code. */
  code: string;
  /** The expected error class (default ZmqError). */
  error?: abstract new (...args: never[]) => Error;
  /** Makes the wrong call; may answer a promise that must reject. */
  call(f: Fixture): unknown;
  /** Extra checks after the error (the row's own sockets still work, say). */
  after?(f: Fixture): Promise<void> | void;
}

/** A REQ/REP pair on `ctx` over inproc, answering the two sockets. */
export function reqRep(f: Fixture, name: string): [Socket, Socket] {
  const rep = f.open("REP");
  const req = f.open("REQ");
  rep.bind(`inproc://${name}`);
  req.connect(`inproc://${name}`);
  return [req, rep];
}

/** One request and its reply over `req` and `rep`, checked. */
export async function roundTrip(req: Socket, rep: Socket, text = "ping"): Promise<void> {
  await req.send(text, { timeout: 5000 });
  assert.equal(await rep.recvString({ timeout: 5000 }), text);
  await rep.send("pong", { timeout: 5000 });
  assert.equal(await req.recvString({ timeout: 5000 }), "pong");
}

function errorCode(e: unknown): string | undefined {
  if (e instanceof ZmqError) return e.code;
  if (e instanceof DOMException) return e.name === "AbortError" ? "ABORT_ERR" : e.name;
  return (e as { code?: string }).code ?? "none";
}

/** Registers one Deno.test per row. */
export function defineRows(rows: Row[]): void {
  for (const [i, row] of rows.entries()) {
    Deno.test(`bad input ${i + 1}: ${row.what} → ${row.code}`, async () => {
      const scratch: Socket[] = [];
      const contexts: Context[] = [];
      const dirs: string[] = [];
      const cleanups: (() => unknown)[] = [];
      const ctx = new Context({ linger: 0 });
      try {
        const rep = ctx.socket("REP");
        const req = ctx.socket("REQ");
        rep.bind("inproc://bad-input-healthy");
        req.connect("inproc://bad-input-healthy");
        const pull = ctx.socket("PULL");
        const push = ctx.socket("PUSH");
        const port = pull.bindToRandomPort();
        push.connect(`tcp://127.0.0.1:${port}`);
        const f: Fixture = {
          ctx,
          req,
          rep,
          push,
          pull,
          port,
          open(type) {
            const s = ctx.socket(type);
            scratch.push(s);
            return s;
          },
          context() {
            const c = new Context({ linger: 0 });
            contexts.push(c);
            return c;
          },
          dir() {
            const d = Deno.makeTempDirSync({ prefix: "bad-input-" });
            dirs.push(d);
            return d;
          },
          later(fn) {
            cleanups.push(fn);
          },
        };

        let caught: unknown;
        try {
          await row.call(f);
        } catch (e) {
          caught = e;
        }
        assert.ok(
          caught !== undefined,
          `${row.what}: expected ${row.code}, but nothing was thrown`,
        );
        const want = row.error ?? ZmqError;
        assert.ok(
          caught instanceof want,
          `${row.what}: expected a ${want.name}, got ${String(caught)}`,
        );
        assert.equal(errorCode(caught), row.code, `${row.what}: ${(caught as Error).message}`);
        if (caught instanceof ZmqError) assert.ok(caught.message.length > 0);
        await row.after?.(f);

        // The process and the sockets the row touched keep working.
        await roundTrip(req, rep);
        await push.send(["still", "working"]);
        assert.deepEqual((await pull.recvMultipart()).map((b) => decoder.decode(b)), [
          "still",
          "working",
        ]);
      } finally {
        for (const fn of cleanups.reverse()) await fn();
        for (const s of scratch) s.close({ linger: 0 });
        // terminate, not close: it resolves once the reactor has settled the closed sockets'
        // waits, so no poll of this row's is still in flight when the next row starts
        for (const c of contexts) await c.terminate({ linger: 0 });
        await ctx.terminate({ linger: 0 });
        for (const d of dirs) Deno.removeSync(d, { recursive: true });
      }
    });
  }
}
