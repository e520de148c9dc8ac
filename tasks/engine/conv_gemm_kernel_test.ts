import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, cpuReference, normals, readAll, useBackend } from "./_test_util.ts";
import { convGemmKernelCalls, installRelaxedSimdConv } from "./conv_gemm_kernel.ts";

// installEngine installs them too; installing them here first lets these tests run without it.
const installed = installRelaxedSimdConv();

/**
 * Tolerance against the unpatched cpu backend (it accumulates each output in float64): max |diff|
 * ≤ 1e-5 · max |reference|. Ours accumulates up to KH·KW·Ci = 1,600 products in float32 FMAs, so
 * ≈ √1600 · 6e-8 ≈ 2.4e-6 of a row's magnitude is expected; 1e-5 leaves ≈ 4× headroom.
 */
const TOL = { rtol: 1e-5, atol: 0 };

/** A case and the kernel kinds it must run through. */
type Case = {
  name: string;
  fn: () => tf.Tensor[];
  kinds?: ("forward" | "filterGrad" | "inputGrad")[];
};

function t4(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.tensor4d(normals(tf.util.sizeFromShape(shape), seed), shape);
}

interface Geo {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: "same" | "valid" | number;
}

const label = (g: Geo) =>
  `x ${g.x.join("×")}, filter ${g.f.join("×")}, stride ${g.strides}, pad ${g.pad}`;

/** The convolution's output, and the gradients of Σ y·u with respect to x and the filter. */
function convAndGrads(g: Geo, seed: number): Case {
  return {
    name: label(g),
    kinds: ["forward", "filterGrad", "inputGrad"],
    fn: () => {
      const x = t4(g.x, seed), f = t4(g.f, seed + 1);
      const y = tf.conv2d(x, f, g.strides, g.pad);
      const u = t4(y.shape as [number, number, number, number], seed + 2);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, g.strides, g.pad), u))
      )([x, f]);
      return [y, dx!, df!];
    },
  };
}

/** Runs every case on wasm (through these kernels) and on the unpatched cpu backend. */
async function equivalent(t: Deno.TestContext, cases: Case[], mustRun = true): Promise<void> {
  for (const c of cases) {
    await t.step(c.name, async () => {
      const ref = await cpuReference(c.fn);
      await useBackend("wasm");
      const before = convGemmKernelCalls();
      const got = await readAll(tf.tidy(c.fn));
      const after = convGemmKernelCalls();
      for (const k of mustRun ? c.kinds ?? ["forward"] : []) {
        assert.ok(after[k] > before[k], `${c.name}: the GEMM ${k} kernel did not run`);
      }
      got.forEach((v, i) => assertClose(v, ref[i]!, `${c.name} output ${i}`, TOL));
    });
  }
}

Deno.test("the GEMM-lowered convolutions install where relaxed SIMD is present", () => {
  assert.ok(installed, "installRelaxedSimdConv found no relaxed SIMD");
});

Deno.test("GEMM-lowered conv2d and both its gradients equal the cpu backend's, padded and strided", async (t) => {
  await equivalent(t, [
    convAndGrads({ x: [2, 7, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: "same" }, 1),
    convAndGrads({ x: [2, 7, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: "valid" }, 4),
    convAndGrads({ x: [2, 8, 8, 4], f: [3, 3, 4, 6], strides: 2, pad: "same" }, 7),
    convAndGrads({ x: [1, 9, 7, 2], f: [4, 2, 2, 3], strides: [2, 3], pad: "valid" }, 10),
    convAndGrads({ x: [2, 6, 6, 5], f: [5, 5, 5, 2], strides: 1, pad: 1 }, 13),
  ]);
});

Deno.test("GEMM-lowered conv2d multiplies x itself for a 1×1 stride-1 convolution", async (t) => {
  await equivalent(t, [
    convAndGrads({ x: [3, 4, 5, 7], f: [1, 1, 7, 6], strides: 1, pad: "valid" }, 16),
    convAndGrads({ x: [3, 4, 5, 7], f: [1, 1, 7, 6], strides: 2, pad: "valid" }, 19),
  ]);
});

Deno.test("GEMM-lowered conv2d equals the cpu backend's on a conv-LSTM-sized 5×5 convolution", async (t) => {
  // conv DRAW's conv-LSTM: 14×14 maps, 5×5 "same"; batch 1 and fewer channels keep the cpu
  // reference's own filter gradient quick, the forward runs at 64 → 128 channels.
  await equivalent(t, [
    convAndGrads({ x: [1, 14, 14, 16], f: [5, 5, 16, 32], strides: 1, pad: "same" }, 22),
    // K = 1,600 columns: 162-row chunks, so the forward and input gradient run in three chunks
    convAndGrads({ x: [2, 14, 14, 64], f: [5, 5, 64, 8], strides: 1, pad: "same" }, 27),
    {
      name: "forward only, x 2×14×14×64, filter 5×5×64×128",
      fn: () => [tf.conv2d(t4([2, 14, 14, 64], 25), t4([5, 5, 64, 128], 26), 1, "same")],
    },
  ]);
});

Deno.test("GEMM-lowered fused conv2d adds the bias and applies relu / leakyrelu", async (t) => {
  const fused = (activation: "relu" | "leakyrelu" | "linear", seed: number): Case => ({
    name: activation,
    fn: () => [
      tf.fused.conv2d({
        x: t4([2, 6, 5, 3], seed),
        filter: t4([3, 3, 3, 4], seed + 1),
        strides: 1,
        pad: "same",
        bias: tf.tensor1d(normals(4, seed + 2)),
        activation,
        leakyreluAlpha: 0.2,
      }),
    ],
  });
  await equivalent(t, [fused("linear", 30), fused("relu", 33), fused("leakyrelu", 36)]);
});

Deno.test("dilated and transposed convolutions stay correct (dilations fall back, conv2dTranspose runs here)", async (t) => {
  await equivalent(t, [{
    name: "dilation 2",
    fn: () => [tf.conv2d(t4([1, 9, 9, 2], 40), t4([3, 3, 2, 3], 41), 1, "same", "NHWC", 2)],
  }], false);
  await equivalent(t, [{
    name: "conv2dTranspose stride 2",
    kinds: ["inputGrad"],
    fn: () => [
      tf.conv2dTranspose(t4([2, 4, 4, 3], 43), t4([3, 3, 5, 3], 44), [2, 8, 8, 5], 2, "same"),
    ],
  }]);
});
