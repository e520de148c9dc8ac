import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { buildTableModel, TABLE_MODELS, type TableModelSpec } from "./elbo_table_models.ts";
import { kSampleBound } from "./latent_model.ts";

/** Small untrained instances of the four table models. */
function specs(): TableModelSpec[] {
  const vae = { pixels: 784, hidden: 16, latent: 4, seed: 3 };
  return [
    { model: "vae", config: { ...vae, k: 1 } },
    { model: "iwae", config: { ...vae, k: 4 } },
    { model: "draw", config: { pixels: 784, hidden: 8, latent: 3, iterations: 3, seed: 3 } },
    {
      model: "conv_draw",
      config: {
        height: 28,
        width: 28,
        s2d: 4,
        hidden: 4,
        zChannels: 2,
        iterations: 2,
        kernel: 3,
        likelihood: "bernoulli",
        seed: 3,
      },
    },
  ];
}

/** The value of a scalar tensor. */
const num = (t: tf.Tensor): number => t.dataSync()[0]!;

/** Two fixed binary images. */
function images(): tf.Tensor4D {
  return tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 5), 0.7), "float32")
  );
}

Deno.test("every table model's mean log importance weight over many samples is minus its closed-form ELBO", async () => {
  await tf.setBackend("wasm");
  assert.deepEqual(specs().map((s) => s.model), [...TABLE_MODELS]);
  const x = images();
  for (const spec of specs()) {
    const m = buildTableModel(spec);
    const [logW, nelbo] = tf.tidy(() => {
      const many = tf.tile(x, [400, 1, 1, 1]) as tf.Tensor4D;
      const { recon, kl } = m.elbo(many, 11);
      return [
        num(tf.mean(m.logWeight(many, 11))),
        num(tf.mean(tf.addN([recon, ...kl]))),
      ];
    });
    // the same seed draws the same z, so only the KL's Monte Carlo error separates the two
    assert.ok(
      Math.abs(logW + nelbo) < 0.02 * nelbo,
      `${spec.model}: E log w ${logW}, −ELBO ${nelbo}`,
    );
    m.dispose();
  }
  x.dispose();
});

Deno.test("the k-sample bound of every table model is tighter than its ELBO", async () => {
  await tf.setBackend("wasm");
  const x = images();
  for (const spec of specs()) {
    const m = buildTableModel(spec);
    const [k1, k20] = tf.tidy(() => {
      const many = tf.tile(x, [50, 1, 1, 1]) as tf.Tensor4D;
      return [
        num(tf.mean(kSampleBound(m, many, 1, 21))),
        num(tf.mean(kSampleBound(m, many, 20, 23))),
      ];
    });
    assert.ok(k20 > k1, `${spec.model}: k = 20 bound ${k20} not above k = 1 ${k1}`);
    m.dispose();
  }
  x.dispose();
});

Deno.test("the IWAE's training loss is its negative k-sample bound and the VAE's its negative ELBO", async () => {
  await tf.setBackend("wasm");
  const x = images();
  const [vae, iwae] = specs().map(buildTableModel);
  const [lv, ev, li, bi] = tf.tidy(() => {
    const e = vae!.elbo(x, 7);
    return [
      num(vae!.loss(x, 7)),
      num(tf.mean(tf.addN([e.recon, ...e.kl]))),
      num(iwae!.loss(x, 9)),
      num(tf.mean(kSampleBound(iwae!, x, 4, 9))),
    ];
  });
  assert.ok(Math.abs(lv - ev) < 1e-3 * ev, `${lv} vs ${ev}`);
  assert.ok(Math.abs(li + bi) < 1e-3 * li, `${li} vs ${-bi}`);
  vae!.dispose();
  iwae!.dispose();
  x.dispose();
});
