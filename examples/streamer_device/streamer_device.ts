/**
 * The tutorial's streamer_device: a STREAMER device binding a PULL frontend for task feeders
 * (5559) and a PUSH backend for workers (5560).
 *
 * Run: `deno task streamer:device [--frontend 5559] [--backend 5560]`
 *
 * @module
 */
import { runMain } from "../../workers/mod.ts";
import { main } from "../../devices/streamer.ts";

export { main };

if (import.meta.main) await runMain(main, "streamer_device");
