// The CLI's two kinds of failure and the secrets they must never show.
//
// A UsageError is a mistake on the command line: main prints one line and the command's usage,
// and exits with 2. A RunError is a failure while running (no reply in time, a handshake
// refused, a stdin line that is not hex): one line, exit 1. Every line printed goes through
// redact(), which hides the secret keys and passwords this process has been given.
import { ZmqError } from "../mod.ts";

/** A mistake on the command line: printed as one line plus the usage, exit code 2. */
export class UsageError extends Error {
  /** Builds the error from the one-line message shown to the user. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure while running (timeouts, bad input data, refused handshakes): one line, exit 1. */
export class RunError extends Error {
  /** Builds the error from the one-line message shown to the user. */
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}

const secrets = new Set<string>();

/** Remembers a secret (a CURVE secret key, a password) so that {@linkcode redact} hides it. */
export function addSecret(secret: string): void {
  if (secret !== "") secrets.add(secret);
}

/** Replaces every remembered secret in `text` with `***`, the longest first. */
export function redact(text: string): string {
  const all = [...secrets].sort((a, b) => b.length - a.length);
  for (const s of all) text = text.split(s).join("***");
  return text;
}

/** The one-line message of any thrown value, redacted. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redact(text.split("\n")[0]);
}

/** True for the ZmqError a send, recv or poll rejects with when its timeout runs out. */
export function isTimeout(error: unknown): boolean {
  return error instanceof ZmqError && error.code === "EAGAIN";
}
