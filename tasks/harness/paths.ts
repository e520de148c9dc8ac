/**
 * Where the harness writes: result files, figures, checkpoints and shard outputs.
 * @module
 */
import type { ProfileName } from "../core/experiment.ts";

/** Stem shared by a result file and its figures: `<experiment>.<profile>.v<version>`. */
export function resultStem(experiment: string, profile: ProfileName, version: number): string {
  return `${experiment}.${profile}.v${version}`;
}

/** `<out>/<paper>/<experiment>.<profile>.v<version>.json` */
export function resultPath(
  out: string,
  paper: string,
  experiment: string,
  profile: ProfileName,
  version: number,
): string {
  return `${out}/${paper}/${resultStem(experiment, profile, version)}.json`;
}

/** Figure file: `<out>/<paper>/<experiment>.<profile>.<figure>.<ext>`. */
export function figurePath(
  out: string,
  paper: string,
  experiment: string,
  profile: ProfileName,
  figure: string,
  ext: "svg" | "png",
): string {
  return `${out}/${paper}/${experiment}.${profile}.${figure}.${ext}`;
}

/**
 * Checkpoint directory of an unfinished run (git-ignored), one per shard:
 * `<out>/<paper>/.partial/<stem>[.shard-i-of-n]/`. `tag` names another holder (e.g. `merge`).
 */
export function partialDir(
  out: string,
  paper: string,
  experiment: string,
  profile: ProfileName,
  version: number,
  shard: { index: number; count: number } | string | null = null,
): string {
  const stem = resultStem(experiment, profile, version);
  const tail = shard === null
    ? ""
    : typeof shard === "string"
    ? `.${shard}`
    : shard.count > 1
    ? `.shard-${shard.index}-of-${shard.count}`
    : "";
  return `${out}/${paper}/.partial/${stem}${tail}`;
}

/** Shard output of `--shard i/n`. */
export function shardPath(
  out: string,
  paper: string,
  experiment: string,
  profile: ProfileName,
  version: number,
  index: number,
  count: number,
): string {
  return `${out}/${paper}/shards/${
    resultStem(experiment, profile, version)
  }.shard-${index}-of-${count}.json`;
}

/** A file-name-safe form of a cell id (ids may hold `/`, `=`, `,`). */
export function cellFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._=-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`) + ".json";
}
