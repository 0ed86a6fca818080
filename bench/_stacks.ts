// Finds, installs or builds what each stack needs, and answers the command that runs it, or
// the one line that says why the stack is skipped. Nothing here reads outside the repository
// except the tools themselves and the cache folder (~/.cache/zmq-deno, or $XDG_CACHE_HOME).

/** A stack that is ready to run: `cmd` is followed by WORKLOAD N SIZE PORT [EXTRA]. */
export interface ReadyStack {
  id: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Versions worth recording with the results. */
  versions: Record<string, string>;
}

/** A stack that cannot run here, and why (one line). */
export interface SkippedStack {
  id: string;
  skip: string;
}

const HERE = new URL(".", import.meta.url).pathname;

/** The folder outside the repository for build products and the Node package. */
export function cacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/zmq-deno`;
}

interface Ran {
  ok: boolean;
  code: number;
  out: string;
  err: string;
}

/** Runs a command to completion; a missing program answers ok: false, code -1. */
export async function sh(
  cmd: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  try {
    const r = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { ok: r.success, code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
  } catch (e) {
    return { ok: false, code: -1, out: "", err: (e as Error).message };
  }
}

const firstLine = (s: string) => s.trim().split("\n").find((l) => l.trim()) ?? "";
const log = (line: string) => console.error(line);

/** apt-get install, as root only; runs `apt-get update` once if the first try fails. */
async function aptInstall(packages: string[]): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["apt-get", "install", "-y", "--no-install-recommends", ...packages];
  log(`installing ${packages.join(" ")} with apt-get`);
  if ((await sh(install, { env })).ok) return true;
  if (!(await sh(["apt-get", "update"], { env })).ok) return false;
  return (await sh(install, { env })).ok;
}

async function setupC(): Promise<ReadyStack | SkippedStack> {
  const cc = Deno.env.get("BENCH_CC") ?? "gcc";
  const out = `${cacheDir()}/bench/bench_c`;
  await Deno.mkdir(`${cacheDir()}/bench`, { recursive: true });
  const build = [cc, "-O2", "-Wall", "-o", out, `${HERE}c/bench.c`, "-lzmq", "-lpthread", "-lm"];
  let r = await sh(build);
  if (!r.ok && cc === "gcc" && await aptInstall(["gcc", "libc6-dev", "libzmq3-dev"])) {
    r = await sh(build);
  }
  if (!r.ok) {
    return {
      id: "c",
      skip: `cannot build bench/c/bench.c (${cc}, libzmq3-dev): ${firstLine(r.err)}`,
    };
  }
  const libzmq = (await sh(["pkg-config", "--modversion", "libzmq"])).out.trim() || "?";
  const gcc = (await sh([cc, "-dumpfullversion"])).out.trim() || "?";
  return { id: "c", cmd: [out], versions: { libzmq_system: libzmq, gcc } };
}

async function setupPython(): Promise<ReadyStack | SkippedStack> {
  const py = Deno.env.get("BENCH_PYTHON") ?? "/usr/bin/python3";
  const probe = [
    py,
    "-c",
    "import zmq, platform; print(platform.python_version(), zmq.pyzmq_version(), zmq.zmq_version())",
  ];
  let r = await sh(probe);
  if (!r.ok && py === "/usr/bin/python3" && await aptInstall(["python3-zmq"])) r = await sh(probe);
  if (!r.ok) {
    return {
      id: "py",
      skip: r.code === -1
        ? `${py} not found (install python3-zmq, or set BENCH_PYTHON)`
        : `${py} has no zmq module (install python3-zmq): ${firstLine(r.err)}`,
    };
  }
  const [python, pyzmq, libzmq] = r.out.trim().split(" ");
  return {
    id: "py",
    cmd: [py, `${HERE}py/bench.py`],
    versions: { python, pyzmq: `${pyzmq} (libzmq ${libzmq})` },
  };
}

/** The zeromq.js program answers usage (exit 2) once it has loaded zeromq: that is the probe. */
const ZMQJS = `${HERE}zmqjs/bench.mjs`;

/** Node and the folder holding zeromq@6.8.0 for it (node_modules/zeromq inside). */
export interface NodeZeromq {
  node: string;
  dir: string;
  /** The Node version, e.g. "v20.19.0". */
  version: string;
}

/**
 * Node with zeromq@6.8.0 installed by npm into the cache folder (`$ZMQJS_DIR`, default
 * ~/.cache/zmq-deno/zmqjs), installed on first use: answers where, or the one line that says
 * why not. `loads(node, env)` answers null if zeromq loads (tried with `ZMQJS_DIR` set in
 * `env`), else why not in one line; it is asked again after an install.
 */
export async function nodeZeromq(
  loads: (node: string, env: Record<string, string>) => Promise<string | null>,
): Promise<NodeZeromq | { skip: string }> {
  const node = Deno.env.get("BENCH_NODE") ?? "node";
  const dir = Deno.env.get("ZMQJS_DIR") ?? `${cacheDir()}/zmqjs`;
  const version = await sh([node, "--version"]);
  if (!version.ok) return { skip: `${node} not found (install Node, or set BENCH_NODE)` };
  const env = { ZMQJS_DIR: dir };
  if (await loads(node, env) !== null) {
    log(`installing zeromq@6.8.0 for Node into ${dir}`);
    await Deno.mkdir(dir, { recursive: true });
    try {
      await Deno.stat(`${dir}/package.json`);
    } catch {
      await Deno.writeTextFile(`${dir}/package.json`, '{ "private": true }\n');
    }
    const npm = await sh(["npm", "install", "--no-audit", "--no-fund", "zeromq@6.8.0"], {
      cwd: dir,
    });
    if (!npm.ok) {
      return { skip: `npm install zeromq@6.8.0 failed in ${dir}: ${firstLine(npm.err)}` };
    }
    const why = await loads(node, env);
    if (why !== null) return { skip: `zeromq.js does not load under ${node}: ${why}` };
  }
  return { node, dir, version: version.out.trim() };
}

async function setupNode(): Promise<ReadyStack | SkippedStack> {
  const found = await nodeZeromq(async (node, env) => {
    const probe = await sh([node, ZMQJS], { env });
    return probe.code === 2 ? null : firstLine(probe.err);
  });
  if ("skip" in found) return { id: "node", skip: found.skip };
  const { node, dir, version } = found;
  let zeromq = "?";
  try {
    zeromq = JSON.parse(await Deno.readTextFile(`${dir}/node_modules/zeromq/package.json`)).version;
  } catch { /* recorded as ? */ }
  return {
    id: "node",
    cmd: [node, ZMQJS],
    env: { ZMQJS_DIR: dir },
    versions: { node: version, zeromq_js: zeromq },
  };
}

async function setupDenoZmqjs(): Promise<ReadyStack | SkippedStack> {
  const cmd = [Deno.execPath(), "run", "-A", ZMQJS];
  const probe = await sh(cmd);
  if (probe.code !== 2) {
    return {
      id: "deno-zmqjs",
      skip: `npm:zeromq@6.8.0 does not load under Deno: ${firstLine(probe.err)}`,
    };
  }
  return { id: "deno-zmqjs", cmd, versions: {} };
}

function setupDeno(): ReadyStack {
  return {
    id: "deno",
    cmd: [Deno.execPath(), "run", "-A", `${HERE}deno/bench.ts`],
    versions: { deno: Deno.version.deno },
  };
}

/** Sets up the stacks asked for, in order; unknown names are the caller's business. */
export async function setupStacks(ids: string[]): Promise<(ReadyStack | SkippedStack)[]> {
  const out: (ReadyStack | SkippedStack)[] = [];
  for (const id of ids) {
    const s = id === "c"
      ? await setupC()
      : id === "py"
      ? await setupPython()
      : id === "node"
      ? await setupNode()
      : id === "deno-zmqjs"
      ? await setupDenoZmqjs()
      : setupDeno();
    if ("skip" in s) log(`skip ${s.id}: ${s.skip}`);
    out.push(s);
  }
  return out;
}
