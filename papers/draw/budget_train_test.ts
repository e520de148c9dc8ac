import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import { trainForBudget } from "./budget_train.ts";
import { evaluateBound, evaluateNelbo } from "./latent_eval.ts";
import { Vae } from "./vae.ts";

Deno.test("budgeted training stops at its budget and lowers a VAE's test bound on binarized MNIST", async () => {
  await tf.setBackend("wasm");
  const test = await loadBinarizedMnist("test");
  const train = await loadBinarizedMnist("valid");
  const m = new Vae({ pixels: 784, hidden: 64, latent: 8, k: 1, seed: 1 });
  const before = evaluateNelbo(m, test, 200, 1);
  const cfg = { seconds: 1.5, batch: 32, lr: 3e-3, lrFinal: 3e-4, clip: 500, seed: 2 };
  const rec = trainForBudget(m, train, false, cfg, () => {}, 10);
  assert.equal(rec.clock, "thread-cpu", "Linux: the budget counts this thread's CPU seconds");
  assert.ok(rec.seconds >= cfg.seconds && rec.seconds < cfg.seconds + 1, `${rec.seconds} s`);
  assert.ok(rec.wallSeconds >= rec.seconds - 0.02, "one thread uses at most its wall time");
  assert.ok(rec.steps > 10 && rec.curve.length > 0);
  assert.equal(rec.curve.at(-1)!.step, rec.steps);
  const after = evaluateNelbo(m, test, 200, 1);
  assert.ok(after.mean < before.mean - 100, `−ELBO ${before.mean} → ${after.mean}`);
  assert.ok(Math.abs(after.mean - (after.recon + after.kl)) < 1e-3 * after.mean);
  // the importance-sampled estimate sits below the ELBO (a tighter bound) and is finite
  const is = evaluateBound(m, test, 20, 50, 3);
  const sub = evaluateNelbo(m, test, 20, 4);
  assert.equal(is.images, 20);
  assert.ok(is.mean < sub.mean, `IS ${is.mean} vs ELBO ${sub.mean}`);
  m.dispose();
});
