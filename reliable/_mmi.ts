// The Majordomo Management Interface (ZeroMQ RFC 8), answered inside the broker.
import { textOrNull } from "./_frames.ts";

/** True for a name in the broker's own `mmi.` namespace. */
export function isMmiService(name: string): boolean {
  return name.startsWith("mmi.");
}

/**
 * The status a broker answers to an `mmi.*` request: for `mmi.service`, "200" if the service
 * named in the first body frame has a worker, else "404"; "501" for every other mmi service.
 */
export function answerMmi(
  service: string,
  body: Uint8Array[],
  hasWorkers: (name: string) => boolean,
): string {
  if (service !== "mmi.service") return "501";
  const name = textOrNull(body[0]);
  return name !== null && hasWorkers(name) ? "200" : "404";
}
