/**
 * The hash of the source files an experiment runs, so that a committed result whose code has
 * changed since it was written shows as *stale*.
 *
 * The files are the experiment module `papers/<paper>/experiments/<id>.ts` and everything it
 * reaches through relative imports (`import`/`export … from`, `import("…")`, JSON imports, and
 * `new URL("…", import.meta.url)` such as Web Worker scripts): its paper's modules, the
 * datasets it reads (whose modules pin the data files' sha256) and core; plus the engine
 * (`tasks/engine/mod.ts` and what it reaches), which the runner installs for every run. npm
 * packages are pinned by `deno.lock` and recorded in provenance, so they are not hashed.
 * @module
 */
import type { CodeHash, ResultFile } from "../core/experiment.ts";

/** The repository root (two folders above this file). */
export const REPO_ROOT = new URL("../../", import.meta.url).pathname;

// Static imports and re-exports, side-effect imports, dynamic imports with a literal, and
// `new URL("…", import.meta.url)`.
const IMPORT =
  /^(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/gms;

/** Relative specifiers in a source text (comment lines skipped). */
export function relativeImports(text: string): string[] {
  const code = text.split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    // Files only (`new URL("..", import.meta.url)` names a folder, not a source).
    if (spec && spec.startsWith(".") && /\.[A-Za-z0-9]+$/.test(spec)) out.push(spec);
  }
  return out;
}

function resolve(fromRel: string, spec: string): string {
  const parts = fromRel.split("/").slice(0, -1);
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

/** Repo-relative paths of the entries and every local file they reach, sorted. */
export async function sourceClosure(
  entries: string | readonly string[],
  root = REPO_ROOT,
): Promise<string[]> {
  const seen = new Set<string>();
  const queue = typeof entries === "string" ? [entries] : [...entries];
  const entry = queue.join(", ");
  while (queue.length) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(`${root}${rel}`);
    } catch {
      throw new Error(`code hash: ${rel} (imported in the graph of ${entry}) cannot be read`);
    }
    seen.add(rel);
    if (!/\.(ts|js|mjs)$/.test(rel)) continue;
    for (const spec of relativeImports(text)) queue.push(resolve(rel, spec));
  }
  return [...seen].sort();
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hash of the given repo-relative files (each file's sha256, then one over the list). */
export async function hashFiles(paths: readonly string[], root = REPO_ROOT): Promise<CodeHash> {
  const files: Record<string, string> = {};
  for (const p of [...paths].sort()) {
    files[p] = (await sha256Hex(await Deno.readFile(`${root}${p}`))).slice(0, 16);
  }
  const list = Object.entries(files).map(([p, h]) => `${h}  ${p}`).join("\n");
  return { hash: (await sha256Hex(list)).slice(0, 16), files };
}

/** The module file of an experiment, by the layout ARCHITECTURE.md fixes. */
export function experimentEntry(paper: string, experiment: string): string {
  return `papers/${paper}/experiments/${experiment}.ts`;
}

/**
 * The engine the runner installs before any experiment runs (kernels, gradients, backend
 * choice): part of every experiment's code even when the experiment imports TF.js directly.
 */
export const ENGINE_ENTRY = "tasks/engine/mod.ts";

/** The code hash of an experiment now, or null when it has no module in this repo (fixtures). */
export async function experimentCodeHash(
  paper: string,
  experiment: string,
  root = REPO_ROOT,
): Promise<CodeHash | null> {
  const entry = experimentEntry(paper, experiment);
  try {
    await Deno.stat(`${root}${entry}`);
  } catch {
    return null;
  }
  let engine: string[] = [];
  try {
    await Deno.stat(`${root}${ENGINE_ENTRY}`);
    engine = [ENGINE_ENTRY];
  } catch { /* a tree without the engine (tests) */ }
  return hashFiles(await sourceClosure([entry, ...engine], root), root);
}

/** Whether a result was written by the current code, and if not, what changed. */
export interface Staleness {
  stale: boolean;
  /** One line for reports; null when fresh. */
  reason: string | null;
  /** Files added, removed or changed since the result (empty when it records no hash). */
  changed: string[];
}

/** Compare a result's recorded code hash with the current one. */
export function staleness(result: ResultFile, current: CodeHash | null): Staleness {
  if (current === null) return { stale: false, reason: null, changed: [] };
  const rec = result.code;
  if (!rec) {
    return {
      stale: true,
      reason: "stale: the result records no code hash (written before code hashes)",
      changed: [],
    };
  }
  if (rec.hash === current.hash) return { stale: false, reason: null, changed: [] };
  const paths = new Set([...Object.keys(rec.files), ...Object.keys(current.files)]);
  const changed = [...paths].filter((p) => rec.files[p] !== current.files[p]).sort();
  const shown = changed.slice(0, 5).join(", ") +
    (changed.length > 5 ? `, … (${changed.length})` : "");
  return { stale: true, reason: `stale: code changed since this result (${shown})`, changed };
}
