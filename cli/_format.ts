// How messages become lines and lines become messages: a format for each frame (text, json,
// hex, base64) and a separator between the frames of a multipart message.
import { RunError, UsageError } from "./_errors.ts";

/** The ways a frame can be written as text. */
export const FORMATS = ["text", "json", "hex", "base64"] as const;

/** A frame format: `"text"` (UTF-8), `"json"`, `"hex"` or `"base64"`. */
export type Format = typeof FORMATS[number];

/** How the frames of a message are written on one line. */
export interface LineFormat {
  /** Each frame's encoding. */
  format: Format;
  /** Between frames; undefined on input means "the whole line is one frame". */
  separator?: string;
}

const encoder = new TextEncoder();
const lenient = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Uint8Array's base64 and hex methods (ES2026): present in Deno 2.9's V8
interface Uint8ArrayCodec {
  toBase64(): string;
  toHex(): string;
}
const U8 = Uint8Array as unknown as {
  fromBase64(text: string): Uint8Array;
  fromHex(text: string): Uint8Array;
};

/**
 * Reads a separator written with escapes: `\t`, `\n`, `\r`, `\0`, `\\`. Throws a UsageError for
 * an empty separator or an unknown escape.
 */
export function separatorArg(value: string): string {
  const out = value.replace(/\\(.?)/g, (_, c: string) => {
    const map: Record<string, string> = { t: "\t", n: "\n", r: "\r", "0": "\0", "\\": "\\" };
    if (!(c in map)) {
      throw new UsageError(
        `--separator: unknown escape \\${c} (use \\t, \\n, \\r, \\0 or \\\\)`,
      );
    }
    return map[c];
  });
  if (out === "") throw new UsageError("--separator must not be empty");
  return out;
}

/** Writes one frame in `format`. A frame that is not JSON under `"json"` is a RunError. */
export function encodeFrame(frame: Uint8Array, format: Format, where: string): string {
  switch (format) {
    case "text":
      return lenient.decode(frame);
    case "hex":
      return (frame as unknown as Uint8ArrayCodec).toHex();
    case "base64":
      return (frame as unknown as Uint8ArrayCodec).toBase64();
    case "json": {
      let text: string;
      try {
        text = strict.decode(frame);
      } catch {
        throw new RunError(`${where} is not UTF-8, so not JSON (try --format hex)`);
      }
      try {
        return JSON.stringify(JSON.parse(text));
      } catch {
        throw new RunError(`${where} is not JSON (try --format text)`);
      }
    }
  }
}

/** Reads one frame written in `format`; text that is not valid in it is a RunError. */
export function decodeFrame(text: string, format: Format, where: string): Uint8Array {
  switch (format) {
    case "text":
      return encoder.encode(text);
    case "hex":
      if (!HEX.test(text)) throw new RunError(`${where} is not hex (pairs of 0-9 a-f)`);
      return U8.fromHex(text);
    case "base64":
      if (!BASE64.test(text)) throw new RunError(`${where} is not base64`);
      return U8.fromBase64(text);
    case "json":
      try {
        JSON.parse(text);
      } catch {
        throw new RunError(`${where} is not JSON`);
      }
      return encoder.encode(text);
  }
}

/** Writes a message as one line (without the newline). */
export function formatMessage(frames: Uint8Array[], how: LineFormat, where: string): string {
  const parts = frames.map((f, i) =>
    encodeFrame(f, how.format, frames.length > 1 ? `${where} frame ${i + 1}` : where)
  );
  return parts.join(how.separator ?? "\t");
}

/** Reads a message from one line: split at the separator (if any), each part decoded. */
export function parseMessage(line: string, how: LineFormat, where: string): Uint8Array[] {
  const parts = how.separator === undefined ? [line] : line.split(how.separator);
  return parts.map((p, i) =>
    decodeFrame(p, how.format, parts.length > 1 ? `${where} frame ${i + 1}` : where)
  );
}
