import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/mod.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { denseIfaceSize, DenseModel, type DenseSpec } from "./dense.ts";
import { workspaceBytes } from "./dense_access.ts";
import { DenseJsModel } from "./dense_js.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

for (const kind of ["ntm", "dam"] as const) {
  Deno.test(`the JS memory access of the ${kind} gives dense.ts's loss, outputs and gradients`, () => {
    const spec: DenseSpec = {
      kind,
      input: 5,
      output: 4,
      hidden: 10,
      N: 12,
      W: 6,
      heads: 2,
      lambda: 0.99,
    };
    const ref = new DenseModel(spec, new Rng(3)), js = new DenseJsModel(spec, new Rng(3));
    const ep = copyEpisode(new Rng(5), { batch: 3, bits: 4, minLength: 2, maxLength: 4 });
    const a = ref.run(ep, true), b = js.run(ep, true);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-4 * Math.max(1, a.loss), `${a.loss} vs ${b.loss}`);
    for (let i = 0; i < a.probs.length; i++) {
      assert.ok(Math.abs(a.probs[i]! - b.probs[i]!) < 1e-4, `prob ${i}`);
    }
    for (let k = 0; k < a.grads!.length; k++) {
      const x = a.grads![k]!.dataSync(), y = b.grads![k]!.dataSync();
      let err = 0, scale = 0;
      for (let i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(x[i]! - y[i]!));
        scale = Math.max(scale, Math.abs(x[i]!));
      }
      assert.ok(scale > 0, `param ${k} has a zero gradient`);
      assert.ok(err <= 1e-4 * Math.max(1, scale), `param ${k}: err ${err} (scale ${scale})`);
    }
    // A forward-only pass (two reused step slots) gives the same loss and outputs.
    const fwd = js.run(ep, false);
    assert.equal(fwd.grads, null);
    assert.equal(fwd.loss, b.loss);
    assert.deepEqual(fwd.probs, b.probs);
    tf.dispose([...a.grads!, ...b.grads!]);
    ref.dispose(), js.dispose();
  });
}

for (const kind of ["ntm", "dam"] as const) {
  Deno.test(`the ${kind}'s host bytes count its memory copies, addressing and dL/dM carry`, () => {
    const spec: DenseSpec = {
      kind,
      input: 5,
      output: 4,
      hidden: 10,
      N: 12,
      W: 6,
      heads: 2,
      lambda: 0.99,
    };
    const { N, W, heads: H } = spec, ntm = kind === "ntm";
    const js = new DenseJsModel(spec, new Rng(3));
    const ep = copyEpisode(new Rng(5), { batch: 3, bits: 4, minLength: 2, maxLength: 4 });
    const { B, T } = ep, I = denseIfaceSize(spec), P = ntm ? N : H * N;
    const res = js.run(ep, true);
    // Per step and element: the written memory (f32) and the addressing (f64): read weights and
    // cosines [H, N], word norms [N], key norms [H], write weights [N], key strengths [H], three
    // gate scalars; NTM: the write key's weights, cosines, word norms [N] each, its key norm,
    // erase [W]; DAM: the mean read weights [N]. Plus the interface values of the step (f32).
    const perStep = N * W * 4 + (2 * H * N + N + H + N + H + 3) * 8 +
      (ntm ? (3 * N + 1 + W) * 8 : N * 8) + I * 4;
    // The pass's state: initial memories (f32), weights (f64), DAM's usage (f32), the dL/dM and
    // dL/dw carries (f32, updated in place).
    const state = B * (N * W * 4 + P * 8 + (ntm ? 0 : N * 4) + N * W * 4 + P * 4);
    // The largest temporaries: one step's dL/d(iface) and dL/d(reads) (f32), the backward's small
    // scratch (f64) and the wasm workspace of one element's step.
    const transient = (B * I + B * H * W) * 4 + (H + N + 1) * 8 +
      workspaceBytes({ kind, heads: H, N, W, lambda: spec.lambda });
    assert.equal(res.hostBytes, B * T * perStep + state + transient);
    assert.equal(js.run(ep, false).hostBytes, 0, "a forward pass keeps nothing for a backward");
    tf.dispose(res.grads!);
    js.dispose();
  });
}
