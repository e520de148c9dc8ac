/**
 * Worker entry of {@link runCurriculumJobs}: sets up its own TF.js backend, builds the job's
 * model and trains it under the curriculum for the job's budget.
 * @module
 */
import { setupBackend } from "../../tasks/engine/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";
import { createModel } from "./models.ts";
import { trainCurriculum } from "./curriculum_train.ts";
import type { CurriculumJob, FromCurriculumWorker } from "./curriculum_workers.ts";

// Deno types a worker's `self` as the main thread's Window
const scope = self as unknown as Worker;

scope.onmessage = async (e: MessageEvent<CurriculumJob>) => {
  const job = e.data;
  const reply = (m: FromCurriculumWorker) => scope.postMessage(m);
  try {
    await setupBackend(job.backend as "wasm" | "cpu" | "webgpu");
    const t0 = performance.now();
    const model = await createModel(job.model, job.sizes, new Rng(job.seed));
    const buildMs = performance.now() - t0;
    let last = 0;
    try {
      const run = trainCurriculum(model, new Rng(job.dataSeed), {
        ...job.train,
        onEpisode: (i, _level, bits, h) => {
          const now = performance.now();
          if (now - last > 500) last = now, reply({ kind: "progress", episode: i + 1, h, bits });
        },
      });
      reply({ kind: "done", run, buildMs });
    } finally {
      model.dispose();
    }
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
