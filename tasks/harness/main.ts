/**
 * The one top-level handler of the CLIs. A {@link UsageError} is one `error:` line and exit 2; a
 * {@link Fault} or any other runtime error is `error: <what> (<path>)` plus a `hint:` line and
 * exit 1, with the stack only under `--verbose` or `DEBUG=1`. A missing Deno permission names
 * the flag to add. A private `XDG_RUNTIME_DIR` (wgpu wants one) is created and removed here, so
 * runs leave no `xdg-*` folders behind.
 * @module
 */
import { Fault, permissionHint, UsageError } from "../core/errors.ts";

/** Whether stacks are shown: `--verbose` among the args, or `DEBUG=1`. */
export function verboseWanted(args: readonly string[]): boolean {
  if (args.includes("--verbose")) return true;
  try {
    return (Deno.env.get("DEBUG") ?? "") !== "" && Deno.env.get("DEBUG") !== "0";
  } catch {
    return false;
  }
}

/** Data-set errors name the bad file; the hint names the folder that holds it. */
function dataHint(message: string): string | null {
  const m = message.match(/file (\S+) is corrupt/);
  if (!m) return null;
  const dir = m[1]!.slice(0, m[1]!.lastIndexOf("/"));
  return `the corrupt file is in ${dir}: delete or replace it there (deno task data fetches into ` +
    `the cache, which is searched only when that folder lacks the file)`;
}

/** The lines printed for an error (without the stack). */
export function describeError(e: unknown): { lines: string[]; code: number } {
  if (e instanceof UsageError) return { lines: [`error: ${e.message}`], code: 2 };
  if (e instanceof Fault) return { lines: [`error: ${e.message}`, `hint: ${e.hint}`], code: 1 };
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split("\n")[0]!;
  if (
    err.name === "NotCapable" ||
    err instanceof Deno.errors.PermissionDenied && /Requires/.test(first)
  ) {
    return {
      lines: [`error: missing permission: ${first}`, `hint: ${permissionHint(first)}`],
      code: 1,
    };
  }
  const hint = dataHint(first) ?? "rerun with --verbose (or DEBUG=1) for the stack";
  return { lines: [`error: ${first}`, `hint: ${hint}`], code: 1 };
}

function privateXdgDir(): string | null {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return null;
    let dir: string;
    try {
      dir = Deno.makeTempDirSync({ prefix: "xdg-" });
    } catch { // --allow-write does not cover the temp directory: use the cache folder
      const base = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/papers-repro`;
      Deno.mkdirSync(base, { recursive: true });
      dir = Deno.makeTempDirSync({ dir: base, prefix: "xdg-" });
    }
    Deno.chmodSync(dir, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", dir);
    return dir;
  } catch {
    return null; // no env/write permission: wgpu's warning is harmless
  }
}

/** Run a CLI body under the handler; returns the exit code. */
export async function runMain(
  args: string[],
  body: (args: string[]) => Promise<number> | number,
): Promise<number> {
  const verbose = verboseWanted(args);
  const xdg = privateXdgDir();
  try {
    return await body(args);
  } catch (e) {
    const { lines, code } = describeError(e);
    for (const l of lines) console.error(l);
    if (verbose && code !== 2) console.error((e as Error)?.stack ?? String(e));
    return code;
  } finally {
    if (xdg) {
      try {
        Deno.removeSync(xdg, { recursive: true });
        Deno.env.delete("XDG_RUNTIME_DIR");
      } catch { /* gone already */ }
    }
  }
}
