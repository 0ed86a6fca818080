// Bad-input rows for the DRAFT sockets, message addresses and properties, monitor v2 and the
// Authenticator's identify: each wrong call is refused before libzmq sees it (a group cut
// short, a UDP buffer overrun, a DGRAM socket left expecting a body), and the row checks that
// nothing went out and that its sockets still work.
import assert from "node:assert/strict";
import { Authenticator, Message, monitor, requestPipesStats, type Socket } from "../mod.ts";
import type { Fixture, Row } from "./_bad_input.ts";

const decoder = new TextDecoder();

/** A SERVER and a CLIENT over inproc that have exchanged one message: [server, client, id]. */
async function serverClient(f: Fixture, name: string): Promise<[Socket, Socket, number]> {
  const server = f.open("SERVER");
  const client = f.open("CLIENT");
  server.bind(`inproc://bad-draft-${name}`);
  client.connect(`inproc://bad-draft-${name}`);
  await client.send("hello", { timeout: 5000 });
  const m = await server.recvMessage({ timeout: 5000 });
  return [server, client, m.routingId!];
}

/** The SERVER still answers its CLIENT, and nothing else reached the client first. */
async function stillAnswers(server: Socket, client: Socket, id: number): Promise<void> {
  await server.send("after", { routingId: id, timeout: 5000 });
  assert.equal(await client.recvString({ timeout: 5000 }), "after");
}

/** A RADIO and a DISH over inproc, joined to "g" and through: [radio, dish]. */
async function radioDish(f: Fixture, name: string): Promise<[Socket, Socket]> {
  const radio = f.open("RADIO");
  const dish = f.open("DISH");
  dish.join("g");
  radio.bind(`inproc://bad-draft-${name}`);
  dish.connect(`inproc://bad-draft-${name}`);
  for (let i = 0; i < 500; i++) {
    await radio.send("probe", { group: "g" });
    const got = await dish.recv({ timeout: 10 }).catch(() => null);
    if (got !== null) {
      while (await dish.recv({ timeout: 0 }).catch(() => null) !== null) {
        // drop the other probes
      }
      return [radio, dish];
    }
  }
  throw new Error("the DISH never joined");
}

/** The next message at the DISH is `text` (nothing the bad call made came first). */
async function dishGets(radio: Socket, dish: Socket, text: string): Promise<void> {
  await radio.send(text, { group: "g" });
  assert.equal(decoder.decode(await dish.recv({ timeout: 5000 })), text);
}

const badRoutingIds: [string, unknown][] = [
  ["0", 0],
  ["-1", -1],
  ["2^32", 2 ** 32],
  ["1.5", 1.5],
  ["NaN", NaN],
  ['the string "1"', "1"],
  ["a bigint", 1n],
  ["null", null],
];

const badGroups: [string, unknown][] = [
  ['""', ""],
  ["256 bytes (libzmq would cut it to 255)", "g".repeat(256)],
  ["128 two-byte characters (256 bytes of UTF-8)", "é".repeat(128)],
  ["a group with a NUL", "g\0x"],
  ["a number", 5],
];

/** The DRAFT rows. */
export const draftRows: Row[] = [
  // ---- addressed sends ----
  ...badRoutingIds.map(([what, id]): Row => ({
    what: `SERVER send to routingId ${what}`,
    code: "EBADVALUE",
    async call(f) {
      const [server, client, realId] = await serverClient(f, `id-${what.length}`);
      f.later(() => stillAnswers(server, client, realId));
      return server.send("x", { routingId: id as number });
    },
  })),
  {
    what: "SERVER send without a routingId",
    code: "EBADVALUE",
    async call(f) {
      const [server, client, id] = await serverClient(f, "no-id");
      f.later(() => stillAnswers(server, client, id));
      return server.send(new Uint8Array([1]));
    },
  },
  {
    what: "SERVER send to a routing id no peer has",
    code: "EHOSTUNREACH",
    async call(f) {
      const [server, client, id] = await serverClient(f, "unknown-id");
      f.later(() => stillAnswers(server, client, id));
      return server.send("x", { routingId: id === 1 ? 2 : 1 });
    },
  },
  {
    what: "SERVER send of two frames (thread-safe sockets send one)",
    code: "EBADVALUE",
    async call(f) {
      const [server, client, id] = await serverClient(f, "two-frames");
      f.later(() => stillAnswers(server, client, id));
      return server.send(["a", "b"], { routingId: id });
    },
  },
  {
    what: "CLIENT sendMultipart of three frames",
    code: "EBADVALUE",
    async call(f) {
      const [server, client, id] = await serverClient(f, "client-frames");
      f.later(async () => {
        await client.send("single");
        assert.equal(
          decoder.decode((await server.recvMessage({ timeout: 5000 })).frames[0]),
          "single",
        );
        await stillAnswers(server, client, id);
      });
      return client.sendMultipart(["a", "b", "c"]);
    },
  },
  {
    what: "CLIENT send with a routingId (only SERVER and PEER take one)",
    code: "EBADVALUE",
    call: (f) => f.open("CLIENT").send("x", { routingId: 1 }),
  },
  {
    what: "PUSH send with a group (only RADIO takes one)",
    code: "EBADVALUE",
    call: (f) => f.push.send("x", { group: "g" }),
  },
  {
    what: "PEER send without a routingId",
    code: "EBADVALUE",
    call: (f) => f.open("PEER").send("x"),
  },
  ...badGroups.map(([what, group]): Row => ({
    what: `RADIO send to group ${what}`,
    code: "EBADVALUE",
    async call(f) {
      const [radio, dish] = await radioDish(f, `group-${what.length}`);
      f.later(() => dishGets(radio, dish, "after"));
      return radio.send("x", { group: group as string });
    },
  })),
  {
    what: "RADIO send without a group (libzmq would send it to the group '')",
    code: "EBADVALUE",
    async call(f) {
      const [radio, dish] = await radioDish(f, "no-group");
      f.later(() => dishGets(radio, dish, "after"));
      return radio.send(new Uint8Array([1]));
    },
  },
  {
    what: "RADIO over udp sends 8193 bytes with its group (libzmq's 8192-byte UDP buffer)",
    code: "EMSGSIZE",
    call(f) {
      const radio = f.open("RADIO");
      radio.connect("udp://127.0.0.1:40099");
      return radio.send(new Uint8Array(8193 - 2), { group: "g" });
    },
    async after(f) {
      const radio = f.open("RADIO");
      radio.connect("udp://127.0.0.1:40099");
      await radio.send(new Uint8Array(8192 - 2), { group: "g" }); // the largest: accepted
    },
  },
  {
    what: "RADIO send to a 256-byte group after a 255-byte one went through whole",
    code: "EBADVALUE",
    async call(f) {
      const radio = f.open("RADIO");
      const dish = f.open("DISH");
      const group = "x".repeat(255);
      dish.join(group);
      radio.bind("inproc://bad-draft-255");
      dish.connect("inproc://bad-draft-255");
      let m: Message | null = null;
      for (let i = 0; i < 500 && m === null; i++) {
        await radio.send("long", { group });
        m = await dish.recvMessage({ timeout: 10 }).catch(() => null);
      }
      assert.equal(m?.group, group);
      return radio.send("x", { group: group + "x" });
    },
  },
  {
    what: "DGRAM send of one frame (it takes [address, body])",
    code: "EBADVALUE",
    call(f) {
      const dgram = f.open("DGRAM");
      dgram.bind("udp://127.0.0.1:40098");
      return dgram.send(new Uint8Array([1]));
    },
  },
  {
    what: "DGRAM send of three frames (libzmq would take two, then wedge the socket)",
    code: "EBADVALUE",
    call(f) {
      const dgram = f.open("DGRAM");
      dgram.bind("udp://127.0.0.1:40097");
      return dgram.send(["127.0.0.1:40097", "body", "extra"]);
    },
    async after(f) {
      // the socket still sends: a wedged one would answer EINVAL to every later message
      const dgram = f.open("DGRAM");
      dgram.bind("udp://127.0.0.1:40096");
      await dgram.send(["127.0.0.1:40096", "body"]);
    },
  },
  {
    what: "DGRAM send of an 8193-byte body (libzmq's UDP buffer)",
    code: "EMSGSIZE",
    call(f) {
      const dgram = f.open("DGRAM");
      dgram.bind("udp://127.0.0.1:40095");
      return dgram.send(["127.0.0.1:40095", new Uint8Array(8193)]);
    },
  },
  {
    what: "DGRAM bind to tcp (libzmq takes it and delivers empty frames)",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("DGRAM").bind("tcp://127.0.0.1:*"),
  },
  {
    what: "DGRAM connect to inproc",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("DGRAM").connect("inproc://bad-input-healthy"),
  },
  {
    what: "RADIO bind to udp (a DISH binds, a RADIO connects)",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("RADIO").bind("udp://127.0.0.1:40094"),
  },
  {
    what: "SERVER bind to udp",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("SERVER").bind("udp://127.0.0.1:40093"),
  },
  // ---- operations a type does not have ----
  { what: "recv on a RADIO", code: "ENOTSUP", call: (f) => f.open("RADIO").recv({ timeout: 100 }) },
  { what: "send on a DISH", code: "ENOTSUP", call: (f) => f.open("DISH").send("x") },
  { what: "send on a GATHER", code: "ENOTSUP", call: (f) => f.open("GATHER").send("x") },
  {
    what: "recvMessage on a SCATTER",
    code: "ENOTSUP",
    call: (f) => f.open("SCATTER").recvMessage({ timeout: 100 }),
  },
  // ---- groups and peers ----
  { what: "join on a SERVER", code: "ENOTSUP", call: (f) => f.open("SERVER").join("g") },
  { what: "leave on a SUB", code: "ENOTSUP", call: (f) => f.open("SUB").leave("g") },
  ...badGroups.map(([what, group]): Row => ({
    what: `DISH join ${what}`,
    code: "EBADVALUE",
    call: (f) => f.open("DISH").join(group as string),
  })),
  {
    what: "DISH leave of a group it never joined",
    code: "EINVAL",
    call: (f) => f.open("DISH").leave("never"),
  },
  {
    what: "join on a closed DISH",
    code: "ECLOSED",
    call(f) {
      const dish = f.open("DISH");
      dish.close();
      dish.join("g");
    },
  },
  {
    what: "connectPeer on a SERVER",
    code: "ENOTSUP",
    call: (f) => f.open("SERVER").connectPeer("tcp://127.0.0.1:1"),
  },
  {
    // libzmq keeps 16 bits of the port: it would connect to 34463 (as bind and connect refuse)
    what: "connectPeer to tcp port 99999",
    code: "EINVAL",
    call: (f) => f.open("PEER").connectPeer("tcp://127.0.0.1:99999"),
  },
  {
    what: "connectPeer to an empty endpoint",
    code: "EINVAL",
    call: (f) => f.open("PEER").connectPeer(""),
  },
  {
    what: "connectPeer to a number",
    code: "EINVAL",
    call: (f) => f.open("PEER").connectPeer(5 as unknown as string),
  },
  {
    what: "connectPeer with an unknown transport",
    code: "EPROTONOSUPPORT",
    call: (f) => f.open("PEER").connectPeer("nonsense://x"),
  },
  {
    what: "connectPeer on a closed PEER",
    code: "ECLOSED",
    call(f) {
      const peer = f.open("PEER");
      peer.close();
      return peer.connectPeer("tcp://127.0.0.1:1");
    },
  },
  // ---- properties ----
  {
    what: "recvMessage with properties that are not an array",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMessage({ properties: "X-Tenant" as unknown as string[] }),
  },
  {
    what: "recvMessage with an empty property name",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMessage({ properties: [""] }),
  },
  {
    what: "recvMessage with a property name with a NUL",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMessage({ properties: ["X-a\0b"] }),
  },
  {
    what: "recvMessage with 65 property names",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMessage({ properties: Array.from({ length: 65 }, (_, i) => `X-${i}`) }),
  },
  {
    what: "recvMessage with null options",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMessage(null as unknown as undefined),
  },
  {
    what: "Message.get of a property that was not asked for",
    code: "EBADVALUE",
    async call(f) {
      await f.push.send("with properties");
      const m = await f.pull.recvMessage({ timeout: 5000 });
      assert.equal(m.get("Socket-Type"), "PUSH");
      return m.get("X-Tenant");
    },
  },
  {
    what: "Message.get of a number",
    code: "EBADVALUE",
    call: () => new Message([], new Map()).get(5 as unknown as string),
  },
  // ---- monitor v2 ----
  {
    what: "monitor with version 3",
    code: "EBADVALUE",
    call: (f) => monitor(f.req, undefined, { version: 3 as 2 }),
  },
  {
    what: "monitor of pipes_stats with version 1",
    code: "EBADVALUE",
    call: (f) => monitor(f.req, "pipes_stats"),
  },
  {
    what: "monitor version 2 of a socket monitored with version 1",
    code: "EBUSY",
    call(f) {
      const first = monitor(f.req, "connected");
      f.later(() => first.close());
      monitor(f.req, "connected", { version: 2 });
    },
  },
  {
    what: "requestPipesStats of a socket without a version 2 monitor",
    code: "EINVAL",
    call: (f) => requestPipesStats(f.push),
  },
  {
    what: "requestPipesStats of something that is not a socket",
    code: "EINVAL",
    call: () => requestPipesStats({} as Socket),
  },
  // ---- the Authenticator's identify ----
  {
    what: "an Authenticator whose identify is not a function",
    code: "EBADVALUE",
    call: (f) =>
      new Authenticator(f.context(), { identify: "alice" as unknown as () => undefined }),
  },
];
