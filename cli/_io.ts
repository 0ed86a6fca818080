// Standard input as lines or as one block, and writes that reach stdout/stderr whole.
import { RunError } from "./_errors.ts";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Writes all of `data` to a Deno output (stdout or stderr), however many writes it takes. */
export async function writeAll(
  out: { write(p: Uint8Array): Promise<number> },
  data: string | Uint8Array,
): Promise<void> {
  let bytes = typeof data === "string" ? encoder.encode(data) : data;
  while (bytes.length > 0) bytes = bytes.subarray(await out.write(bytes));
}

/** Writes `text` to stdout. */
export function out(text: string | Uint8Array): Promise<void> {
  return writeAll(Deno.stdout, text);
}

/** Writes `text` to stderr at once (status lines, progress). */
export function err(text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
}

function decodeLine(bytes: Uint8Array, n: number): string {
  if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, -1); // CRLF
  try {
    return utf8.decode(bytes);
  } catch {
    throw new RunError(`stdin line ${n} is not UTF-8 text (use --format hex or base64, or --raw)`);
  }
}

/**
 * The lines of `stream` (without their line ends; a last line without one counts too), as
 * UTF-8 text. Stops early when `signal` aborts.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const reader = stream.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  let parts: Uint8Array[] = []; // the line read so far, in pieces (no quadratic copying)
  let n = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let chunk = value;
      let nl: number;
      while ((nl = chunk.indexOf(10)) >= 0) {
        yield decodeLine(concat(...parts, chunk.subarray(0, nl)), ++n);
        parts = [];
        chunk = chunk.subarray(nl + 1);
      }
      if (chunk.length > 0) parts.push(chunk.slice());
    }
    if (parts.length > 0) yield decodeLine(concat(...parts), ++n);
  } finally {
    signal?.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
}

/** All of `stream` as bytes. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return concat(...chunks);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
