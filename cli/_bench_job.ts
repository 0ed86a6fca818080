// What the timed side of `zmq bench` asks its far end (_bench_far.ts, a Worker entry) to do.
// Kept apart from that entry so the command's module graph never imports a Worker entry (its
// `/// <reference lib="deno.worker" />` belongs to the Worker alone).

/** What the timed side asks a far end to do. */
export type FarJob =
  | { role: "echo"; endpoint: string; bind: boolean; count: number }
  | { role: "push"; endpoint: string; count: number; size: number }
  | { role: "publish"; endpoint: string; ack: string; count: number; size: number; topics: number }
  | { role: "queue"; frontend: string; backend: string };

/** The 4-byte head of a pub/sub benchmark message: topic "tNN" and a kind (S, D or E). */
export function pubsubMessage(size: number, topic: number, kind: "S" | "D" | "E"): Uint8Array {
  const m = new Uint8Array(Math.max(size, 4));
  m.set(new TextEncoder().encode(`t${String(topic).padStart(2, "0")}${kind}`));
  return m;
}
