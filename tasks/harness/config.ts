/**
 * Config overrides (`--set key=value`), seeds (`--seeds 1,2,3`) and shards (`--shard i/n`), with
 * nanoGPT's two strictness rules: an override must name an existing key and keep its type.
 * @module
 */
import type { Config, ConfigValue, FieldLimit, Limits } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import { DECIMAL, DECIMAL_INTEGER } from "./args.ts";

/** One parsed `--set` entry: optionally scoped to one experiment (`exp.key=value`). */
export interface Override {
  experiment: string | null;
  key: string;
  raw: string;
}

/** Parse `key=value` or `experiment.key=value`. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set expects key=value, got "${text}"`);
  const lhs = text.slice(0, eq), raw = text.slice(eq + 1);
  const dot = lhs.lastIndexOf(".");
  return dot > 0
    ? { experiment: lhs.slice(0, dot), key: lhs.slice(dot + 1), raw }
    : { experiment: null, key: lhs, raw };
}

function parseNumber(raw: string, key: string, integer: boolean): number {
  const v = Number(raw);
  if (!DECIMAL.test(raw) || !Number.isFinite(v)) {
    throw new UsageError(`--set ${key}=${raw}: expected a (decimal) number`);
  }
  if (integer && !Number.isInteger(v)) {
    throw new UsageError(`--set ${key}=${raw}: expected an integer`);
  }
  return v;
}

/** Parse `raw` to the type of `current` (number, boolean, string, number[] or string[]). */
export function coerceValue(key: string, raw: string, current: ConfigValue): ConfigValue {
  if (typeof current === "number") return parseNumber(raw, key, Number.isInteger(current));
  if (typeof current === "boolean") {
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw new UsageError(`--set ${key}=${raw}: expected true or false`);
  }
  if (typeof current === "string") return raw;
  const parts = raw === "" ? [] : raw.split(",");
  if (current.length > 0 && typeof current[0] === "string") return parts;
  const integers = (current as number[]).every((x) => Number.isInteger(x));
  return parts.map((p) => parseNumber(p, key, integers));
}

/**
 * Apply overrides to each experiment's profile config. An unscoped key applies to every selected
 * experiment that has it and must exist in at least one; a scoped key must exist in that one.
 * Returns new frozen configs; inputs are not modified.
 */
export function applyOverrides(
  configs: Map<string, Config>,
  overrides: readonly Override[],
): Map<string, Config> {
  const out = new Map([...configs].map(([id, c]) => [id, { ...c }] as [string, Config]));
  const given = new Set<string>();
  for (const o of overrides) {
    const name = `${o.experiment ? `${o.experiment}.` : ""}${o.key}`;
    if (given.has(name)) throw new UsageError(`--set ${name} given more than once; give it once`);
    given.add(name);
    if (o.experiment !== null && !out.has(o.experiment)) {
      throw new UsageError(
        `--set ${o.experiment}.${o.key}: unknown experiment "${o.experiment}"; selected: ${
          [...out.keys()].join(", ")
        }`,
      );
    }
    const targets = o.experiment !== null ? [o.experiment] : [...out.keys()];
    let hit = 0;
    for (const id of targets) {
      const cfg = out.get(id)!;
      if (!(o.key in cfg)) continue;
      cfg[o.key] = coerceValue(o.key, o.raw, cfg[o.key]!);
      hit++;
    }
    if (hit === 0) {
      const keys = [...new Set(targets.flatMap((id) => Object.keys(out.get(id)!)))].sort();
      throw new UsageError(
        `Cannot override config key "${o.key}": unknown key; valid keys: ${keys.join(", ")}`,
      );
    }
  }
  for (const [id, c] of out) out.set(id, Object.freeze(c));
  return out;
}

/** Parse `--seeds 1,2,3`: positive integers only (0 means "unseeded" in TF.js, so it is refused). */
export function parseSeeds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const seeds = parts.map(Number);
  if (
    parts.some((p) => !DECIMAL_INTEGER.test(p)) ||
    seeds.some((s) => !Number.isSafeInteger(s) || s <= 0)
  ) {
    throw new UsageError(`--seeds ${text}: seeds must be positive integers, e.g. --seeds 1,2,3`);
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new UsageError(`--seeds ${text}: seeds must be distinct`);
  }
  return seeds;
}

/** A shard `i/n`: this run does the cells whose index ≡ i−1 (mod n). 1-based i. */
export interface Shard {
  index: number;
  count: number;
}

/** Parse `--shard i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard {
  const m = text.match(/^(\d{1,6})\/(\d{1,6})$/);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${text}: expected i/n with 1 ≤ i ≤ n, e.g. --shard 2/8`);
  }
  return { index, count };
}

/** The cells of shard i/n: a deterministic round-robin slice of the planned cell list. */
export function shardCells<T>(cells: readonly T[], shard: Shard | null): T[] {
  if (!shard || shard.count === 1) return [...cells];
  return cells.filter((_, k) => k % shard.count === shard.index - 1);
}

/** The limit in words, e.g. "an integer in [2, 100000]". */
export function describeLimit(l: FieldLimit): string {
  const parts: string[] = [];
  if (l.oneOf) parts.push(`one of ${l.oneOf.join(", ")}`);
  const kind = l.integer ? "an integer" : "a number";
  if (l.min !== undefined && l.max !== undefined) parts.push(`${kind} in [${l.min}, ${l.max}]`);
  else if (l.min !== undefined) parts.push(`${kind} ≥ ${l.min}`);
  else if (l.max !== undefined) parts.push(`${kind} ≤ ${l.max}`);
  else if (l.integer) parts.push("an integer");
  if (l.nonEmpty) parts.push("a non-empty list");
  if (l.maxItems !== undefined) parts.push(`at most ${l.maxItems} items`);
  if (l.distinct) parts.push("distinct");
  return parts.join(", ");
}

function scalarProblem(v: ConfigValue, l: FieldLimit): string | null {
  if (l.oneOf && !l.oneOf.includes(v as string | number | boolean)) return `"${v}" is not allowed`;
  if (typeof v !== "number") return null;
  if (!Number.isFinite(v)) return `${v} is not finite`;
  if (l.integer && !Number.isInteger(v)) return `${v} is not an integer`;
  if (l.min !== undefined && v < l.min) return `${v} is below ${l.min}`;
  if (l.max !== undefined && v > l.max) return `${v} is above ${l.max}`;
  return null;
}

/** Why `value` breaks `limit`, or null. */
export function limitProblem(value: ConfigValue, limit: FieldLimit): string | null {
  if (!Array.isArray(value)) return scalarProblem(value, limit);
  if (limit.nonEmpty && value.length === 0) return "the list is empty";
  if (limit.maxItems !== undefined && value.length > limit.maxItems) {
    return `the list has ${value.length} items`;
  }
  if (limit.distinct && new Set<unknown>(value).size !== value.length) return "items repeat";
  for (const v of value) {
    const p = scalarProblem(v, limit);
    if (p) return p;
  }
  return null;
}

/**
 * Check a resolved config against an experiment's limits; throws a one-line {@link UsageError}
 * naming the `--set` that broke it (or the profile value, when no `--set` touched the key).
 */
export function checkLimits(
  experiment: string,
  config: Config,
  limits: Limits | undefined,
  overrides: readonly Override[] = [],
): void {
  if (!limits) return;
  for (const [key, value] of Object.entries(config)) {
    const limit = limits[key];
    if (!limit) continue;
    const problem = limitProblem(value, limit);
    if (problem === null) continue;
    const o = [...overrides].reverse().find((o) =>
      o.key === key && (o.experiment === null || o.experiment === experiment)
    );
    const where = o
      ? `--set ${o.experiment ? `${o.experiment}.` : ""}${key}=${o.raw}`
      : `${experiment}: config ${key}`;
    throw new UsageError(`${where}: ${problem}; ${key} must be ${describeLimit(limit)}`);
  }
}
