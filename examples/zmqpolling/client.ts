/**
 * The polling chapter's client: a PULL socket for commands (from server_push, port 5556) and a
 * SUB socket for topic "9" (from server_pub, port 5558), both watched by one {@linkcode Poller}
 * with an if-block per socket, as with pyzmq's `zmq.Poller`. It stops on "Exit".
 *
 * Run: `deno task zmqpolling:client [--push-port 5556] [--pub-port 5558] [--topic 9]`
 *
 * @module
 */
import { POLLIN } from "../../core/mod.ts";
import { Poller } from "../../poller/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the polling client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task zmqpolling:client",
    about: "Polls a PULL socket (commands) and a SUB socket (topic 9) until it gets Exit.",
  }, {
    host: { type: "string", default: "localhost", help: "the servers' host" },
    "push-port": { type: "string", default: "5556", help: "server_push's port" },
    "pub-port": { type: "string", default: "5558", help: "server_pub's port" },
    topic: { type: "string", default: "9", help: "topic to subscribe to" },
    count: { type: "string", default: "forever", help: "most messages to handle" },
  });
  if (!parsed) return;
  const { host, topic } = parsed.values;
  const pushPort = portFlag(parsed.values["push-port"], "push-port");
  const pubPort = portFlag(parsed.values["pub-port"], "pub-port");
  const count = countFlag(parsed.values.count);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socketPull = ctx.socket("PULL");
    socketPull.connect(`tcp://${host}:${pushPort}`);
    console.log(`Connected to server with port ${pushPort}`);
    const socketSub = ctx.socket("SUB");
    socketSub.connect(`tcp://${host}:${pubPort}`);
    socketSub.subscribe(topic);
    console.log(`Connected to publisher with port ${pubPort}`);

    // Initialize the poll set
    const poller = new Poller();
    poller.register(socketPull, POLLIN);
    poller.register(socketSub, POLLIN);

    // Work on requests from both the server and the publisher
    let shouldContinue = true;
    let handled = 0;
    while (shouldContinue && handled < count) {
      const socks = await poller.poll({ signal });
      if (socks.get(socketPull) === POLLIN) {
        const message = await socketPull.recvString({ signal });
        handled++;
        console.log(`Received control command: ${message}`);
        if (message === "Exit") {
          console.log("Received exit command, client will stop receiving messages");
          shouldContinue = false;
        }
      }
      if (socks.get(socketSub) === POLLIN) {
        const [t, messagedata] = (await socketSub.recvString({ signal })).split(" ");
        handled++;
        console.log(`Processing ... ${t} ${messagedata}`);
      }
    }
  });
}

if (import.meta.main) await runMain(main, "client");
