// A client process of the Deno stack's `idle` workload: COUNT DEALER sockets connect to PORT and
// each says hello, then the process idles until its parent kills it. Prints "ready" first.
//     deno run -A bench/deno/_idle_clients.ts PORT COUNT
import { Context, type Socket } from "../../core/mod.ts";
import { ep } from "./_common.ts";

const [port, count] = Deno.args.map(Number);
console.log("ready");
const ctx = new Context({ maxSockets: count + 16, linger: 0 });
const socks: Socket[] = [];
for (let i = 0; i < count; i++) {
  const s = ctx.socket("DEALER");
  s.connect(ep(port));
  socks.push(s);
}
await Promise.all(socks.map((s) => s.send("hi")));
setInterval(() => {}, 1 << 30); // until the parent kills this process
