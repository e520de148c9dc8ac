/**
 * One model of the ELBO table, end to end: build it, train it for the budget on one core,
 * evaluate it (validation and test bounds, an importance-sampled −log p(x) on a test subset).
 * Runs in a Web Worker (`elbo_table_worker.ts`), so the table trains two models at once on two
 * cores, each with its own TF.js backend.
 *
 * @module
 */
import { type BudgetTrainConfig, type BudgetTrainRecord, trainForBudget } from "./budget_train.ts";
import { loadTableSplits, type TableDataset } from "./elbo_table_data.ts";
import { buildTableModel, type TableModelSpec } from "./elbo_table_models.ts";
import { evaluateBound, evaluateNelbo, type ImageMean, type NelboResult } from "./latent_eval.ts";

/** What to do for one model. */
export interface TableJob {
  spec: TableModelSpec;
  dataset: TableDataset;
  train: BudgetTrainConfig;
  /** Importance samples of the model's own bound (1 for the ELBO; the IWAE's k). */
  boundK: number;
  validImages: number;
  testImages: number;
  /** Test images and samples per image of the importance-sampled −log p(x). */
  isImages: number;
  isSamples: number;
  /** Positive seed of the evaluation noise. */
  evalSeed: number;
}

/** What a job returns (JSON). */
export type TableJobResult = {
  model: TableModelSpec["model"];
  params: number;
  steps: number;
  /** Budget seconds spent training and what they count (see `budget_train.ts`). */
  trainSeconds: number;
  trainClock: BudgetTrainRecord["clock"];
  trainWallSeconds: number;
  curve: BudgetTrainRecord["curve"];
  /** The model's own bound (k = `boundK`) on the validation images. */
  valid: ImageMean;
  /** The single-sample negative ELBO on the test images. */
  testNelbo: NelboResult;
  /** The model's own bound on the test images (equal to `testNelbo` when `boundK` = 1). */
  testBound: ImageMean;
  /** k = `isSamples` importance-sampled −log p(x) on the first `isImages` test images. */
  testIsNll: ImageMean;
  /** The single-sample negative ELBO on those same images (its gap to `testIsNll`). */
  testIsSubsetNelbo: ImageMean;
  evalSeconds: number;
  protocol: string;
};

/** Run one job in this thread. */
export async function runTableJob(
  job: TableJob,
  onStep: (step: number, loss: number, seconds: number) => void = () => {},
): Promise<TableJobResult> {
  const data = await loadTableSplits(job.dataset);
  const model = buildTableModel(job.spec);
  try {
    const record = trainForBudget(model, data.train, data.binarizeTrain, job.train, onStep);
    const t0 = performance.now();
    const s = job.evalSeed;
    const bound = (set: typeof data.test, limit: number, seed: number) =>
      job.boundK === 1
        ? evaluateNelbo(model, set, limit, seed)
        : evaluateBound(model, set, limit, job.boundK, seed);
    const testNelbo = evaluateNelbo(model, data.test, job.testImages, s);
    const result: TableJobResult = {
      model: job.spec.model,
      params: model.paramCount(),
      steps: record.steps,
      trainSeconds: record.seconds,
      trainClock: record.clock,
      trainWallSeconds: record.wallSeconds,
      curve: record.curve,
      valid: strip(bound(data.valid, job.validImages, s + 100_000)),
      testNelbo,
      testBound: job.boundK === 1
        ? strip(testNelbo)
        : strip(bound(data.test, job.testImages, s + 200_000)),
      testIsNll: evaluateBound(model, data.test, job.isImages, job.isSamples, s + 300_000),
      testIsSubsetNelbo: strip(evaluateNelbo(model, data.test, job.isImages, s + 400_000)),
      evalSeconds: 0,
      protocol: data.protocol,
    };
    result.evalSeconds = (performance.now() - t0) / 1000;
    return result;
  } finally {
    model.dispose();
  }
}

/** Only the {@link ImageMean} fields of a result. */
function strip({ images, mean, stdErr }: ImageMean): ImageMean {
  return { images, mean, stdErr };
}
