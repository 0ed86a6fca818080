// Known open findings: checks the model fuzzer can make but that today's code still fails.
// Each entry names the finding, the check it turns off, and a command that replays it with the
// check on. The CI run and the long campaign leave these checks out (and say so); delete an
// entry as soon as its fix lands, and the check runs everywhere again.

/** One check left out of the campaigns while its finding is open. */
export interface KnownOpen {
  /** The check's name, as given to `--skip`. */
  check: string;
  /** The finding it belongs to. */
  finding: string;
  /** What goes wrong with the check on. */
  symptom: string;
  /** A command that shows it (the check on). */
  replay: string;
}

/** The checks left out of CI and `deno task fuzz:long`. */
export const KNOWN_OPEN: readonly KnownOpen[] = [
  {
    check: "proxy-backpressure",
    finding:
      "found by the model fuzzer (SteerableProxy, devices/steerable_proxy.ts; not filed yet)",
    symptom: "with small HWMs (1, 3) on a proxy's sockets, messages queued and the consumer " +
      "not reading, SteerableProxy.pause() (or statistics()) never settles",
    replay: "deno run -A fuzz/model.ts --seed 1 --only proxied",
  },
  {
    check: "req-lost",
    finding: "found by the wire fuzzer (not explained yet; not filed)",
    symptom: "a REQ waits forever for a reply: its request, sent and resolved, never reached " +
      "the REP, with raw peers attacking a bound REP or REQ (NULL, PLAIN or CURVE; HWM 0), a " +
      "few seeds in a hundred on a loaded machine, not on a quiet rerun; skipped, the wire tier " +
      "binds DEALER/ROUTER instead of REQ/REP and the model sends requests without timeouts",
    replay: "deno run -A fuzz/wire.ts --seed 12",
  },
];

/** The names of the known-open checks. */
export const KNOWN_OPEN_CHECKS: readonly string[] = KNOWN_OPEN.map((k) => k.check);
