/**
 * Ironhouse: a CURVE server that knows its clients. Certificates are written to files, the
 * server's public certificate is handed to the clients, the directory of client certificates is
 * the authenticator's allow list. Alice (listed) gets an answer; Mallory (encrypting too, but
 * unknown) is refused during the handshake and none of her messages reaches the server.
 *
 * Run: `deno task security [--dir certs]` (default: a temporary directory, removed afterwards)
 *
 * @module
 */
import {
  Authenticator,
  connectAndWait,
  Context,
  createCertificate,
  type CurveKeypair,
  loadCertificate,
  loadPublicKeys,
  makeCurveClient,
  makeCurveServer,
  ZmqError,
} from "../../mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { parseFlags } from "../_tutorial.ts";

/** What happened, for tests. */
export interface IronhouseResult {
  /** Alice's reply from the server. */
  reply: string;
  /** The error code Mallory's connection ended with (`EHANDSHAKE`). */
  refused: string;
}

async function keypair(file: string): Promise<CurveKeypair> {
  const cert = await loadCertificate(file);
  return { publicKey: cert.publicKey, secretKey: cert.secretKey! };
}

/** Runs the example as a program: `--dir` keeps the certificates there. */
export async function main(args: string[], _env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task security",
    about: "Ironhouse: CURVE certificates in files, an authenticator with an allow list; " +
      "Alice gets in, Mallory is refused.",
  }, {
    dir: {
      type: "string",
      help: "write the certificates here and keep them (default: a temporary directory)",
    },
  });
  if (!parsed) return;
  await ironhouse(parsed.values.dir);
}

/**
 * Runs the example, printing each step with `print`; the certificates go to `certDir`, or to a
 * temporary directory removed afterwards.
 */
export async function ironhouse(
  certDir?: string,
  print: (line: string) => void = console.log,
): Promise<IronhouseResult> {
  const dir = certDir ?? await Deno.makeTempDir({ prefix: "zmq-certs-" });
  try {
    // 1. certificates: the server's, Alice's (allowed) and Mallory's (not)
    await createCertificate(`${dir}/server`, "server");
    await createCertificate(`${dir}/clients`, "alice");
    await createCertificate(`${dir}/strangers`, "mallory");
    print(`certificates in ${dir}: server/, clients/alice, strangers/mallory`);

    await using ctx = new Context({ linger: 0 });
    // 2. the authenticator, before the server binds: local addresses, listed client keys
    await using auth = await new Authenticator(ctx, {
      onDecision: (d) =>
        print(
          `auth: ${d.mechanism} from ${d.address}: ${
            d.allowed ? "allowed" : "refused"
          }, ${d.reason}`,
        ),
    }).start();
    auth.allow("127.0.0.1");
    auth.configureCurve({ publicKeys: await loadPublicKeys(`${dir}/clients`) });

    // 3. the server, with its secret certificate
    using server = ctx.socket("REP");
    makeCurveServer(server, await keypair(`${dir}/server/server.key_secret`));
    const endpoint = `tcp://127.0.0.1:${server.bindToRandomPort()}`;
    // what a client is given: the server's public certificate only
    const serverKey = (await loadCertificate(`${dir}/server/server.key`)).publicKey;

    // 4. Alice: connects, is authenticated, then talks
    using alice = ctx.socket("REQ");
    makeCurveClient(alice, serverKey, await keypair(`${dir}/clients/alice.key_secret`));
    await connectAndWait(alice, endpoint, { timeout: 5000 });
    await alice.send("Hello, I am Alice");
    print(`server got: ${await server.recvString()}`);
    await server.send("Welcome, Alice");
    const reply = await alice.recvString();
    print(`alice got: ${reply}`);

    // 5. Mallory: a valid key pair, but not on the list
    using mallory = ctx.socket("REQ");
    makeCurveClient(mallory, serverKey, await keypair(`${dir}/strangers/mallory.key_secret`));
    let refused = "";
    try {
      await connectAndWait(mallory, endpoint, { timeout: 5000 });
    } catch (e) {
      if (!(e instanceof ZmqError)) throw e;
      refused = e.code;
      print(`mallory: ${e.code}: ${e.message}`);
    }
    return { reply, refused };
  } finally {
    if (certDir === undefined) await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runMain(main, "ironhouse");
