import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import {
  assertClose,
  cpuReference,
  normals,
  readAll,
  testBackends,
  useBackend,
} from "./_test_util.ts";
import { convLstmCell, convLstmParams } from "./conv_lstm.ts";
import { lstmCell, lstmCellForward, lstmCellVjp, type LstmParams, lstmParams } from "./lstm.ts";

const B = 2, I = 3, H = 4;

function sigm(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** Plain-JS LSTM step (gate blocks i, f, o, g) as the oracle. */
function jsLstm(
  x: Float32Array,
  h: Float32Array,
  c: Float32Array,
  w: Float32Array,
  b: Float32Array,
) {
  const hOut = new Float32Array(B * H), cOut = new Float32Array(B * H);
  for (let n = 0; n < B; n++) {
    const xh = [...x.slice(n * I, n * I + I), ...h.slice(n * H, n * H + H)];
    const z = Array.from(
      { length: 4 * H },
      (_, j) => xh.reduce((s, v, r) => s + v * w[r * 4 * H + j]!, b[j]!),
    );
    for (let k = 0; k < H; k++) {
      const cc = sigm(z[H + k]!) * c[n * H + k]! + sigm(z[k]!) * Math.tanh(z[3 * H + k]!);
      cOut[n * H + k] = cc;
      hOut[n * H + k] = sigm(z[2 * H + k]!) * Math.tanh(cc);
    }
  }
  return { h: hOut, c: cOut };
}

function lstmSetup(): { x: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D; p: LstmParams } {
  const p = lstmParams(I, H, new Rng(3), { name: `lstm${Math.floor(new Rng(9).next() * 1e9)}` });
  return {
    x: tf.tensor2d(normals(B * I, 1), [B, I]),
    h: tf.tensor2d(normals(B * H, 2), [B, H]),
    c: tf.tensor2d(normals(B * H, 4), [B, H]),
    p,
  };
}

Deno.test("lstmCell() equals a plain-JS LSTM step on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const { x, h, c, p } = lstmSetup();
      const [w, bias, xs, hs, cs] = await readAll([
        p.kernel.clone(),
        p.bias.clone(),
        x.clone(),
        h.clone(),
        c.clone(),
      ]);
      const want = jsLstm(xs!, hs!, cs!, w!, bias!);
      const next = lstmCell(x, { h, c }, p);
      const [gotH, gotC] = await readAll([next.h, next.c]);
      assertClose(gotH!, want.h, "h");
      assertClose(gotC!, want.c, "c");
      tf.dispose([x, h, c, p.kernel, p.bias]);
    });
  }
});

function lstmGrads(): tf.Tensor[] {
  const { x, h, c, p } = lstmSetup();
  const r = tf.tensor2d(normals(B * H, 5), [B, H]);
  const f = (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => {
    const s = lstmCell(xx as tf.Tensor2D, { h: hh as tf.Tensor2D, c: cc as tf.Tensor2D }, {
      kernel: w as tf.Variable<tf.Rank.R2>,
      bias: bb as tf.Variable<tf.Rank.R1>,
    });
    return tf.add(tf.sum(tf.mul(s.h, r)), tf.sum(tf.square(s.c)));
  };
  const out = tf.grads(f)([x, h, c, p.kernel, p.bias]);
  tf.dispose([p.kernel, p.bias]);
  return out;
}

Deno.test("lstmCell() gradients equal the unpatched cpu backend's on every backend", async (t) => {
  const ref = await cpuReference(lstmGrads);
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const got = await readAll(tf.tidy(lstmGrads));
      got.forEach((g, i) => assertClose(g, ref[i]!, `grad ${i}`));
    });
  }
});

Deno.test("lstmCellForward() gives lstmCell()'s next state on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const { x, h, c, p } = lstmSetup();
      const a = lstmCell(x, { h, c }, p), r = lstmCellForward(x, { h, c }, p);
      const [ah, ac, rh, rc] = await readAll([a.h, a.c, r.h, r.c]);
      assertClose(rh!, ah!, "h", { rtol: 1e-6, atol: 1e-7 });
      assertClose(rc!, ac!, "c", { rtol: 1e-6, atol: 1e-7 });
      tf.dispose([x, h, c, r.act, r.sc, p.kernel, p.bias]);
    });
  }
});

/** lstmGrads()'s loss, differentiated by the hand-written VJP: dh' = r, dc' = 2c'. */
function lstmVjpGrads(): tf.Tensor[] {
  const { x, h, c, p } = lstmSetup();
  const r = tf.tensor2d(normals(B * H, 5), [B, H]);
  const rec = lstmCellForward(x, { h, c }, p);
  const g = lstmCellVjp(x, rec, p, r, tf.mul(2, rec.c), { inputGrad: true });
  tf.dispose([p.kernel, p.bias]);
  return [g.dx!, g.dh, g.dc, g.dKernel, g.dBias];
}

/** lstmGrads() by autodiff through lstmCellForward() (the saved-activations kernel's gradient). */
function lstmForwardAutodiffGrads(): tf.Tensor[] {
  const { x, h, c, p } = lstmSetup();
  const r = tf.tensor2d(normals(B * H, 5), [B, H]);
  const f = (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => {
    const s = lstmCellForward(xx as tf.Tensor2D, { h: hh as tf.Tensor2D, c: cc as tf.Tensor2D }, {
      kernel: w as tf.Tensor2D,
      bias: bb as tf.Tensor1D,
    });
    return tf.add(tf.sum(tf.mul(s.h, r)), tf.sum(tf.square(s.c)));
  };
  const out = tf.grads(f)([x, h, c, p.kernel, p.bias]);
  tf.dispose([p.kernel, p.bias]);
  return out;
}

Deno.test("lstmCellVjp() and autodiff through lstmCellForward() equal the unpatched cpu backend's lstmCell() gradients on every backend", async (t) => {
  const ref = await cpuReference(lstmGrads);
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const vjp = await readAll(tf.tidy(lstmVjpGrads));
      vjp.forEach((g, i) => assertClose(g, ref[i]!, `vjp grad ${i}`));
      const auto = await readAll(tf.tidy(lstmForwardAutodiffGrads));
      auto.forEach((g, i) => assertClose(g, ref[i]!, `autodiff grad ${i}`));
    });
  }
});

function convSetup(k: number, seed: number) {
  const [hh, ww, cx, chh] = [3, 4, 2, 3];
  const p = convLstmParams(cx, chh, k, new Rng(seed), { name: `cl${seed}_${k}` });
  return {
    x: tf.tensor4d(normals(B * hh * ww * cx, seed + 1), [B, hh, ww, cx]),
    h: tf.tensor4d(normals(B * hh * ww * chh, seed + 2), [B, hh, ww, chh]),
    c: tf.tensor4d(normals(B * hh * ww * chh, seed + 3), [B, hh, ww, chh]),
    p,
  };
}

Deno.test("convLstmCell() with a 1x1 kernel equals lstmCell() applied at every pixel", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const { x, h, c, p } = convSetup(1, 20);
      const conv = convLstmCell(x, { h, c }, p);
      const flat = (v: tf.Tensor4D) => tf.reshape(v, [-1, v.shape[3]]) as tf.Tensor2D;
      const dense = lstmCell(flat(x), { h: flat(h), c: flat(c) }, {
        kernel: tf.reshape(p.kernel, [
          p.kernel.shape[2],
          p.kernel.shape[3],
        ]) as unknown as tf.Variable<
          tf.Rank.R2
        >,
        bias: p.bias,
      });
      const [a1, a2, b1, b2] = await readAll([conv.h, conv.c, dense.h, dense.c]);
      assertClose(a1!, b1!, "h");
      assertClose(a2!, b2!, "c");
      tf.dispose([x, h, c, p.kernel, p.bias]);
    });
  }
});

function convGrads(): tf.Tensor[] {
  const { x, h, c, p } = convSetup(3, 30);
  const r = tf.tensor4d(normals(h.size, 35), h.shape);
  const out = tf.grads((xx: tf.Tensor, hh: tf.Tensor, w: tf.Tensor) => {
    const s = convLstmCell(xx as tf.Tensor4D, { h: hh as tf.Tensor4D, c }, {
      kernel: w as tf.Variable<tf.Rank.R4>,
      bias: p.bias,
    });
    return tf.sum(tf.mul(s.h, r));
  })([x, h, p.kernel]);
  tf.dispose([p.kernel, p.bias]);
  return out;
}

Deno.test("convLstmCell() gradients equal the unpatched cpu backend's on every backend", async (t) => {
  const ref = await cpuReference(convGrads);
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const got = await readAll(tf.tidy(convGrads));
      got.forEach((g, i) => assertClose(g, ref[i]!, `grad ${i}`, { rtol: 1e-4 }));
    });
  }
});

Deno.test("convLstmCell() kernel gradient matches central finite differences on wasm", async () => {
  await useBackend("wasm");
  const { x, h, c, p } = convSetup(3, 40);
  const r = tf.tensor4d(normals(h.size, 45), h.shape);
  const w0 = p.kernel.dataSync().slice();
  const loss = (w: tf.Tensor) =>
    tf.sum(
      tf.mul(
        convLstmCell(x, { h, c }, { kernel: w as tf.Variable<tf.Rank.R4>, bias: p.bias }).h,
        r,
      ),
    );
  const dw = tf.grad(loss)(p.kernel).dataSync();
  const eps = 1e-2;
  for (const k of [0, 7, 100, w0.length - 1]) {
    const at = (d: number) => {
      const w = w0.slice();
      w[k]! += d;
      return tf.tidy(() => loss(tf.tensor4d(w, p.kernel.shape)).dataSync()[0]!);
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    assert.ok(
      Math.abs(fd - dw[k]!) <= 2e-2 * Math.max(1, Math.abs(fd)),
      `dW[${k}]: fd ${fd} vs ${dw[k]}`,
    );
  }
  tf.dispose([x, h, c, r, p.kernel, p.bias]);
});

Deno.test("lstmCell(), lstmCellVjp() and convLstmCell() leak no tensors in a gradient step", async () => {
  await useBackend("wasm");
  const l = lstmSetup();
  const cv = convSetup(3, 50);
  const step = () => {
    const gl = tf.grads((w: tf.Tensor) =>
      tf.sum(lstmCell(l.x, l, { ...l.p, kernel: w as tf.Variable<tf.Rank.R2> }).h)
    )([l.p.kernel]);
    const gc = tf.grads((w: tf.Tensor) =>
      tf.sum(convLstmCell(cv.x, cv, { ...cv.p, kernel: w as tf.Variable<tf.Rank.R4> }).h)
    )([cv.p.kernel]);
    const gv = tf.tidy(() => {
      const rec = lstmCellForward(l.x, l, l.p);
      const g = lstmCellVjp(l.x, rec, l.p, rec.h, rec.c);
      return [g.dh, g.dc, g.dKernel, g.dBias];
    });
    tf.dispose([...gl, ...gc, ...gv]);
  };
  step(); // warm-up
  const before = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([l.x, l.h, l.c, l.p.kernel, l.p.bias, cv.x, cv.h, cv.c, cv.p.kernel, cv.p.bias]);
});
