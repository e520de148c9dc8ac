import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { sdncIfaceSize, sdncStepGraph } from "./sdnc_step.ts";
import { type SdncGradSizes, sdncStepBackward, sdncStepForward } from "./sdnc_step_grad.ts";

await tf.setBackend("cpu");
await tf.ready();

const s: SdncGradSizes = { B: 2, R: 2, K: 3, W: 4, V: 9 };
const S = 3 * s.K, RS = s.R * S, I = sdncIfaceSize(s), O = s.R * s.W + RS;

function case_(seed: number) {
  const rng = new Rng(seed);
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const pick = (n: number, pad: boolean) =>
    Int32Array.from({ length: n }, () => (pad && rng.next() < 0.2 ? -1 : rng.int(s.V)));
  const x = {
    prevV: pick(s.B * RS, true),
    slotV: pick(s.B * RS, true),
    lruV: pick(s.B, false),
    fwd: Float32Array.from(
      { length: s.B * s.R * s.K * S },
      () => rng.next() < 0.5 ? 0 : rng.next(),
    ),
    bwd: Float32Array.from(
      { length: s.B * s.R * s.K * S },
      () => rng.next() < 0.5 ? 0 : rng.next(),
    ),
  };
  for (let j = 0; j < s.B * RS; j++) if (j % S < s.K && x.slotV[j]! < 0) x.slotV[j] = 0; // content words are real
  const wPrev = Float32Array.from(normal(s.B * RS), (v) => Math.abs(v) / 4);
  return {
    x,
    iv: normal(s.B * I),
    wPrev,
    mPrev: normal(s.B * s.V * s.W),
    dP: normal(s.B * O),
    dM: normal(s.B * s.V * s.W),
  };
}

function oneHot(idx: Int32Array, rows: number): Float32Array {
  const out = new Float32Array(idx.length * rows);
  idx.forEach((v, j) => {
    if (v >= 0) out[j * rows + v] = 1;
  });
  return out;
}

Deno.test("the JS step and its hand-written VJP match the TF.js step graph and its autodiff gradients", () => {
  for (const seed of [1, 2, 3]) {
    const c = case_(seed);
    const fw = sdncStepForward(c.iv, c.wPrev, c.mPrev, c.x, s);
    const bw = sdncStepBackward(c.iv, c.wPrev, c.mPrev, c.x, s, c.dP, c.dM);
    const ref = tf.tidy(() => {
      const consts = {
        prevOh: tf.tensor3d(oneHot(c.x.prevV, s.V), [s.B, RS, s.V]),
        lruOh: tf.tensor2d(oneHot(c.x.lruV, s.V), [s.B, s.V]),
        slotOh: tf.tensor3d(oneHot(c.x.slotV, s.V), [s.B, RS, s.V]),
        fwd: tf.tensor4d(c.x.fwd, [s.B, s.R, s.K, S]),
        bwd: tf.tensor4d(c.x.bwd, [s.B, s.R, s.K, S]),
      };
      const f = (iface: tf.Tensor, wp: tf.Tensor, mp: tf.Tensor) => {
        const o = sdncStepGraph(
          iface as tf.Tensor2D,
          wp as tf.Tensor3D,
          mp as tf.Tensor3D,
          consts,
          s,
        );
        return tf.concat([
          tf.reshape(tf.concat([tf.reshape(o.r, [s.B, -1]), tf.reshape(o.w, [s.B, -1])], 1), [-1]),
          tf.reshape(o.mNew, [-1]),
        ]);
      };
      const xs = [
        tf.tensor2d(c.iv, [s.B, I]),
        tf.tensor3d(c.wPrev, [s.B, s.R, S]),
        tf.tensor3d(c.mPrev, [s.B, s.V, s.W]),
      ];
      const y = f(xs[0]!, xs[1]!, xs[2]!).dataSync();
      const g = tf.grads(f)(xs, tf.tensor1d([...c.dP, ...c.dM]));
      return { y, g: g.map((t) => t.dataSync()) };
    });
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
      assert.equal(a.length, b.length, what);
      for (let k = 0; k < a.length; k++) {
        assert.ok(
          Math.abs(a[k]! - b[k]!) <= 1e-4 * (1 + Math.abs(b[k]!)),
          `${what}[${k}]: ${a[k]} vs ${b[k]}`,
        );
      }
    };
    close([...fw.packed, ...fw.mNew], ref.y, `forward (seed ${seed})`);
    close(bw.diface, ref.g[0]!, `d interface (seed ${seed})`);
    close(bw.dwPrev, ref.g[1]!, `d previous weights (seed ${seed})`);
    close(bw.dmPrev, ref.g[2]!, `d visible words (seed ${seed})`);
  }
});
