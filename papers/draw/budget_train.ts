/**
 * Training at equal compute: Adam on any {@link LatentModel} for a fixed budget of this thread's
 * CPU seconds (one core on a CPU backend; the TF.js wasm backend computes in the calling thread),
 * the learning rate decayed linearly from `lr` to `lrFinal` over the budget's elapsed fraction,
 * global-norm gradient clipping, seeded minibatches (dynamic binarization when asked). The ELBO
 * table trains every model this way, so "equal compute" means equal CPU seconds of one thread on
 * the same machine, whatever else the machine runs. Where the runtime cannot tell a thread's CPU
 * time (`threadCpuMs` is NaN) the budget is wall-clock seconds, and the record says so.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSet } from "../../datasets/binarized_mnist/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";
import { threadCpuMs } from "../../tasks/core/thread_cpu.ts";
import type { LatentModel } from "./latent_model.ts";
import { batchPixels } from "./train.ts";

/** Settings of {@link trainForBudget}. */
export interface BudgetTrainConfig {
  /** Seconds of training (the budget): this thread's CPU seconds, else wall clock. */
  seconds: number;
  batch: number;
  /** Adam learning rate at the start, decayed linearly (in elapsed time) to `lrFinal`. */
  lr: number;
  lrFinal: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Positive seed of batches, binarization and noise. */
  seed: number;
}

/** What a budgeted training did. */
export interface BudgetTrainRecord {
  steps: number;
  /** What `seconds` counts: this thread's CPU time, or wall time where that is unreadable. */
  clock: "thread-cpu" | "wall";
  /** Budget seconds actually spent (≥ the budget by at most one step). */
  seconds: number;
  /** Wall-clock seconds of the training. */
  wallSeconds: number;
  /** Mean minibatch loss per `curveEvery` steps (nats/image). */
  curve: { step: number; seconds: number; loss: number }[];
}

/**
 * Train `model` in place until `cfg.seconds` have passed.
 * @param onStep called after each step (progress)
 */
export function trainForBudget(
  model: LatentModel,
  data: ImageSet,
  binarize: boolean,
  cfg: BudgetTrainConfig,
  onStep: (step: number, loss: number, seconds: number) => void = () => {},
  curveEvery = 25,
): BudgetTrainRecord {
  const rng = new Rng(cfg.seed);
  const opt: tf.Optimizer = tf.train.adam(cfg.lr);
  const curve: BudgetTrainRecord["curve"] = [];
  const t0 = performance.now(), cpu0 = threadCpuMs();
  const clock = Number.isFinite(cpu0) ? "thread-cpu" : "wall";
  const wall = () => (performance.now() - t0) / 1000;
  const elapsed = clock === "wall" ? wall : () => (threadCpuMs() - cpu0) / 1000;
  let order: number[] = [], pos = 0, acc = 0, accN = 0, step = 0;
  try {
    while (elapsed() < cfg.seconds) {
      step++;
      if (pos + cfg.batch > order.length) {
        order = rng.shuffle(Array.from({ length: data.n }, (_, i) => i));
        pos = 0;
      }
      const idx = order.slice(pos, pos + cfg.batch);
      pos += cfg.batch;
      // Adam's learningRate field is read every step (TF.js declares it protected, no setter)
      (opt as unknown as { learningRate: number }).learningRate = cfg.lr +
        (cfg.lrFinal - cfg.lr) * Math.min(1, elapsed() / cfg.seconds);
      const pixels = batchPixels(data, idx, binarize ? rng : undefined);
      const seed = rng.int(2 ** 30) + 1;
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(pixels, [idx.length, data.h, data.w, 1]);
        const { value, grads } = tf.variableGrads(() => model.loss(x, seed));
        const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(cfg.clip, tf.add(norm, 1e-6)));
        const clipped: tf.NamedTensorMap = {};
        for (const [k, g] of Object.entries(grads)) clipped[k] = tf.mul(g, scale);
        opt.applyGradients(clipped);
        return value.dataSync()[0]!; // a scalar
      });
      if (!Number.isFinite(loss)) {
        throw new Error(`training diverged at step ${step} (loss ${loss})`);
      }
      acc += loss;
      accN++;
      if (step % curveEvery === 0) {
        curve.push({ step, seconds: elapsed(), loss: acc / accN });
        acc = accN = 0;
      }
      onStep(step, loss, elapsed());
    }
    if (accN > 0) curve.push({ step, seconds: elapsed(), loss: acc / accN });
  } finally {
    opt.dispose();
  }
  return { steps: step, clock, seconds: elapsed(), wallSeconds: wall(), curve };
}
