/**
 * Publish a run's files as one step: every file is first written whole into a staging folder
 * (inside the run's locked checkpoint folder), then all are renamed into place in order — the
 * result file last, so a result file never points at figures that are not there yet. A kill
 * while staging leaves only temp files inside `.partial/`, which the next run removes.
 * @module
 */
import { fileFault } from "../core/errors.ts";
import { stableJson, writeAtomic } from "../core/json.ts";

/** One file to publish: bytes, text, or a value written as stable JSON. */
export interface Staged {
  path: string;
  data: string | Uint8Array | object;
}

/** Stage all files under `<staging>/publish/`, then rename each to its path, in order. */
export async function publishFiles(staging: string, files: readonly Staged[]): Promise<void> {
  const dir = `${staging}/publish`;
  const moves: [string, string][] = [];
  for (const [k, f] of files.entries()) {
    const name = `${dir}/${k}-${f.path.slice(f.path.lastIndexOf("/") + 1)}`;
    const data = typeof f.data === "string" || f.data instanceof Uint8Array
      ? f.data
      : stableJson(f.data);
    await writeAtomic(name, data);
    moves.push([name, f.path]);
  }
  for (const [from, to] of moves) {
    const parent = to.slice(0, to.lastIndexOf("/"));
    try {
      await Deno.mkdir(parent, { recursive: true });
      await Deno.rename(from, to);
    } catch (e) {
      throw fileFault("write", to, e);
    }
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
