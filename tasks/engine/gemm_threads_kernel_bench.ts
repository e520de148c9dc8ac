/**
 * The threaded matmul kernel (`gemm_threads_kernel.ts`) against the engine's one-thread kernel,
 * both through `tf.matMul` on the wasm backend (dispatch, the copies into and out of the pool's
 * shared memory and the output tensor included), in interleaved rounds after a warm-up (one
 * thread, two threads, …). Not a test; run on an idle machine:
 *
 *   deno run -A --v8-flags=--no-liftoff tasks/engine/gemm_threads_kernel_bench.ts [--rounds N]
 *
 * Prints, per shape, the medians of the rounds with distribution-free 95 % intervals
 * (`tasks/core/interval.ts`) as a Markdown table and one JSON line; writes nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { median } from "../core/stats.ts";
import { loadAverage, measureClockMHz } from "./bench_machine.ts";
import { GemmThreads } from "./gemm_threads.ts";
import { installThreadedMatMul } from "./gemm_threads_kernel.ts";
import { handBenchArgs } from "./hand_bench_args.ts";
import { intervalCell, r3, roundedInterval as iv } from "./hand_bench_stats.ts";
import { setupBackend } from "./mod.ts";

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
  transposeB: boolean;
  reps: number;
}

const SHAPES: Shape[] = [
  { name: "1024² A·B", m: 1024, k: 1024, n: 1024, transposeB: false, reps: 3 },
  { name: "conv im2col 6272×1600·1600×128", m: 6272, k: 1600, n: 128, transposeB: false, reps: 2 },
  {
    name: "MLP layer, batch 100: 100×784·(200×784)ᵀ",
    m: 100,
    k: 784,
    n: 200,
    transposeB: true,
    reps: 20,
  },
];

function time(a: tf.Tensor2D, b: tf.Tensor2D, s: Shape): number {
  const ms: number[] = [];
  for (let r = 0; r < s.reps; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b, false, s.transposeB);
    c.dataSync();
    ms.push(performance.now() - t0);
    c.dispose();
  }
  return median(ms);
}

async function main(): Promise<void> {
  const { rounds } = handBenchArgs("gemm_threads_kernel_bench");
  const backend = await setupBackend("wasm");
  const loadBefore = loadAverage();
  const clock = measureClockMHz();
  const pool = await GemmThreads.start(2);
  let uninstall: (() => void) | null = null;
  const threaded = (on: boolean) => {
    if (on && !uninstall) uninstall = installThreadedMatMul(pool);
    if (!on && uninstall) uninstall(), uninstall = null;
  };
  const rows: Record<string, unknown>[] = [];
  for (const s of SHAPES) {
    const a = tf.randomNormal([s.m, s.k], 0, 1, "float32", 1) as tf.Tensor2D;
    const b = tf.randomNormal(s.transposeB ? [s.n, s.k] : [s.k, s.n], 0, 1, "float32", 2);
    threaded(false), time(a, b as tf.Tensor2D, s), threaded(true), time(a, b as tf.Tensor2D, s);
    const per: { one: number; two: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      threaded(false);
      const one = time(a, b as tf.Tensor2D, s);
      threaded(true);
      per.push({ one, two: time(a, b as tf.Tensor2D, s) });
    }
    threaded(false);
    tf.dispose([a, b]);
    const gf = (ms: number) => r3(2 * s.m * s.n * s.k / ms / 1e6);
    const one = iv(per.map((x) => x.one)), two = iv(per.map((x) => x.two));
    rows.push({
      shape: s.name,
      oneThreadMs: one,
      twoThreadsMs: two,
      oneThreadGflops: gf(one.median),
      twoThreadsGflops: gf(two.median),
      scaling: iv(per.map((x) => x.one / x.two)),
    });
  }
  pool.close();
  console.log(
    "| shape (tf.matMul, wasm) | one-thread kernel ms | threaded kernel, 2 threads ms | scaling |",
  );
  console.log("|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.shape} | ${intervalCell(r.oneThreadMs)} | ${intervalCell(r.twoThreadsMs)} | ${
        intervalCell(r.scaling)
      } |`,
    );
  }
  console.log(JSON.stringify({
    rounds,
    backend: backend.name,
    clock,
    cores: navigator.hardwareConcurrency,
    loadBefore,
    loadAfter: loadAverage(),
    rows,
  }));
}

if (import.meta.main) await main();
