/// <reference lib="deno.worker" />
// The one generic Worker entry: every role runs in a Worker started on this module.
// Protocol (parent → worker): {type:"start", module, name, args, context?}, later {type:"stop"}.
// Worker → parent: {type:"line", stream, text}, {type:"done"}, {type:"error", ...}.
import { Context, type ContextHandle } from "../core/context.ts";
import { badValue } from "../core/errors.ts";
import { isStop, type RoleMain } from "./role.ts";

interface StartMessage {
  type: "start";
  module: string;
  name: string;
  args: string[];
  context?: ContextHandle;
}

function format(args: unknown[]): string {
  return args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { colors: false, depth: 4 }))
    .join(" ");
}

function forwardConsole(): void {
  const send = (stream: "stdout" | "stderr") => (...args: unknown[]) =>
    self.postMessage({ type: "line", stream, text: format(args) });
  console.log = send("stdout");
  console.info = send("stdout");
  console.debug = send("stdout");
  console.warn = send("stderr");
  console.error = send("stderr");
}

const controller = new AbortController();

self.onmessage = async (event: MessageEvent) => {
  const msg = event.data as StartMessage | { type: "stop" };
  if (msg.type === "stop") {
    controller.abort(new DOMException("Role stopped", "AbortError"));
    return;
  }
  if (msg.type !== "start") return;
  forwardConsole();
  let context: Context | undefined;
  let outcome: Record<string, unknown> = { type: "done" };
  try {
    if (msg.context !== undefined) context = Context.adopt(msg.context);
    const mod = await import(msg.module);
    if (typeof mod.main !== "function") {
      throw badValue(`${msg.module} does not export a main(args, env) function`, {
        op: "start role",
      });
    }
    await (mod.main as RoleMain)(msg.args, {
      name: msg.name,
      signal: controller.signal,
      context,
    });
  } catch (error) {
    if (!isStop(error, controller.signal)) {
      const e = error instanceof Error ? error : new Error(String(error));
      outcome = {
        type: "error",
        name: e.name,
        message: e.message,
        stack: e.stack,
        code: (e as { code?: unknown }).code,
      };
    }
  }
  // Sockets this role opened on a shared context must be closed before the Worker ends.
  context?.close();
  self.postMessage(outcome);
  self.close();
};
