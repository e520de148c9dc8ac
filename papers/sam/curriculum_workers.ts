/**
 * Curriculum runs in Web Workers, one run per worker, each on its own TF.js backend (wasm runs
 * one thread per instance): the replicas of a Figure 3 cell train side by side, one core each,
 * under the same wall-clock budget.
 * @module
 */
import type { ModelName } from "./model.ts";
import type { ModelSizes } from "./models.ts";
import type { CurriculumRun, CurriculumTrainOptions } from "./curriculum_train.ts";

/** One run: a model built from `seed`, trained on data from `dataSeed`. */
export interface CurriculumJob {
  model: ModelName;
  sizes: ModelSizes;
  seed: number;
  dataSeed: number;
  backend: string;
  train: Omit<CurriculumTrainOptions, "onEpisode">;
}

/** Messages from a worker (`_curriculum_worker.ts`). */
export type FromCurriculumWorker =
  | { kind: "progress"; episode: number; h: number; bits: number }
  | { kind: "done"; run: CurriculumRun; buildMs: number }
  | { kind: "error"; message: string };

/**
 * Run every job in its own worker, all at once; resolves with the runs in job order, or rejects
 * (every worker stopped) on the first failure. `onProgress` hears each worker's minibatches.
 */
export async function runCurriculumJobs(
  jobs: readonly CurriculumJob[],
  onProgress?: (job: number, episode: number, h: number, bits: number) => void,
): Promise<{ run: CurriculumRun; buildMs: number }[]> {
  const workers = jobs.map(() =>
    new Worker(new URL("./_curriculum_worker.ts", import.meta.url), { type: "module" })
  );
  try {
    return await Promise.all(
      jobs.map((job, j) =>
        new Promise<{ run: CurriculumRun; buildMs: number }>((resolve, reject) => {
          const w = workers[j]!;
          w.onmessage = (e: MessageEvent<FromCurriculumWorker>) => {
            const m = e.data;
            if (m.kind === "progress") onProgress?.(j, m.episode, m.h, m.bits);
            else if (m.kind === "done") resolve({ run: m.run, buildMs: m.buildMs });
            else {reject(
                new Error(`sam curriculum worker (${job.model}, seed ${job.seed}): ${m.message}`),
              );}
          };
          w.onerror = (e: ErrorEvent) => {
            e.preventDefault();
            reject(
              new Error(
                `sam curriculum worker (${job.model}, seed ${job.seed}) crashed: ${e.message}`,
              ),
            );
          };
          w.postMessage(job);
        })
      ),
    );
  } finally {
    for (const w of workers) w.terminate();
  }
}
