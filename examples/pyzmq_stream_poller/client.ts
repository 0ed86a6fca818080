/**
 * The polling chapter's event-loop client (pyzmq_stream_poller): the same PULL and SUB sockets
 * as the zmqpolling client, but each wrapped in a {@linkcode Stream} whose callback runs for
 * every message, on a {@linkcode Loop} that the "Exit" command stops.
 *
 * Run: `deno task stream_poller:client [--push-port 5556] [--pub-port 5558] [--topic 9]`
 *
 * @module
 */
import { Loop, Stream } from "../../poller/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { parseFlags, portFlag, withContext } from "../_tutorial.ts";

const decoder = new TextDecoder();

/** Runs the callback client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task stream_poller:client",
    about: "Handles commands (PULL) and topic 9 (SUB) with stream callbacks until Exit.",
  }, {
    host: { type: "string", default: "localhost", help: "the servers' host" },
    "push-port": { type: "string", default: "5556", help: "server_push's port" },
    "pub-port": { type: "string", default: "5558", help: "server_pub's port" },
    topic: { type: "string", default: "9", help: "topic to subscribe to" },
  });
  if (!parsed) return;
  const { host, topic } = parsed.values;
  const pushPort = portFlag(parsed.values["push-port"], "push-port");
  const pubPort = portFlag(parsed.values["pub-port"], "pub-port");
  await withContext(env, async (ctx) => {
    const loop = new Loop();

    const getcommand = (msg: Uint8Array[]) => {
      const command = decoder.decode(msg[0]);
      console.log(`Received control command: ${command}`);
      if (command === "Exit") {
        console.log("Received exit command, client will stop receiving messages");
        loop.stop();
      }
    };
    const processMessage = (msg: Uint8Array[]) => {
      console.log(`Processing ... ${decoder.decode(msg[0])}`);
    };

    const socketPull = ctx.socket("PULL");
    socketPull.connect(`tcp://${host}:${pushPort}`);
    new Stream(socketPull, loop).onRecv(getcommand);
    console.log(`Connected to server with port ${pushPort}`);

    const socketSub = ctx.socket("SUB");
    socketSub.connect(`tcp://${host}:${pubPort}`);
    socketSub.subscribe(topic);
    new Stream(socketSub, loop).onRecv(processMessage);
    console.log(`Connected to publisher with port ${pubPort}`);

    await loop.run(env.signal); // until getcommand stops it (or the role is stopped)
    console.log("Worker has stopped processing messages.");
  });
}

if (import.meta.main) await runMain(main, "client");
