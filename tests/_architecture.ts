/**
 * The floors of ARCHITECTURE.md as code: which folder may import which. Used by
 * `architecture_test.ts`; every rule has a name that the failure message quotes.
 * @module
 */
import { dirname, join, normalize, relative } from "node:path";
import { relativeImports } from "../tasks/harness/code_hash.ts";

/** A source file: repo-relative path and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Relative `.ts` specifiers a file imports, in order (the reader the code hash uses). */
export function importsOf(text: string): string[] {
  return relativeImports(text).filter((spec) => spec.endsWith(".ts"));
}

/** True for files the rules do not cover: tests and their helpers. */
export function isTestFile(path: string): boolean {
  return path.startsWith("tests/") || /_test\.ts$|_test_util\.ts$/.test(path);
}

/** Every non-test `.ts` file git knows of (tracked or new, not ignored). */
export async function sourceFiles(): Promise<SourceFile[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.ts"],
    stdout: "piped",
  }).output();
  const paths = new TextDecoder().decode(out.stdout).split("\n").filter((p) => p && !isTestFile(p));
  const files: SourceFile[] = [];
  for (const path of paths) {
    try {
      files.push({ path, text: await Deno.readTextFile(path) });
    } catch { /* deleted in the working tree */ }
  }
  return files;
}

type Floor = "root" | "entry" | "core" | "engine" | "harness" | "datasets" | "paper" | "other";

function floorOf(path: string): Floor {
  if (path === "mod.ts") return "root";
  if (/^tasks\/[^/]+\.ts$/.test(path)) return "entry";
  if (path.startsWith("tasks/core/")) return "core";
  if (path.startsWith("tasks/engine/")) return "engine";
  if (path.startsWith("tasks/harness/")) return "harness";
  if (path.startsWith("datasets/")) return "datasets";
  if (path.startsWith("papers/")) return "paper";
  return "other";
}

const paperOf = (path: string) => path.split("/")[1];
const isEngineMod = (p: string) => p === "tasks/engine/mod.ts";
/** The engine bench: measures only, so entry points reach it apart from mod.ts (not hashed). */
const isEngineBench = (p: string) => p === "tasks/engine/bench.ts";
const isDatasetMod = (p: string) => /^datasets\/([^/]+\/)?mod\.ts$/.test(p);
const isPaperMod = (p: string) => /^papers\/[^/]+\/mod\.ts$/.test(p);

/** The rule an import breaks, or null. `from` and `to` are repo-relative paths. */
export function brokenRule(from: string, to: string): string | null {
  const base = to.split("/").pop() ?? "";
  const own = dirname(to), here = dirname(from);
  if (base.startsWith("_") && here !== own && !here.startsWith(`${own}/`)) {
    return `a private file (_*.ts) is imported only from its own folder`;
  }
  const f = floorOf(from), t = floorOf(to);
  switch (f) {
    case "core":
      return t === "core" ? null : "the ground floor imports only tasks/core";
    case "engine":
      return t === "core" || t === "engine" ? null : "the engine imports only tasks/core";
    case "harness":
      if (t === "paper") return "the harness never imports a paper";
      if (t === "engine" && !isEngineMod(to)) return "the harness uses the engine's public mod.ts";
      return t === "core" || t === "harness" || t === "engine"
        ? null
        : "the harness imports only tasks/core, the engine's mod.ts and tasks/harness";
    case "datasets":
      return t === "core" || t === "datasets"
        ? null
        : "datasets import only tasks/core and datasets";
    case "paper":
      if (t === "paper") {
        return paperOf(to) === paperOf(from) ? null : "a paper never imports another paper";
      }
      if (t === "engine") return isEngineMod(to) ? null : "papers use the engine's public mod.ts";
      if (t === "datasets") {
        return isDatasetMod(to) ? null : "papers use datasets/mod.ts or datasets/<name>/mod.ts";
      }
      return t === "core"
        ? null
        : "papers import tasks/core, the engine's public mod.ts and datasets' mod.ts only";
    case "entry":
      if (t === "paper") {
        return isPaperMod(to)
          ? null
          : "entry points import a paper only through papers/<id>/mod.ts";
      }
      if (t === "engine" && !isEngineMod(to) && !isEngineBench(to)) {
        return "entry points use the engine's public mod.ts (or its bench, tasks/engine/bench.ts)";
      }
      if (t === "datasets" && !isDatasetMod(to)) return "entry points use datasets/mod.ts";
      return null;
    case "root":
      if (t === "paper" && !isPaperMod(to)) return "mod.ts imports papers through their mod.ts";
      if (t === "engine" && !isEngineMod(to)) return "mod.ts uses the engine's public mod.ts";
      return null;
    default:
      return null;
  }
}

/** One line per broken import: `<file>: imports <target> (<rule>)`. */
export function architectureViolations(files: readonly SourceFile[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    for (const spec of importsOf(file.text)) {
      const to = relative(".", normalize(join(dirname(file.path), spec)));
      const rule = brokenRule(file.path, to);
      if (rule) out.push(`${file.path}: imports ${to} (${rule})`);
    }
  }
  return Promise.resolve(out);
}
