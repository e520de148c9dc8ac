/**
 * The permissions a command needs, checked before any work: a task run with narrower flags than
 * it needs stops with one line naming the missing flag, instead of silently recording
 * `commit: "unknown"` (no `--allow-run=git`) or ignoring `$PAPERS_REPRO_DATA` (no `--allow-env`).
 * deno.json's tasks grant exactly these.
 * @module
 */
import { Fault } from "../core/errors.ts";

/** Environment variables the harness, the data loaders and the DRAW weight cache read. */
export const ENV_VARS = [
  "PAPERS_REPRO_DATA",
  "PAPERS_REPRO_CACHE",
  "PAPERS_REPRO_MODEL_CACHE",
  "HOME",
  "XDG_RUNTIME_DIR",
  "DEBUG",
] as const;

/** One needed permission. */
export type Need = Deno.PermissionDescriptor;

/** The flag that grants a descriptor, e.g. `--allow-write=results`. */
export function flagFor(d: Need): string {
  switch (d.name) {
    case "read":
    case "write":
      return `--allow-${d.name}${d.path ? `=${d.path}` : ""}`;
    case "env":
      return `--allow-env${d.variable ? `=${d.variable}` : ""}`;
    case "run":
      return `--allow-run${d.command ? `=${d.command}` : ""}`;
    case "net":
      return `--allow-net${d.host ? `=${d.host}` : ""}`;
    case "sys":
      return `--allow-sys${d.kind ? `=${d.kind}` : ""}`;
    default:
      return `--allow-${d.name}`;
  }
}

/** Throw a {@link Fault} naming every needed permission that is not granted. */
export function requirePermissions(needs: readonly Need[], what: string, hint?: string): void {
  const missing = needs.filter((d) => Deno.permissions.querySync(d).state !== "granted");
  if (missing.length === 0) return;
  const flags = missing.map(flagFor);
  throw new Fault(
    `missing permission for ${what}: ${flags.join(" ")}`,
    null,
    hint ??
      `add ${flags.join(" ")} to the deno run command (deno.json's tasks grant what each needs)`,
  );
}

/** The hint when `--out` lies outside what `deno task` may write. */
export function outsideOutHint(out: string): string {
  return `deno task writes only under results/ (and ~/.cache/papers-repro): use --out results/<name>, ` +
    `or run deno run with --allow-write=${out} added (see deno.json)`;
}

/** What `reproduce` needs: read the repo and data, write `out`, run git, read the env vars. */
export function reproduceNeeds(out: string): Need[] {
  return [
    { name: "read" },
    { name: "write", path: out },
    { name: "run", command: "git" },
    ...ENV_VARS.map((variable) => ({ name: "env", variable }) as Need),
  ];
}
