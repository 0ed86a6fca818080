// How a role that runs as an OS process (workers/process.ts) learns its name from the
// orchestrator and reports a failure back: environment variables in, one marked stderr line out.

/** The role's name, set by the orchestrator. */
export const ROLE_NAME_ENV = "ZMQ_ROLE_NAME";
/** Set to "1" by the orchestrator: report a failure as a marked line, not a stack trace. */
export const ROLE_REPORT_ENV = "ZMQ_ROLE_REPORT";
/** Starts the one stderr line that carries a failed role's error as JSON. */
export const ROLE_ERROR_MARKER = "\x1eZMQ-ROLE-ERROR ";

/** What a failed role reports. */
export interface RoleFailure {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** The failure report of `error`. */
export function describeFailure(error: unknown): RoleFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    code: typeof code === "string" ? code : undefined,
    stack: e.stack,
  };
}

/** Reads an environment variable if the program may; undefined otherwise. */
export function envIfAllowed(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
