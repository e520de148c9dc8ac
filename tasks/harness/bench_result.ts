/**
 * Result files of benchmarks (`deno task bench <name>`): the measured object plus the run's
 * provenance (commit, dirty flag, runtime versions, wall time, command), written atomically to
 * `results/<name>/bench.<profile>.v<version>.json`. Benchmarks measure; only the harness writes
 * under `results/`.
 * @module
 */
import { version as tfVersion } from "@tensorflow/tfjs";
import { stableJson, writeAtomic } from "../core/json.ts";
import { gitState } from "./provenance.ts";

/** What a benchmark result file records about the run besides its measurements. */
export interface BenchProvenance {
  commit: string;
  dirty: boolean;
  deno: string;
  v8: string;
  tfjs: string;
  startedAt: string;
  wallSeconds: number;
  command: string;
}

/** Where a benchmark's result goes: `<out>/<name>/bench.<profile>.v<version>.json`. */
export function benchResultPath(
  out: string,
  name: string,
  profile: string,
  version: number,
): string {
  return `${out}/${name}/bench.${profile}.v${version}.json`;
}

/** Write `result` with its provenance; returns the path written. */
export async function writeBenchResult(
  out: string,
  name: string,
  profile: string,
  version: number,
  result: Record<string, unknown>,
  run: { startedAt: Date; wallSeconds: number; command: string },
): Promise<string> {
  const provenance: BenchProvenance = {
    ...gitState(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    tfjs: tfVersion.tfjs,
    startedAt: run.startedAt.toISOString(),
    wallSeconds: Math.round(run.wallSeconds * 10) / 10,
    command: run.command,
  };
  const path = benchResultPath(out, name, profile, version);
  await Deno.mkdir(`${out}/${name}`, { recursive: true });
  await writeAtomic(path, stableJson({ ...result, provenance }));
  return path;
}
