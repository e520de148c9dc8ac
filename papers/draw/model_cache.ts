/**
 * The weight cache of trained conv DRAW models: a record per full configuration (model, training,
 * data set, code version), stored as JSON under `~/.cache/papers-repro/draw_models/` or
 * `$PAPERS_REPRO_MODEL_CACHE`, written atomically.
 *
 * @module
 */
import type { ConvDrawConfig } from "./conv_draw.ts";
import type { CurvePoint, TrainConfig } from "./train.ts";

/** Stable short hash (FNV-1a, hex) of a JSON value, for cache keys. */
export function configHash(value: unknown): string {
  const s = JSON.stringify(value);
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/** Where trained weights are cached (`$PAPERS_REPRO_CACHE/../draw_models` or ~/.cache/...). */
export function modelCacheDir(): string {
  const env = (k: string) => {
    try {
      return Deno.env.get(k) || undefined;
    } catch {
      return undefined;
    }
  };
  return env("PAPERS_REPRO_MODEL_CACHE") ??
    `${env("HOME") ?? "/tmp"}/.cache/papers-repro/draw_models`;
}

/** A trained model as cached: weights plus what training produced. */
export interface TrainedRecord {
  key: string;
  modelConfig: ConvDrawConfig;
  trainConfig: TrainConfig;
  dataset: string;
  curve: CurvePoint[];
  trainSeconds: number;
  weights: Record<string, { shape: number[]; data: number[] }>;
}

/** Read a cached trained model, or null. */
export async function readCachedModel(key: string): Promise<TrainedRecord | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${modelCacheDir()}/${key}.json`));
  } catch {
    return null;
  }
}

/** Write a trained model to the cache (atomic rename). */
export async function writeCachedModel(rec: TrainedRecord): Promise<void> {
  const dir = modelCacheDir();
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${rec.key}.json`;
  await Deno.writeTextFile(`${path}.tmp`, JSON.stringify(rec));
  await Deno.rename(`${path}.tmp`, path);
}
