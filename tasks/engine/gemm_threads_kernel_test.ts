import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, cpuReference, normals, readAll, useBackend } from "./_test_util.ts";
import { relaxedSimdSupported } from "./gemm.ts";
import { GemmThreads } from "./gemm_threads.ts";
import { convGemmKernelCalls } from "./conv_gemm_kernel.ts";
import {
  installThreadedConv,
  installThreadedMatMul,
  threadedMatMulCalls,
} from "./gemm_threads_kernel.ts";
import { installEngine } from "./install.ts";

// Against the unpatched cpu backend (float64 block sums): the same bound as gemm_kernel_test.ts,
// since each output is one thread's relaxed-SIMD GEMM over the whole k.
const TOL = { rtol: 2e-6, atol: 0 };

function mat(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(normals(tf.util.sizeFromShape(shape), seed), shape);
}

/** Cases above the test's threshold (2^16 multiply-adds, more than 64 rows), and two not. */
const CASES: { name: string; threaded: boolean; fn: () => tf.Tensor[] }[] = [
  {
    name: "97×131·131×67 (odd sizes, rows split unevenly)",
    threaded: true,
    fn: () => [tf.matMul(mat([97, 131], 1) as tf.Tensor2D, mat([131, 67], 2) as tf.Tensor2D)],
  },
  ...[[true, false], [false, true], [true, true]].map(([ta, tb]) => ({
    name: `72×80·80×72${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}`,
    threaded: true,
    fn: () => {
      const a = mat(ta ? [80, 72] : [72, 80], 3), b = mat(tb ? [72, 80] : [80, 72], 4);
      return [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb)];
    },
  })),
  {
    name: "batches of 3 and a broadcast right-hand side",
    threaded: true,
    fn: () => [
      tf.matMul(mat([3, 66, 50], 5) as tf.Tensor3D, mat([3, 50, 60], 6) as tf.Tensor3D),
      tf.matMul(mat([3, 66, 50], 7) as tf.Tensor3D, mat([1, 50, 60], 8) as tf.Tensor3D),
    ],
  },
  {
    name: "fused bias + relu, and a matmul's gradients (Aᵀ·B and A·Bᵀ)",
    threaded: true,
    fn: () => {
      const a = mat([70, 90], 9), b = mat([90, 80], 10), bias = mat([80], 11);
      const fused = tf.fused.matMul({
        a: a as tf.Tensor2D,
        b: b as tf.Tensor2D,
        bias,
        activation: "relu",
      });
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D).square().sum()
      )([a, b]);
      return [fused, ...g];
    },
  },
  {
    name: "8×16·16×32 (below the threshold: the previous kernel)",
    threaded: false,
    fn: () => [tf.matMul(mat([8, 16], 12) as tf.Tensor2D, mat([16, 32], 13) as tf.Tensor2D)],
  },
  {
    name: "16×512·512×1024 (few rows: the previous kernel, which keeps its packed B)",
    threaded: false,
    fn: () => [tf.matMul(mat([16, 512], 14) as tf.Tensor2D, mat([512, 1024], 15) as tf.Tensor2D)],
  },
];

Deno.test({
  name:
    "the threaded matmul kernel equals the cpu backend's and leaves small products to the previous kernel",
  ignore: !relaxedSimdSupported(),
  fn: async (t) => {
    const refs: Float32Array[][] = [];
    for (const c of CASES) refs.push(await cpuReference(c.fn));
    await useBackend("wasm");
    const pool = await GemmThreads.start(2);
    const uninstall = installThreadedMatMul(pool, { minMacs: 2 ** 16 });
    try {
      for (const [i, c] of CASES.entries()) {
        await t.step(c.name, async () => {
          const before = threadedMatMulCalls();
          const got = await readAll(tf.tidy(c.fn));
          assert.equal(threadedMatMulCalls() > before, c.threaded, `${c.name}: pool used?`);
          got.forEach((g, j) => assertClose(g, refs[i]![j]!, `${c.name} output ${j}`, TOL));
        });
      }
    } finally {
      uninstall();
      pool.close();
    }
    const before = threadedMatMulCalls();
    tf.tidy(() => CASES[0]!.fn()[0]!.dataSync());
    assert.equal(threadedMatMulCalls(), before, "uninstall put the previous kernel back");
  },
});

// The GEMM-lowered convs against the unpatched cpu backend: conv_gemm_kernel_test.ts's bound.
const CONV_TOL = { rtol: 1e-5, atol: 0 };

type Shape4 = [number, number, number, number];
const t4 = (shape: Shape4, seed: number) =>
  tf.tensor4d(normals(tf.util.sizeFromShape(shape), seed), shape);

/** A conv's output and the gradients of Σ y·u with respect to x and the filter. */
function convAndGrads(
  x: Shape4,
  f: Shape4,
  strides: number,
  pad: "same" | "valid",
  seed: number,
): () => tf.Tensor[] {
  return () => {
    const xs = t4(x, seed), fs = t4(f, seed + 1);
    const y = tf.conv2d(xs, fs, strides, pad);
    const u = t4(y.shape as Shape4, seed + 2);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), u))
    )([xs, fs]);
    return [y, dx!, df!];
  };
}

/** Convs above the test's threshold (2^12 multiply-adds) and one below it. */
const CONVS: { name: string; threaded: boolean; fn: () => tf.Tensor[] }[] = [
  {
    name: "3×3 'same', and both gradients",
    threaded: true,
    fn: convAndGrads([2, 7, 9, 3], [3, 3, 3, 5], 1, "same", 1),
  },
  {
    name: "3×3 stride 2 'valid', and both gradients",
    threaded: true,
    fn: convAndGrads([2, 9, 8, 4], [3, 3, 4, 6], 2, "valid", 4),
  },
  {
    name: "1×1 (x itself is the lowered matrix), and both gradients",
    threaded: true,
    fn: convAndGrads([3, 8, 8, 7], [1, 1, 7, 6], 1, "valid", 7),
  },
  {
    name: "5×5 on 14×14×64, K = 1,600: two pool chunks, and both gradients",
    threaded: true,
    fn: convAndGrads([4, 14, 14, 64], [5, 5, 64, 4], 1, "same", 10),
  },
  {
    name: "fused bias + relu",
    threaded: true,
    fn: () => [
      tf.fused.conv2d({
        x: t4([2, 6, 5, 3], 13),
        filter: t4([3, 3, 3, 4], 14),
        strides: 1,
        pad: "same",
        bias: tf.tensor1d(normals(4, 15)),
        activation: "relu",
      }),
    ],
  },
  {
    name: "2×2 on 3×3×1 (below the threshold: this thread)",
    threaded: false,
    fn: () => [tf.conv2d(t4([1, 3, 3, 1], 16), t4([2, 2, 1, 1], 17), 1, "valid")],
  },
];

Deno.test({
  name:
    "the threaded convolutions equal the cpu backend's, in one or several pool chunks, and leave small convs on this thread",
  ignore: !relaxedSimdSupported(),
  fn: async (t) => {
    const refs: Float32Array[][] = [];
    for (const c of CONVS) refs.push(await cpuReference(c.fn));
    await useBackend("wasm");
    installEngine("wasm");
    const pool = await GemmThreads.start(2);
    const uninstall = installThreadedConv(pool, { minMacs: 2 ** 12 });
    try {
      for (const [i, c] of CONVS.entries()) {
        await t.step(c.name, async () => {
          const before = convGemmKernelCalls().threaded;
          const got = await readAll(tf.tidy(c.fn));
          assert.equal(
            convGemmKernelCalls().threaded > before,
            c.threaded,
            `${c.name}: pool used?`,
          );
          got.forEach((g, j) => assertClose(g, refs[i]![j]!, `${c.name} output ${j}`, CONV_TOL));
        });
      }
    } finally {
      uninstall();
      pool.close();
    }
    const before = convGemmKernelCalls().threaded;
    tf.tidy(() => CONVS[0]!.fn()[0]!.dataSync());
    assert.equal(convGemmKernelCalls().threaded, before, "uninstall took the pool away");
  },
});
