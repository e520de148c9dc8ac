import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, cpuReference, normals, readAll, useBackend } from "./_test_util.ts";
import { relaxedSimdSupported } from "./gemm.ts";
import { gemmKernelCalls, installRelaxedSimdGemm, useRelaxedSimdGemm } from "./gemm_kernel.ts";

// installEngine installs it too; installing it here first lets these tests run without the engine.
installRelaxedSimdGemm();

/**
 * Tolerance against the unpatched cpu backend (it sums blocks of 48 products in float64 and adds
 * the block sums into float32): max |diff| ≤ 2e-6 · max |reference|, no absolute slack. The
 * largest measured here is 9.3e-7 (1024², K = 1024; 6e-7 on the LSTM shapes), so this leaves ≈ 2×
 * headroom over two fp32 accumulations and is 50× tighter than the engine's other matmul tests.
 */
const TOL = { rtol: 2e-6, atol: 0 };

type Case = { name: string; fn: () => tf.Tensor[] };

function mat(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(normals(tf.util.sizeFromShape(shape), seed), shape);
}

/** [M, K]·[K, N] with transpose flags: the stored shapes of a and b follow the flags. */
function mm(m: number, k: number, n: number, ta: boolean, tb: boolean, seed: number): Case {
  return {
    name: `${m}x${k}·${k}x${n}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}`,
    fn: () => {
      const a = mat(ta ? [k, m] : [m, k], seed), b = mat(tb ? [n, k] : [k, n], seed + 1);
      return [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb)];
    },
  };
}

/** Runs every case on wasm (through the relaxed-SIMD kernel) and on the unpatched cpu backend. */
async function equivalent(t: Deno.TestContext, cases: Case[]): Promise<void> {
  for (const c of cases) {
    await t.step(c.name, async () => {
      const ref = await cpuReference(c.fn);
      await useBackend("wasm");
      const before = gemmKernelCalls();
      const got = await readAll(tf.tidy(c.fn));
      assert.ok(gemmKernelCalls() > before, `${c.name}: the relaxed-SIMD kernel did not run`);
      got.forEach((g, i) => assertClose(g, ref[i]!, `${c.name} output ${i}`, TOL));
    });
  }
}

Deno.test("relaxed SIMD is present on this Deno, so the GEMM installs", () => {
  assert.ok(relaxedSimdSupported(), "WebAssembly.validate rejected f32x4.relaxed_madd");
});

Deno.test("relaxed-SIMD matmul equals the cpu backend's at 1024²", async (t) => {
  await equivalent(t, [mm(1024, 1024, 1024, false, false, 1)]);
});

Deno.test("relaxed-SIMD matmul equals the cpu backend's on the LSTM step's three products", async (t) => {
  // x·W (B16, I+H 512 → 4H 1024), dz·Wᵀ (input gradient), xᵀ·dz (kernel gradient)
  await equivalent(t, [
    mm(16, 512, 1024, false, false, 3),
    mm(16, 1024, 512, false, true, 5),
    mm(512, 16, 1024, true, false, 7),
  ]);
});

Deno.test("relaxed-SIMD matmul equals the cpu backend's on im2col shapes of the conv-LSTM's 5×5 conv", async (t) => {
  // one 14×14 image, 5·5·64 patch, 128 outputs: forward, filter gradient, input gradient
  await equivalent(t, [
    mm(196, 1600, 128, false, false, 9),
    mm(1600, 196, 128, true, false, 11),
    mm(196, 128, 1600, false, true, 13),
  ]);
});

Deno.test("relaxed-SIMD matmul equals the cpu backend's on odd sizes with every transpose form", async (t) => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [5, 3, 4],
    [13, 17, 19],
    [8, 9, 10], // a last panel of 2 rows (the 2 × 8 kernel)
    [10, 33, 17], // of 4 rows (the 4 × 8 kernel)
    [15, 5, 12], // of 3 rows (the 4 × 8 kernel, one row unstored)
    [61, 1025, 67], // M crosses the 60-row block, K two 512 blocks
    [7, 3, 1031], // N crosses the 1024-column block
  ];
  const cases: Case[] = [];
  let seed = 20;
  for (const [m, k, n] of sizes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      cases.push(mm(m, k, n, ta!, tb!, seed += 2));
    }
  }
  await equivalent(t, cases);
});

Deno.test("relaxed-SIMD matmul equals the cpu backend's on batches, broadcasts, gradients and fused bias + activation", async (t) => {
  await equivalent(t, [
    { name: "batch 3", fn: () => [tf.matMul(mat([3, 37, 29], 40), mat([3, 29, 41], 41))] },
    {
      name: "batch [2, 3] with Aᵀ Bᵀ",
      fn: () => [tf.matMul(mat([2, 3, 29, 37], 42), mat([2, 3, 41, 29], 43), true, true)],
    },
    { name: "broadcast b (rank 2)", fn: () => [tf.matMul(mat([3, 5, 7], 44), mat([7, 6], 45))] },
    {
      name: "broadcast a (batch 1)",
      fn: () => [tf.matMul(mat([1, 5, 7], 46), mat([4, 7, 6], 47))],
    },
    {
      name: "gradients of sum(matMul²) through Aᵀ and Bᵀ",
      fn: () => {
        const f = (x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, false, true)));
        return tf.grads(f)([mat([2, 19, 33], 48), mat([2, 23, 33], 49)]);
      },
    },
    {
      name: "fused bias + relu, Aᵀ",
      fn: () => [
        tf.fused.matMul({
          a: mat([33, 18], 50) as tf.Tensor2D,
          b: mat([33, 21], 51) as tf.Tensor2D,
          transposeA: true,
          bias: mat([21], 52),
          activation: "relu",
        }),
      ],
    },
    {
      name: "fused bias (SAM's interface layer shape), leakyrelu",
      fn: () => [
        tf.fused.matMul({
          a: mat([4, 100], 53) as tf.Tensor2D,
          b: mat([100, 170], 54) as tf.Tensor2D,
          bias: mat([170], 55),
          activation: "leakyrelu",
          leakyreluAlpha: 0.3,
        }),
      ],
    },
  ]);
});

Deno.test("packed right-hand operands are kept per tensor: reuse, transposed reuse and a new tensor at a freed address stay exact", async (t) => {
  // Few rows (≤ 64) keep op(B) packed, keyed by the tensor; a disposed tensor's heap block is
  // reused by the next one of the same size, which must not hit the old packing.
  const w = mat([64, 40], 70);
  await equivalent(t, [
    { name: "x1·W", fn: () => [tf.matMul(mat([3, 64], 71), w)] },
    { name: "x2·W (kept packing)", fn: () => [tf.matMul(mat([5, 64], 72), w)] },
    {
      name: "y·Wᵀ (same tensor, transposed)",
      fn: () => [tf.matMul(mat([4, 40], 73), w, false, true)],
    },
    {
      name: "a new W' after disposing W'' of the same shape",
      fn: () => {
        const old = mat([64, 40], 74);
        tf.matMul(mat([2, 64], 75), old).dispose();
        old.dispose();
        return [tf.matMul(mat([2, 64], 76), mat([64, 40], 77))];
      },
    },
  ]);
  w.dispose();
});

Deno.test("with the relaxed-SIMD GEMM turned off the previous kernel runs and agrees", async () => {
  await useBackend("wasm");
  const fn = () => [tf.matMul(mat([3, 31, 45], 60), mat([3, 27, 45], 61), false, true)];
  const ours = await readAll(tf.tidy(fn));
  const was = useRelaxedSimdGemm(false);
  try {
    const before = gemmKernelCalls();
    const old = await readAll(tf.tidy(fn));
    assert.equal(gemmKernelCalls(), before, "the GEMM ran although it was turned off");
    assertClose(ours[0]!, old[0]!, "new vs previous kernel", TOL);
  } finally {
    useRelaxedSimdGemm(was);
  }
});
