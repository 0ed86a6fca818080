// The configuration a background device sends to its Worker, and its JSON encoding.
import type { SocketType } from "../core/constants.ts";

/** What a background device can be. */
export type BackgroundKind = "QUEUE" | "FORWARDER" | "STREAMER" | "PROXY" | "MONITORED_QUEUE";

/** An option value as it travels to the Worker. */
export type OptionValue = string | number | boolean | bigint | Uint8Array;

/** One socket of a background device. */
export interface SideConfig {
  type: SocketType;
  bind: string[];
  connect: string[];
  options: [string, OptionValue][];
}

/** The whole device. */
export interface DeviceConfig {
  kind: BackgroundKind;
  in: SideConfig;
  out: SideConfig;
  mon?: SideConfig;
  inPrefix?: string | Uint8Array;
  outPrefix?: string | Uint8Array;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** JSON with Uint8Array and bigint kept. */
export function encodeConfig(config: DeviceConfig): string {
  return JSON.stringify(config, function (key, value) {
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) return { $bytes: toBase64(raw) };
    if (typeof raw === "bigint") return { $bigint: raw.toString() };
    return value;
  });
}

/** The inverse of {@linkcode encodeConfig}. */
export function decodeConfig(text: string): DeviceConfig {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      if (typeof value.$bytes === "string") return fromBase64(value.$bytes);
      if (typeof value.$bigint === "string") return BigInt(value.$bigint);
    }
    return value;
  });
}

/** Printed by the Worker once every socket is bound and connected. */
export const READY = "\u0001device-ready";
