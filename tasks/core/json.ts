/**
 * Stable JSON and atomic file writes: sorted keys, 2-space indent, trailing newline; written to a
 * temp file in the same directory and renamed, so a killed process never leaves half a file.
 * Temp files are named `<target>.<pid>.<id>.tmp`, so cleanup can tell a dead writer's from a live
 * one's. OS errors come back as a {@link Fault} naming the path.
 * @module
 */
import { Fault, fileFault } from "./errors.ts";

/** Recursively sort object keys (arrays keep their order). Non-finite numbers become null. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Float32Array || value instanceof Float64Array) return Array.from(value);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** Stable JSON text: sorted keys, 2-space indent, trailing newline. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

/** The temp file name `writeAtomic` uses for `path`. */
export function tempName(path: string): string {
  return `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

/** Write bytes or text to a temp file beside the target, fsync, and return the temp's path. */
export async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  const tmp = tempName(path);
  try {
    await Deno.mkdir(dir, { recursive: true });
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.length) off += await f.write(bytes.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw fileFault("write", path, e);
  }
  return tmp;
}

/** Write bytes or text atomically: temp file beside the target, fsync, then rename. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = await writeTemp(path, data);
  try {
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw fileFault("write", path, e);
  }
}

/** Write a value as stable JSON, atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeAtomic(path, stableJson(value));
}

/** Read JSON, or null when the file does not exist. Corrupt JSON is a {@link Fault}. */
export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw fileFault("read", path, e);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Fault("not valid JSON", path, "delete or replace that file, then rerun");
  }
}

/**
 * Remove `*.<pid>.<id>.tmp` files in a directory (non-recursive): all of them in a folder this
 * process holds the lock of (`owned`; their writers are gone), else only this process's own.
 * Another live run's temps are left alone. Returns how many were removed.
 */
export async function removeStaleTemps(dir: string, owned = false): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = e.name.match(/\.(\d+)\.[0-9a-f]{8}\.tmp$/);
      if (!e.isFile || !m || (!owned && Number(m[1]) !== Deno.pid)) continue;
      await Deno.remove(`${dir}/${e.name}`).catch(() => {});
      n++;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw fileFault("clean up", dir, e);
  }
  return n;
}

/** A short, stable hash (SHA-256, hex, 16 chars) of a value's stable JSON. */
export async function stableHash(value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(stableJson(value)));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}
