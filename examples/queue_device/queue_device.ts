/**
 * The tutorial's queue_device: a QUEUE device binding a ROUTER frontend for clients (5559) and
 * a DEALER backend for servers (5560), running until stopped.
 *
 * Run: `deno task queue:device [--frontend 5559] [--backend 5560]`
 *
 * @module
 */
import { runMain } from "../../workers/mod.ts";
import { main } from "../../devices/queue.ts";

export { main };

if (import.meta.main) await runMain(main, "queue_device");
