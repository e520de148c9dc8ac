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

/** Move every weight by N(0, σ²) noise, so that the posterior is far from the prior. */
function perturb(vars: Record<string, tf.Variable>, sigma: number): void {
  let seed = 100;
  for (const v of Object.values(vars)) {
    tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, sigma, "float32", ++seed))));
  }
}

Deno.test("every table model's log importance weight averages to minus its closed-form ELBO", async () => {
  await tf.setBackend("wasm");
  assert.deepEqual(specs().map((s) => s.model), [...TABLE_MODELS]);
  const x = images();
  for (const spec of specs()) {
    const m = buildTableModel(spec);
    perturb(m.vars, 0.3);
    // The same seed draws the same z in both, so recon cancels and d = log p(z) − log q(z) + KL
    // has expectation 0 exactly; a wrong sign or term leaves ≈ 2·KL or more.
    const [d, kl] = tf.tidy(() => {
      const many = tf.tile(x, [200, 1, 1, 1]) as tf.Tensor4D;
      const e = m.elbo(many, 11);
      const klSum = tf.addN(e.kl);
      const lw = m.logWeight(many, 11);
      return [
        tf.add(tf.add(lw, e.recon), klSum).arraySync() as number[],
        num(tf.mean(klSum)),
      ];
    });
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const se = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1) / d.length);
    assert.ok(kl > 1, `${spec.model}: KL ${kl} nats, the test needs q far from p`);
    assert.ok(
      Math.abs(mean) < 4 * se + 1e-3 * kl,
      `${spec.model}: E[log w] + ELBO = ${mean} ± ${se} (KL ${kl})`,
    );
    m.dispose();
  }
  x.dispose();
});

Deno.test("kSampleBound groups sample j of image b at row j·B + b and log-mean-exps per image", () => {
  const B = 2, k = 3;
  // log w of row r: the row's pixel sum plus r, so every row and every image differs
  const fake = {
    logWeight: (x: tf.Tensor4D) =>
      tf.add(tf.sum(x, [1, 2, 3]), tf.range(0, x.shape[0], 1, "float32")) as tf.Tensor1D,
  };
  const x = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [B, 2, 2, 1]); // image sums 0 and 4
  const got = tf.tidy(() => kSampleBound(fake, x, k, 1).arraySync());
  const want = [0, 1].map((b) => {
    const lw = Array.from({ length: k }, (_, j) => 4 * b + j * B + b);
    const mx = Math.max(...lw);
    return mx + Math.log(lw.reduce((s, v) => s + Math.exp(v - mx), 0) / k);
  });
  got.forEach((g, b) => assert.ok(Math.abs(g - want[b]!) < 1e-4, `image ${b}: ${g} vs ${want[b]}`));
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

Deno.test("the VAE's training loss is its closed-form −ELBO and the IWAE's the mean of kSampleBound at its k", async () => {
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
