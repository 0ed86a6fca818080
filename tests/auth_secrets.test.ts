// No error message, printed line or inspect output of the auth module contains a secret key or a
// PLAIN password. Every error a secret can reach is provoked with the secret in it, and its
// message, its inspect output (stack and cause included) and every value the module answers
// are scanned for the secret and for any 8 characters of it in a row.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  createCertificate,
  curveKeypair,
  loadCertificate,
  loadPublicKeys,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  parseCertificate,
  saveCertificate,
  type ZapDecision,
  ZmqError,
} from "../mod.ts";
import { assertAdmitted, assertRefused } from "./_auth.ts";

const PASSWORD = "pw-7f3a9c-do-not-print";

/** Everything that was rendered, with where it came from. */
class Scan {
  readonly seen: { where: string; text: string }[] = [];
  readonly secrets: string[];

  constructor(...secrets: string[]) {
    this.secrets = secrets;
  }

  /** Records `value` as printed by console.log and as a string. */
  value(where: string, value: unknown): void {
    this.seen.push({ where, text: Deno.inspect(value, { depth: 10, showHidden: true }) });
    if (value instanceof Error) {
      this.seen.push({ where: `${where} (message)`, text: `${value.message}\n${value.stack}` });
    }
  }

  /** Runs `fn`, which must throw or reject a ZmqError, and records the error. */
  async error(where: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (e) {
      assert.ok(e instanceof ZmqError, `${where}: expected a ZmqError, got ${e}`);
      this.value(where, e);
      return;
    }
    assert.fail(`${where}: expected an error`);
  }

  /** Asserts that no record holds a secret or 8 characters of one in a row. */
  check(): void {
    assert.ok(this.seen.length > 0);
    for (const { where, text } of this.seen) {
      for (const secret of this.secrets) {
        for (let i = 0; i + 8 <= secret.length; i++) {
          const piece = secret.slice(i, i + 8);
          assert.ok(!text.includes(piece), `${where} shows ${JSON.stringify(piece)}:\n${text}`);
        }
      }
    }
  }
}

/** A variant of a Z85 key with one character replaced by one outside the alphabet. */
function withBadCharacter(key: string): string {
  return key.slice(0, 20) + "~" + key.slice(21);
}

Deno.test("certificates: no error or inspect output shows the secret key", async () => {
  const kp = curveKeypair();
  const other = curveKeypair();
  const scan = new Scan(kp.secretKey);
  const dir = await Deno.makeTempDir();
  try {
    const line = (secret: string) => `public-key = "${kp.publicKey}"\nsecret-key = "${secret}"\n`;
    for (
      const [what, text] of [
        ["41 characters", line(kp.secretKey + "x")],
        ["39 characters", line(kp.secretKey.slice(1))],
        ["a character outside Z85", line(withBadCharacter(kp.secretKey))],
        [
          "a pair that does not match",
          `public-key = "${other.publicKey}"\nsecret-key = "${kp.secretKey}"\n`,
        ],
        [
          "the secret as the public key, mistyped",
          `public-key = "${withBadCharacter(kp.secretKey)}"\n`,
        ],
        ["no public key", `secret-key = "${kp.secretKey}"\n`],
        ["unquoted junk", `public-key = "${kp.publicKey}"\nsecret-key = "${kp.secretKey}"junk\n`],
      ]
    ) {
      await scan.error(
        `parseCertificate: ${what}`,
        () => parseCertificate(text, "server.key_secret"),
      );
      await Deno.writeTextFile(`${dir}/bad.key_secret`, text);
      await scan.error(`loadCertificate: ${what}`, () => loadCertificate(`${dir}/bad.key_secret`));
    }
    await Deno.mkdir(`${dir}/clients`);
    await Deno.writeTextFile(`${dir}/clients/x.key`, line(withBadCharacter(kp.secretKey)));
    await scan.error("loadPublicKeys", () => loadPublicKeys(`${dir}/clients`));
    for (
      const [what, pair] of [
        ["a newline after the secret", { publicKey: kp.publicKey, secretKey: kp.secretKey + "\n" }],
        ["a character outside Z85", {
          publicKey: kp.publicKey,
          secretKey: withBadCharacter(kp.secretKey),
        }],
        ["a pair that does not match", { publicKey: other.publicKey, secretKey: kp.secretKey }],
        ["the secret as the public key", { publicKey: kp.secretKey, secretKey: kp.secretKey }],
      ] as const
    ) {
      await scan.error(`saveCertificate: ${what}`, () => saveCertificate(dir, "s", pair));
    }
    await scan.error("saveCertificate: bad name", () => saveCertificate(dir, "a/b", kp));
    await scan.error(
      "saveCertificate: bad metadata",
      () => saveCertificate(dir, "s", kp, { "a b": "c" }),
    );

    // what the module answers shows "[secret]" where the key would be, and the key is there
    const saved = await saveCertificate(dir, "good", kp);
    const loaded = await loadCertificate(saved.secretFile);
    assert.equal(loaded.secretKey, kp.secretKey);
    scan.value("a loaded certificate", loaded);
    scan.value("a loaded certificate in a list", [{ cert: loaded }]);
    const parsed = parseCertificate(await Deno.readTextFile(saved.secretFile));
    scan.value("a parsed certificate", parsed);
    assert.match(Deno.inspect(parsed), /secretKey: "\[secret\]"/);
    const made = await createCertificate(dir, "made");
    const madeScan = new Scan(made.secretKey);
    madeScan.value("createCertificate's answer", made);
    madeScan.check();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  scan.check();
});

Deno.test("security helpers: no error or inspect output shows a secret key or password", async () => {
  const kp = curveKeypair();
  const server = curveKeypair();
  const scan = new Scan(kp.secretKey, PASSWORD);
  await using ctx = new Context({ linger: 0 });
  using s = ctx.socket("DEALER");
  const secrets = [
    kp.secretKey + "\n",
    " " + kp.secretKey,
    kp.secretKey.slice(1),
    withBadCharacter(kp.secretKey),
  ];
  for (const bad of secrets) {
    await scan.error("makeCurveServer(secret)", () => makeCurveServer(s, bad));
    await scan.error(
      "makeCurveServer(pair)",
      () => makeCurveServer(s, { publicKey: kp.publicKey, secretKey: bad }),
    );
    await scan.error(
      "makeCurveClient",
      () => makeCurveClient(s, server.publicKey, { publicKey: kp.publicKey, secretKey: bad }),
    );
  }
  await scan.error(
    "makeCurveServer: bad options",
    () => makeCurveServer(s, kp, { maxMessageSize: 5 }),
  );
  await scan.error(
    "makePlainClient: long password",
    () => makePlainClient(s, "u", PASSWORD.repeat(20)),
  );
  await scan.error(
    "makePlainClient: a number",
    () => makePlainClient(s, "u", 12345 as unknown as string),
  );
  await scan.error(
    "makePlainClient: an object",
    () => makePlainClient(s, "u", { toString: () => PASSWORD } as unknown as string),
  );
  await scan.error(
    "makePlainServer: bad options",
    () => makePlainServer(s, { maxMessageSize: -2 }),
  );
  const closed = ctx.socket("DEALER");
  closed.close();
  await scan.error("makeCurveServer: closed socket", () => makeCurveServer(closed, kp));
  await scan.error("makePlainClient: closed socket", () => makePlainClient(closed, "u", PASSWORD));
  const mine = makeCurveClient(s, server.publicKey, kp);
  assert.equal(mine.secretKey, kp.secretKey);
  scan.value("makeCurveClient's answer", mine);
  scan.check();
});

Deno.test("Authenticator: no error, decision, report or inspect output shows a password", async () => {
  const kp = curveKeypair();
  const scan = new Scan(PASSWORD, kp.secretKey);
  await using ctx = new Context({ linger: 0 });
  const decisions: ZapDecision[] = [];
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) =>
    void printed.push(args.map((a) => Deno.inspect(a)).join(" "));
  try {
    let fail = false;
    await using auth = await new Authenticator(ctx, {
      onDecision: (d) => {
        decisions.push(d);
        if (fail) throw new Error("audit log down");
      },
    }).start();
    auth.configurePlain({ passwords: { admin: PASSWORD } });
    auth.configureCurve({ publicKeys: [kp.publicKey] });
    await scan.error(
      "configurePlain: long",
      () => auth.configurePlain({ passwords: { admin: PASSWORD.repeat(20) } }),
    );
    await scan.error(
      "configurePlain: not a string",
      () => auth.configurePlain({ passwords: { admin: PASSWORD, x: 1 as unknown as string } }),
    );
    await scan.error(
      "configureCurve: a secret key mistyped",
      () => auth.configureCurve({ publicKeys: [withBadCharacter(kp.secretKey)] }),
    );
    await scan.error(
      "configureCurve: one key instead of a list",
      () => auth.configureCurve({ publicKeys: kp.secretKey as unknown as string[] }),
    );
    scan.value("the authenticator", auth);

    using pull = ctx.socket("PULL");
    makePlainServer(pull);
    const endpoint = `tcp://127.0.0.1:${pull.bindToRandomPort()}`;
    using good = ctx.socket("PUSH");
    makePlainClient(good, "admin", PASSWORD);
    await assertAdmitted(pull, good, endpoint, "admin");
    using bad = ctx.socket("PUSH");
    makePlainClient(bad, "admin", PASSWORD + "x"); // the real one inside a wrong one
    await assertRefused(pull, bad, endpoint, "guess");
    fail = true;
    using third = ctx.socket("PUSH");
    makePlainClient(third, "admin", PASSWORD);
    await assertRefused(pull, third, endpoint, "hook fails", 500);
  } finally {
    console.error = original;
  }
  assert.equal(decisions.length, 3);
  scan.value("the decisions", decisions);
  assert.equal(printed.length, 1);
  scan.seen.push({ where: "console.error", text: printed.join("\n") });
  scan.check();
});
