// Status lines: counts and rates in a few characters, a progress bar, and a line that updates
// in place on a terminal and is printed as plain lines when piped.
import { err, out } from "./_io.ts";

/** 0.25 → "0.3", 1234 → "1234", 12345 → "12.3 k", 1234567 → "1.23 M". */
export function compact(n: number): string {
  if (n < 10 && !Number.isInteger(n)) return n.toFixed(1);
  if (n < 10_000) return String(Math.round(n));
  const [div, unit] = n < 1e6 ? [1e3, "k"] : n < 1e9 ? [1e6, "M"] : [1e9, "G"];
  const v = n / div;
  return `${v < 100 ? v.toPrecision(3) : Math.round(v)} ${unit}`;
}

/** Bytes with a decimal unit: 999 → "999 B", 1500 → "1.50 kB". */
export function bytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const [div, unit] = n < 1e6 ? [1e3, "kB"] : n < 1e9 ? [1e6, "MB"] : [1e9, "GB"];
  const v = n / div;
  return `${v < 100 ? v.toPrecision(3) : Math.round(v)} ${unit}`;
}

/** `[#####-----]  50%` for `done` of `total`, `width` marks wide. */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${
    String(Math.floor(f * 100)).padStart(3)
  }%`;
}

/** Where a {@linkcode LiveLine} writes. */
export type Stream = "stdout" | "stderr";

/**
 * A status line. On a terminal each update rewrites the line in place (carriage return and
 * erase to the end of the line); otherwise every update is a line of its own.
 */
export class LiveLine {
  readonly inPlace: boolean;
  #stream: Stream;
  #shown = false;

  /** A line on `stream`, in place when that stream is a terminal (or as `inPlace` says). */
  constructor(stream: Stream, inPlace?: boolean) {
    this.#stream = stream;
    this.inPlace = inPlace ??
      (stream === "stdout" ? Deno.stdout.isTerminal() : Deno.stderr.isTerminal());
  }

  /** The bytes one update writes. */
  render(text: string): string {
    return this.inPlace ? `\r${text}\x1b[K` : `${text}\n`;
  }

  /** Shows `text` as the current status. */
  async update(text: string): Promise<void> {
    this.#shown = true;
    await this.#write(this.render(text));
  }

  /** Ends the line (on a terminal, moves below it). */
  async end(): Promise<void> {
    if (this.inPlace && this.#shown) await this.#write("\n");
    this.#shown = false;
  }

  #write(text: string): Promise<void> {
    if (this.#stream === "stdout") return out(text);
    err(text);
    return Promise.resolve();
  }
}
