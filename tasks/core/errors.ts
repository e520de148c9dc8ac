/**
 * The two kinds of failure the CLIs tell apart.
 *
 * - {@link UsageError}: bad flag, unknown paper/experiment/config key, wrong value type or range,
 *   bad seed or shard. The CLI prints its one-line message and exits with code 2, having written
 *   nothing.
 * - {@link Fault}: a runtime fault (missing or corrupt file, read-only or full folder, a folder
 *   held by another live run, a missing permission). The CLI prints `error: <what> (<path>)` and
 *   a `hint:` line and exits with code 1; the stack only with `--verbose` or `DEBUG=1`.
 * @module
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A runtime fault about one file or folder, with the fix in words. */
export class Fault extends Error {
  override name = "Fault";
  constructor(
    /** What went wrong, without the path. */
    readonly what: string,
    /** The file or folder concerned, or null. */
    readonly path: string | null,
    /** What to do about it. */
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${what} (${path})` : what, options);
  }
}

/** Words for an OS error, naming the path (ENOSPC and EROFS do not name it themselves). */
export function fileFault(action: string, path: string, e: unknown): Fault {
  if (e instanceof Fault) return e;
  const err = e as Error;
  const msg = err?.message ?? String(e);
  const code = (err as { code?: string })?.code ?? "";
  let hint = "check the path and try again";
  if (code === "ENOSPC" || /No space left/i.test(msg)) {
    hint = "free space on that disk, or pass another --out";
  } else if (code === "EROFS" || /Read-only file system/i.test(msg)) {
    hint = "that folder is read-only; pass a writable --out";
  } else if (err instanceof Deno.errors.PermissionDenied || /Permission denied/i.test(msg)) {
    hint = "no permission there; pass a writable --out, or fix the folder's owner/mode";
  } else if (err?.name === "NotCapable" || /Requires \w+ access/.test(msg)) {
    hint = permissionHint(msg);
  } else if (err instanceof Deno.errors.NotFound) hint = "the file or folder does not exist";
  const first = msg.split("\n")[0]!.replace(
    /,? ?(open|write|rename|readfile|mkdir|remove|stat) '[^']*'/,
    "",
  );
  return new Fault(`cannot ${action}: ${first}`, path, hint, { cause: e });
}

/** The deno flag a `NotCapable` message asks for, as a hint. */
export function permissionHint(message: string): string {
  const m = message.match(/Requires (\w+) access(?: to "?([^",]+)"?)?/);
  if (!m) return "run with the permission it names (see deno.json's tasks)";
  const flag = `--allow-${m[1]}${m[2] ? `=${m[2]}` : ""}`;
  return `the task lacks ${flag}; add it to the deno run command (see deno.json's tasks)`;
}
