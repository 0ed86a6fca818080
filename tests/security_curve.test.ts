// CURVE keys, Z85 and certificate files: known answers, round trips, and bad input as ZmqErrors.
import assert from "node:assert/strict";
import {
  Context,
  createCertificate,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  loadCertificate,
  loadPublicKeys,
  parseCertificate,
  saveCertificate,
  z85Decode,
  z85Encode,
  zmqHas,
} from "../mod.ts";
import { rejectsWith, throwsWith } from "./_util.ts";

// ZeroMQ RFC 32's test vector
const HELLO_BYTES = new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);

Deno.test("this libzmq has CURVE", async () => {
  assert.equal(zmqHas("curve"), true);
  assert.equal(zmqHas("no-such-capability"), false, "the answer is libzmq's, not a constant");
  // and it works: a CURVE server and client exchange a message
  await using ctx = new Context({ linger: 0 });
  const server = curveKeypair();
  const client = curveKeypair();
  using pull = ctx.socket("PULL");
  pull.setOption("CURVE_SERVER", true);
  pull.setOption("CURVE_SECRETKEY", server.secretKey);
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  push.setOption("CURVE_SERVERKEY", server.publicKey);
  push.setOption("CURVE_PUBLICKEY", client.publicKey);
  push.setOption("CURVE_SECRETKEY", client.secretKey);
  push.connect(`tcp://127.0.0.1:${port}`);
  await push.send("over CURVE");
  assert.equal(await pull.recvString({ timeout: 10_000 }), "over CURVE");
  const CURVE = 2; // ZMQ_CURVE, the value of the MECHANISM option
  assert.equal(pull.getOption("MECHANISM"), CURVE);
  assert.equal(push.getOption("MECHANISM"), CURVE);
});

Deno.test("z85: RFC 32's vector both ways, and random round trips", () => {
  assert.equal(z85Encode(HELLO_BYTES), "HelloWorld");
  assert.deepEqual(z85Decode("HelloWorld"), HELLO_BYTES);
  assert.equal(z85Encode(new Uint8Array()), "");
  assert.deepEqual(z85Decode(""), new Uint8Array());
  for (const n of [4, 32, 100, 4096]) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    const text = z85Encode(bytes);
    assert.equal(text.length, (n / 4) * 5);
    assert.deepEqual(z85Decode(text), bytes);
  }
});

Deno.test("z85: wrong lengths, characters and types are EINVAL, not crashes", () => {
  const bad: [string, () => unknown][] = [
    ["3 bytes", () => z85Encode(new Uint8Array(3))],
    ["31 bytes", () => z85Encode(new Uint8Array(31))],
    ["not bytes", () => z85Encode("abcd" as unknown as Uint8Array)],
    ["4 characters", () => z85Decode("Hell")],
    ["41 characters", () => z85Decode("HelloWorld".repeat(4) + "x")],
    ["a space", () => z85Decode("Hello Worl")],
    ["a quote", () => z85Decode('Hello"orld')],
    ["non-ASCII", () => z85Decode("Hellö")],
    ["above 2^32", () => z85Decode("%%%%%")],
    ["not a string", () => z85Decode(42 as unknown as string)],
  ];
  for (const [what, call] of bad) {
    const e = throwsWith(call, "EINVAL");
    assert.ok(e.message.length > 10, `${what}: ${e.message}`);
  }
  // the library still works afterwards
  assert.equal(z85Encode(HELLO_BYTES), "HelloWorld");
});

Deno.test("curveKeypair: fresh Z85 keys whose public key curvePublic derives", () => {
  const a = curveKeypair();
  const b = curveKeypair();
  for (const k of [a.publicKey, a.secretKey]) {
    assert.equal(k.length, 40);
    assert.equal(z85Decode(k).length, 32);
  }
  assert.notEqual(a.publicKey, b.publicKey);
  assert.notEqual(a.secretKey, b.secretKey);
  assert.equal(curvePublic(a.secretKey), a.publicKey);
  assert.equal(curvePublic(z85Decode(b.secretKey)), b.publicKey);
  assert.equal(curveKeyToZ85(z85Decode(a.publicKey)), a.publicKey);
});

Deno.test("curve keys of the wrong size or alphabet are EINVAL", () => {
  const good = curveKeypair().secretKey;
  throwsWith(() => curvePublic(new Uint8Array(31)), "EINVAL");
  throwsWith(() => curvePublic(new Uint8Array(33)), "EINVAL");
  throwsWith(() => curvePublic(good.slice(1)), "EINVAL");
  throwsWith(() => curvePublic(good + "0"), "EINVAL");
  throwsWith(() => curvePublic(" " + good.slice(1)), "EINVAL");
  throwsWith(() => curvePublic(null as unknown as string), "EINVAL");
  const e = throwsWith(() => curveKeyToZ85(new Uint8Array(31)), "EINVAL");
  assert.match(e.message, /31 bytes/);
});

Deno.test("CURVE socket options: keys set as Z85 or bytes read back as Z85; bad keys rejected", () => {
  using ctx = new Context();
  using s = ctx.socket("DEALER");
  const kp = curveKeypair();
  s.setOption("CURVE_SERVERKEY", kp.publicKey);
  assert.equal(s.getOption("CURVE_SERVERKEY"), kp.publicKey);
  s.setOption("CURVE_PUBLICKEY", z85Decode(kp.publicKey));
  assert.equal(s.getOption("CURVE_PUBLICKEY"), kp.publicKey);
  throwsWith(() => s.setOption("CURVE_SECRETKEY", new Uint8Array(31)), "EBADVALUE");
  throwsWith(() => s.setOption("CURVE_SECRETKEY", "short"), "EBADVALUE");
  // 40 characters outside the Z85 alphabet: libzmq itself refuses them
  throwsWith(() => s.setOption("CURVE_SECRETKEY", " ".repeat(40)), "EINVAL");
  assert.equal(s.getOption("MECHANISM"), 2); // CURVE (set by the valid keys above)
});

Deno.test("certificates: saved as a public and a 0600 secret file, loaded back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await createCertificate(`${dir}/certs`, "server", { role: "server" });
    assert.equal(made.publicFile, `${dir}/certs/server.key`);
    assert.equal(made.secretFile, `${dir}/certs/server.key_secret`);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(made.secretFile)).mode! & 0o777, 0o600);
    }
    const pub = await loadCertificate(made.publicFile);
    assert.equal(pub.publicKey, made.publicKey);
    assert.equal(pub.secretKey, null);
    assert.deepEqual(pub.metadata, { role: "server" });
    assert.ok(!(await Deno.readTextFile(made.publicFile)).includes(made.secretKey));
    const sec = await loadCertificate(made.secretFile);
    assert.equal(sec.publicKey, made.publicKey);
    assert.equal(sec.secretKey, made.secretKey);

    // overwriting an existing, world-readable secret file leaves it 0600
    if (Deno.build.os !== "windows") {
      await Deno.chmod(made.secretFile, 0o644);
      const again = curveKeypair();
      await saveCertificate(`${dir}/certs`, "server", again);
      assert.equal((await Deno.stat(made.secretFile)).mode! & 0o777, 0o600);
      assert.equal((await loadCertificate(made.secretFile)).secretKey, again.secretKey);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("certificates: a directory of public keys is an allow list", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await createCertificate(dir, "alice");
    const b = await createCertificate(dir, "bob");
    await Deno.writeTextFile(`${dir}/README.txt`, "not a certificate");
    assert.deepEqual(await loadPublicKeys(dir), [a.publicKey, b.publicKey]);
    await Deno.writeTextFile(`${dir}/mallory.key`, 'public-key = "too short"\n');
    const e = await rejectsWith(loadPublicKeys(dir), "EINVAL");
    assert.match(e.message, /mallory\.key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("certificates: bad files and arguments are typed errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejectsWith(loadCertificate(`${dir}/missing.key`), "ENOENT");
    await rejectsWith(loadPublicKeys(`${dir}/missing`), "ENOENT");
    const kp = curveKeypair();
    const other = curveKeypair();
    throwsWith(() => parseCertificate("# nothing here\n"), "EINVAL");
    throwsWith(() => parseCertificate(`public-key = "${kp.publicKey.slice(2)}"`), "EINVAL");
    throwsWith(
      () => parseCertificate(`public-key = "${kp.publicKey}"\nsecret-key = "${other.secretKey}"\n`),
      "EINVAL",
    );
    await rejectsWith(
      saveCertificate(dir, "x", { publicKey: other.publicKey, secretKey: kp.secretKey }),
      "EINVAL",
    );
    await rejectsWith(saveCertificate(dir, "../escape", kp), "EBADVALUE");
    await rejectsWith(saveCertificate(dir, "x", kp, { "a b": "c" }), "EBADVALUE");
    await rejectsWith(
      saveCertificate(dir, "x", { publicKey: kp.publicKey, secretKey: "short" }),
      "EINVAL",
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing was written by the failures
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("certificates: files written by pyzmq's zmq.auth load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const py = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        "import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], 'py')",
        dir,
      ],
    });
    const out = await py.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const sec = await loadCertificate(`${dir}/py.key_secret`);
    const pub = await loadCertificate(`${dir}/py.key`);
    assert.equal(pub.publicKey, sec.publicKey);
    assert.equal(curvePublic(sec.secretKey!), sec.publicKey);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
