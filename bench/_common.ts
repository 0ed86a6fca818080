// Shared by the timed side (bench.ts) and the far end (_far.ts): the anchors' message format.

/** Untimed round trips before the latency measurement (as in the anchors). */
export const WARMUP = 100;

/** The TCP endpoint for a port on the loopback interface. */
export function ep(port: number): string {
  return `tcp://127.0.0.1:${port}`;
}

/** A pub/sub message: "tNN" topic prefix, a kind byte (S sync, D data, E end), zero padding. */
export function mkmsg(size: number, topic: number, kind: "S" | "D" | "E"): Uint8Array {
  const m = new Uint8Array(Math.max(size, 4));
  const head = `t${String(topic).padStart(2, "0")}${kind}`;
  for (let i = 0; i < 4; i++) m[i] = head.charCodeAt(i);
  return m;
}
