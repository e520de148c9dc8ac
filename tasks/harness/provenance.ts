/**
 * Provenance of a run: commit and dirty flag, runtime and library versions, machine, timing.
 * Written into every result file, never compared.
 * @module
 */
import os from "node:os";
import type { BackendInfo, Provenance } from "../core/experiment.ts";
import { backendVersions } from "../engine/mod.ts";
import { Fault } from "../core/errors.ts";

function git(args: string[]): string | null {
  try {
    const out = new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch (e) {
    if ((e as Error).name === "NotCapable" || e instanceof Deno.errors.PermissionDenied) {
      throw new Fault(
        "missing permission: --allow-run=git (provenance records the commit)",
        null,
        "add --allow-run=git to the deno run command (deno.json's tasks grant it)",
      );
    }
    return null; // no git binary, or not a repository: recorded as "unknown"
  }
}

/** Commit hash and whether tracked sources differ from it (results/ excluded). */
export function gitState(): { commit: string; dirty: boolean } {
  const commit = git(["rev-parse", "HEAD"]) ?? "unknown";
  const status = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":!results"]);
  return { commit, dirty: status === null ? true : status.length > 0 };
}

/**
 * The CPU's model name: `node:os`'s `cpus()` (needs `--allow-sys=cpus`, which deno.json's
 * reproduce and check tasks grant), else /proc/cpuinfo (which Deno opens only under
 * `--allow-all`), else "unknown".
 */
function cpuModel(): string {
  try {
    const model = os.cpus()[0]?.model?.trim();
    if (model) return model;
  } catch { /* no sys permission: try /proc */ }
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
    return m ? m[1]!.trim() : "unknown";
  } catch {
    return "unknown";
  }
}

/** Build the provenance block; `startedAt`/`wallSeconds` describe this run. */
export function provenance(
  backend: BackendInfo,
  startedAt: Date,
  wallSeconds: number,
  command: string,
  git = gitState(),
): Provenance {
  const v = backendVersions(backend.name);
  return {
    commit: git.commit,
    dirty: git.dirty,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    tfjs: v.tfjs,
    backend,
    backendVersion: v.backend,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    cpuModel: cpuModel(),
    startedAt: startedAt.toISOString(),
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    command,
  };
}
