/**
 * The weight cache of trained conv DRAW models: a record per full configuration (model, training,
 * data set, code version; keyed by the harness's `stableHash`), stored as JSON under `~/.cache/papers-repro/draw_models/` or
 * `$PAPERS_REPRO_MODEL_CACHE`, written atomically.
 *
 * @module
 */
import { writeAtomic } from "../../tasks/core/json.ts";
import type { ConvDrawConfig } from "./conv_draw.ts";
import type { CurvePoint, TrainConfig } from "./train.ts";

/** Where trained weights are cached (`$PAPERS_REPRO_MODEL_CACHE` or `~/.cache/papers-repro/draw_models`). */
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

/** Write a trained model to the cache (atomically: temp file, fsync, rename). */
export function writeCachedModel(rec: TrainedRecord): Promise<void> {
  return writeAtomic(`${modelCacheDir()}/${rec.key}.json`, JSON.stringify(rec));
}
