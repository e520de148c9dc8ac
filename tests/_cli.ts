/** Helpers for running the project's CLIs as child processes in tests. */

const ROOT = new URL("../", import.meta.url).pathname;

/** Result of a child run. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `deno run -A <script> ...args` from the project root. */
export function runDeno(script: string, args: string[]): Promise<ChildResult> {
  return runDenoArgs(["run", "-A", script, ...args]);
}

/** Run `deno <args...>` (e.g. `task reproduce ...`) from the project root. */
export async function runDenoArgs(args: string[]): Promise<ChildResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every file under a directory (relative paths), or [] when it does not exist. */
export function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory) walk(`${d}/${e.name}`, `${rel}${e.name}/`);
      else found.push(`${rel}${e.name}`);
    }
  };
  walk(dir, "");
  return found.sort();
}

export { ROOT };

/** Start `deno run -A <script> ...args` from the project root as a child process (piped). */
export function spawnDeno(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Wait for a child and decode its output. */
export async function collect(child: Deno.ChildProcess): Promise<ChildResult> {
  const o = await child.output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

/** Poll `pred` every 20 ms until it holds, or throw after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
