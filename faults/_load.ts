// The clients of the fault scenarios: they send numbered requests and account for every one of
// them, so a scenario can show that none was lost silently and none answered twice.
import type { Context } from "../core/context.ts";
import { ZmqError } from "../core/errors.ts";
import { AsyncMajordomoClient } from "../reliable/mdp_async_client.ts";
import { MajordomoClient } from "../reliable/mdp_client.ts";
import { LazyPirateClient } from "../reliable/lazy_pirate.ts";
import { UnreachableError } from "../reliable/lazy_pirate.ts";
import { TitanicClient } from "../reliable/titanic_client.ts";

/** What happened to the requests of a scenario. */
export interface Tally {
  /** Requests the clients sent. */
  sent: number;
  /** Requests answered with their own reply. */
  answered: number;
  /** Requests reported failed to their caller (EUNREACHABLE, or no reply before the end). */
  failed: number;
  /** Requests that ended neither way, or got someone else's reply: must be 0. */
  lost: number;
  /** Requests answered more than once to the application: must be 0 (at most once). */
  twice: number;
  /** Times a synchronous client gave up on an attempt and sent again on a fresh socket. */
  retries: number;
  /** Requests the broker or queue gave to another worker after theirs failed (when known). */
  redelivered: number;
}

/** A counter that resolves promises when it reaches given values. */
export class Progress {
  #count = 0;
  #waiters: { at: number; resolve: () => void }[] = [];

  /** Counts one more. */
  tick(): void {
    this.#count++;
    for (const w of this.#waiters.filter((w) => w.at <= this.#count)) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** The count so far. */
  get count(): number {
    return this.#count;
  }

  /** Resolves once the count reaches `at`. */
  reached(at: number): Promise<void> {
    if (this.#count >= at) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ at, resolve }));
  }
}

/** How the scenario's clients behave. */
export interface LoadOptions {
  /** Concurrent clients. */
  clients: number;
  /** Requests per client, one after the other. */
  requests: number;
  /** Per-attempt timeout in ms. */
  timeout: number;
  /** Retries per request (synchronous clients). */
  retries: number;
  /** Counts each answered request (to place a fault mid-stream). */
  progress?: Progress;
}

/** A fresh tally. */
export function emptyTally(): Tally {
  return { sent: 0, answered: 0, failed: 0, lost: 0, twice: 0, retries: 0, redelivered: 0 };
}

/** Adds `b` into `a`. */
export function addTally(a: Tally, b: Tally): Tally {
  for (const key of Object.keys(a) as (keyof Tally)[]) a[key] += b[key];
  return a;
}

/**
 * Runs synchronous clients (REQ with retries) against `endpoint`: Majordomo requests to
 * `service`, or plain Lazy Pirate requests when `service` is null (a Paranoid Pirate queue).
 * Each request's body is its own id, so a reply is checked against its request.
 */
export async function syncLoad(
  ctx: Context,
  endpoint: string | ((client: number) => string),
  service: string | null,
  options: LoadOptions,
): Promise<Tally> {
  const tallies = await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const tally = emptyTally();
      const where = typeof endpoint === "string" ? endpoint : endpoint(c);
      const settings = { timeout: options.timeout, retries: options.retries };
      using mdp = service === null ? null : new MajordomoClient(ctx, where, settings);
      using pirate = service === null ? new LazyPirateClient(ctx, where, settings) : null;
      for (let r = 0; r < options.requests; r++) {
        const id = `client ${c} request ${r}`;
        tally.sent++;
        try {
          const reply = mdp
            ? (await mdp.requestText(service!, id))[0]
            : await pirate!.requestString(id);
          if (reply === id) {
            tally.answered++;
            options.progress?.tick();
          } else {
            tally.lost++; // someone else's reply: as bad as losing this one
          }
        } catch (e) {
          if (!(e instanceof UnreachableError)) throw e;
          tally.failed++;
        }
      }
      tally.retries = (mdp ?? pirate)!.reconnects;
      return tally;
    }),
  );
  return tallies.reduce(addTally, emptyTally());
}

/**
 * Runs asynchronous Majordomo clients (DEALER, no retries): each sends all its requests, then
 * reads replies until none came for `quiet` ms; what is unanswered then is reported failed.
 * Replies are counted by id, so a request answered twice shows.
 */
export async function asyncLoad(
  ctx: Context,
  endpoint: string,
  service: string,
  options: LoadOptions & { quiet: number },
): Promise<Tally> {
  const tallies = await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const tally = emptyTally();
      const seen = new Map<string, number>();
      using client = new AsyncMajordomoClient(ctx, endpoint);
      const ids = Array.from({ length: options.requests }, (_, r) => `async ${c} request ${r}`);
      for (const id of ids) {
        await client.send(service, id);
        tally.sent++;
      }
      for (;;) {
        let reply;
        try {
          reply = await client.recv({ timeout: options.quiet });
        } catch (e) {
          if (e instanceof ZmqError && e.code === "EAGAIN") break;
          throw e;
        }
        const id = new TextDecoder().decode(reply.body[0]);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        if (seen.get(id) === 1) options.progress?.tick();
      }
      for (const id of ids) {
        const n = seen.get(id) ?? 0;
        if (n === 0) tally.failed++; // the caller learns it at its timeout
        else tally.answered++;
        if (n > 1) tally.twice++;
      }
      // A reply to something never sent is someone else's: count it as lost.
      tally.lost += [...seen.keys()].filter((id) => !ids.includes(id)).length;
      return tally;
    }),
  );
  return tallies.reduce(addTally, emptyTally());
}

/**
 * Runs Titanic clients: each stores all its requests (a stored one counts for `progress`), then
 * fetches and closes each reply. A request whose reply never comes, or is someone else's, is
 * lost; one that could not be stored is reported failed.
 */
export async function titanicLoad(
  ctx: Context,
  endpoint: string,
  options: LoadOptions,
): Promise<Tally> {
  const tallies = await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const tally = emptyTally();
      using client = new TitanicClient(ctx, endpoint, {
        timeout: options.timeout,
        retries: options.retries,
        pollInterval: 50,
      });
      const stored: [string, string][] = [];
      for (let r = 0; r < options.requests; r++) {
        const id = `titanic ${c} request ${r}`;
        tally.sent++;
        try {
          stored.push([await client.submit("echo", id), id]);
          options.progress?.tick();
        } catch (e) {
          if (!(e instanceof UnreachableError)) throw e;
          tally.failed++;
        }
      }
      for (const [uuid, id] of stored) {
        const deadline = performance.now() + 30_000;
        let reply = await client.fetch(uuid);
        while (reply.status === "300" && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          reply = await client.fetch(uuid);
        }
        if (reply.status === "200" && new TextDecoder().decode(reply.body[0]) === id) {
          tally.answered++;
          await client.close(uuid);
        } else {
          tally.lost++;
        }
      }
      tally.retries = client.reconnects;
      return tally;
    }),
  );
  return tallies.reduce(addTally, emptyTally());
}
