/**
 * The tutorial's forwarder_device: a FORWARDER device binding a SUB frontend for publishers
 * (5559, subscribed to everything) and a PUB backend for subscribers (5560).
 *
 * Run: `deno task forwarder:device [--frontend 5559] [--backend 5560]`
 *
 * @module
 */
import { runMain } from "../../workers/mod.ts";
import { main } from "../../devices/forwarder.ts";

export { main };

if (import.meta.main) await runMain(main, "forwarder_device");
