import { DatabaseSync, type StatementSync } from "node:sqlite";
import { badValue, ZmqError, zmqError } from "../core/errors.ts";
import { packFrames, unpackFrames } from "./_frames.ts";

/** A request waiting in a {@linkcode TitanicStore} for its service. */
export interface StoredRequest {
  /** The request's id: 32 lowercase hexadecimal characters. */
  uuid: string;
  /** The service it is for. */
  service: string;
  /** Its body frames. */
  body: Uint8Array[];
}

/** What a {@linkcode TitanicStore} knows of one request. */
export type StoredReply =
  | { state: "done"; reply: Uint8Array[] }
  | { state: "pending" }
  | { state: "unknown" };

const UUID = /^[0-9a-fA-F]{32}$/;

/**
 * True for a Titanic request id: 32 hexadecimal characters (RFC 9).
 *
 * @param text A frame's text, or null.
 * @returns Whether it is a request id as Titanic makes them.
 */
export function isTitanicUuid(text: string | null): text is string {
  return text !== null && UUID.test(text);
}

/**
 * The durable part of Titanic (ZeroMQ RFC 9): requests and their replies in one SQLite file,
 * through `node:sqlite` (built into Deno; no dependency).
 *
 * Every change is committed before the call returns, in WAL mode with `synchronous=FULL`: a
 * request that {@linkcode TitanicStore.add} answered an id for survives the process being
 * killed (even with SIGKILL) and the machine losing power. Replies stay until
 * {@linkcode TitanicStore.forget}. Several processes may open the same file (SQLite locks
 * it); one Titanic server per file is the design.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TitanicStore } from "../mod.ts";
 * using store = new TitanicStore(":memory:");
 * const uuid = store.add("echo", [new TextEncoder().encode("Hello")]);
 * assert.equal(store.reply(uuid).state, "pending");
 * store.complete(uuid, [new TextEncoder().encode("Hello")]);
 * assert.equal(store.reply(uuid).state, "done");
 * store.forget(uuid);
 * assert.equal(store.reply(uuid).state, "unknown");
 * ```
 */
export class TitanicStore implements Disposable {
  /** The database file (or `":memory:"`). */
  readonly path: string;
  #db: DatabaseSync;
  #insert: StatementSync;
  #pending: StatementSync;
  #complete: StatementSync;
  #select: StatementSync;
  #delete: StatementSync;
  #count: StatementSync;

  /**
   * Opens (or creates) the store in `path`. Throws a ZmqError `EIO` naming the file if SQLite
   * cannot open it or it is not a Titanic store.
   *
   * @param path The SQLite file, or `":memory:"`.
   * @throws {ZmqError} `EIO` naming the file.
   */
  constructor(path: string) {
    if (typeof path !== "string" || path === "") {
      throw badValue('path must be a file name or ":memory:"', {
        op: "TitanicStore",
      });
    }
    this.path = path;
    try {
      this.#db = new DatabaseSync(path);
      this.#db.exec(`
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA busy_timeout = 5000;
        CREATE TABLE IF NOT EXISTS titanic_requests (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          uuid TEXT NOT NULL UNIQUE,
          service TEXT NOT NULL,
          request BLOB NOT NULL,
          reply BLOB,
          created_ms INTEGER NOT NULL,
          replied_ms INTEGER
        );
        CREATE INDEX IF NOT EXISTS titanic_pending ON titanic_requests (seq) WHERE reply IS NULL;
      `);
      this.#insert = this.#db.prepare(
        "INSERT INTO titanic_requests (uuid, service, request, created_ms) VALUES (?, ?, ?, ?)",
      );
      this.#pending = this.#db.prepare(
        "SELECT uuid, service, request FROM titanic_requests WHERE reply IS NULL ORDER BY seq LIMIT ?",
      );
      this.#complete = this.#db.prepare(
        "UPDATE titanic_requests SET reply = ?, replied_ms = ? WHERE uuid = ? AND reply IS NULL",
      );
      this.#select = this.#db.prepare("SELECT reply FROM titanic_requests WHERE uuid = ?");
      this.#delete = this.#db.prepare("DELETE FROM titanic_requests WHERE uuid = ?");
      this.#count = this.#db.prepare(
        "SELECT count(*) AS total, count(reply) AS done FROM titanic_requests",
      );
    } catch (e) {
      throw storeError(e, path, "open");
    }
  }

  /**
   * Stores a new request and answers its id, once it is committed to the file.
   *
   * @param service The service the request is for.
   * @param body The request's frames.
   * @returns The new request's id.
   * @throws {ZmqError} `EIO` when SQLite fails.
   */
  add(service: string, body: Uint8Array[]): string {
    const uuid = crypto.randomUUID().replaceAll("-", "");
    this.#run("add", () => this.#insert.run(uuid, service, packFrames(body), Date.now()));
    return uuid;
  }

  /**
   * Up to `limit` requests without a reply, oldest first.
   *
   * @param limit How many at most.
   * @default {100}
   * @returns The requests, oldest first.
   */
  pending(limit = 100): StoredRequest[] {
    const rows = this.#run("pending", () => this.#pending.all(limit)) as {
      uuid: string;
      service: string;
      request: Uint8Array;
    }[];
    return rows.map((r) => ({ uuid: r.uuid, service: r.service, body: unpackFrames(r.request) }));
  }

  /**
   * Stores the reply of a pending request. Answers false if the request is unknown (it was
   * forgotten meanwhile) or already has a reply, which is kept.
   *
   * @param uuid The request's id.
   * @param reply The reply's frames.
   * @returns Whether the reply was stored.
   */
  complete(uuid: string, reply: Uint8Array[]): boolean {
    const result = this.#run(
      "complete",
      () => this.#complete.run(packFrames(reply), Date.now(), normalise(uuid)),
    );
    return Number(result.changes) === 1;
  }

  /**
   * What the store knows of request `uuid` (any case of hexadecimal digits).
   *
   * @param uuid The request's id.
   * @returns Whether it is unknown, pending or done, with the reply when done.
   */
  reply(uuid: string): StoredReply {
    if (!isTitanicUuid(uuid)) return { state: "unknown" };
    const row = this.#run("reply", () => this.#select.get(normalise(uuid))) as
      | { reply: Uint8Array | null }
      | undefined;
    if (row === undefined) return { state: "unknown" };
    if (row.reply === null) return { state: "pending" };
    return { state: "done", reply: unpackFrames(row.reply) };
  }

  /**
   * Deletes request `uuid` and its reply; unknown ids are fine (RFC 9's titanic.close).
   *
   * @param uuid The request's id.
   */
  forget(uuid: string): void {
    if (!isTitanicUuid(uuid)) return;
    this.#run("forget", () => this.#delete.run(normalise(uuid)));
  }

  /** How many requests the store holds, and how many of them have replies. */
  counts(): { total: number; done: number } {
    const row = this.#run("counts", () => this.#count.get()) as { total: number; done: number };
    return { total: Number(row.total), done: Number(row.done) };
  }

  #run<T>(op: string, body: () => T): T {
    try {
      return body();
    } catch (e) {
      throw storeError(e, this.path, op);
    }
  }

  /** Closes the database file. Closing twice is harmless. */
  close(): void {
    try {
      this.#db.close();
    } catch {
      // already closed
    }
  }

  /** Closes the store (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

function normalise(uuid: string): string {
  return uuid.toLowerCase();
}

function storeError(e: unknown, path: string, op: string): ZmqError {
  if (e instanceof ZmqError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return zmqError("EIO", `Titanic store ${JSON.stringify(path)}: ${message}`, {
    op: `TitanicStore.${op}`,
  });
}
