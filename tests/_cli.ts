/** Helpers for running the project's CLIs as child processes in tests. */

const ROOT = new URL("../", import.meta.url).pathname;

/** Result of a child run. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `deno run -A <script> ...args` from the project root. */
export async function runDeno(script: string, args: string[]): Promise<ChildResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
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
