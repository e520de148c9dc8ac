/**
 * Benchmark of the relaxed-SIMD GEMM kernel (`gemm_kernel.ts`) on one wasm thread against the
 * engine's previous matmul kernel (TF.js's XNNPACK kernel behind the flag-free wrapper) and, for
 * the 1024² case, one-thread PyTorch (`bench_torch.py`'s `matmul1024`). Not a test; run pinned:
 *
 *   taskset -c 1 deno run -A --v8-flags=--no-liftoff tasks/engine/gemm_bench.ts [--rounds N]
 *
 * After a warm-up of each side it runs rounds (peer, previous kernel, ours; `reps` repetitions
 * each) and reports per-round medians: GFLOP/s, and each ratio's median with a distribution-free
 * 95 % interval over the rounds (`tasks/core/interval.ts`). It also times copying A and B into a
 * separate buffer and C out of it (what a GEMM with its own memory would add), against the GEMM.
 * Our and the previous kernel's process CPU time per product is reported beside the wall time
 * (under load from other processes the wall time includes waiting for the core; CPU time much
 * less). Prints a Markdown table and one JSON line; writes nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import process from "node:process";
import { medianInterval } from "../core/interval.ts";
import { Rng } from "../core/rng.ts";
import { median } from "../core/stats.ts";
import { loadAverage, measureClockMHz, TorchPeer } from "./bench_machine.ts";
import { installRelaxedSimdGemm, useRelaxedSimdGemm } from "./gemm_kernel.ts";
import { handBenchArgs } from "./hand_bench_args.ts";
import { installEngine } from "./install.ts";

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  /** bench_torch.py case with the same product, if any. */
  peer?: string;
  reps: number;
}

const SHAPES: Shape[] = [
  {
    name: "1024² A·B",
    m: 1024,
    k: 1024,
    n: 1024,
    ta: false,
    tb: false,
    peer: "matmul1024",
    reps: 3,
  },
  { name: "LSTM x·W 16×512·512×1024", m: 16, k: 512, n: 1024, ta: false, tb: false, reps: 20 },
  { name: "LSTM dz·Wᵀ 16×1024·(512×1024)ᵀ", m: 16, k: 1024, n: 512, ta: false, tb: true, reps: 20 },
  { name: "LSTM xᵀ·dz (16×512)ᵀ·16×1024", m: 512, k: 16, n: 1024, ta: true, tb: false, reps: 20 },
  {
    name: "conv im2col 6272×1600·1600×128",
    m: 6272,
    k: 1600,
    n: 128,
    ta: false,
    tb: false,
    reps: 1,
  },
  {
    name: "conv filter grad (6272×1600)ᵀ·6272×128",
    m: 1600,
    k: 6272,
    n: 128,
    ta: true,
    tb: false,
    reps: 1,
  },
  {
    name: "conv input grad 6272×128·(1600×128)ᵀ",
    m: 6272,
    k: 128,
    n: 1600,
    ta: false,
    tb: true,
    reps: 1,
  },
];

function tensor(shape: number[], rng: Rng): tf.Tensor {
  const n = shape[0]! * shape[1]!;
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** Wall milliseconds of each of `reps` products (wasm kernels run synchronously). */
function time(a: tf.Tensor, b: tf.Tensor, s: Shape, reps: number, cpu: number[] = []): number[] {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, s.ta, s.tb);
    ms.push(performance.now() - t0);
    const dc = process.cpuUsage(c0);
    cpu.push((dc.user + dc.system) / 1000);
    c.dispose();
  }
  return ms;
}

/** Milliseconds to copy A and B into a separate buffer and C back (the copy-in/out design). */
function copyMs(s: Shape, reps: number): number {
  const a = new Float32Array(s.m * s.k), b = new Float32Array(s.k * s.n);
  const c = new Float32Array(s.m * s.n), other = new Float32Array(a.length + b.length + c.length);
  const ms: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    const t0 = performance.now();
    other.set(a, 0);
    other.set(b, a.length);
    c.set(other.subarray(a.length + b.length));
    ms.push(performance.now() - t0);
  }
  return median(ms.slice(2));
}

function interval(values: number[]): { median: number; lo: number; hi: number } {
  const iv = medianInterval(values);
  return { median: iv.median, lo: iv.lo, hi: iv.hi };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const { rounds, noPeer } = handBenchArgs("gemm_bench");
  await tf.setBackend("wasm");
  await tf.ready();
  installRelaxedSimdGemm();
  installEngine("wasm");
  const loadBefore = loadAverage();
  const clock = measureClockMHz();
  const started = noPeer ? null : await TorchPeer.start(1);
  const peer = started?.peer ?? null;
  const rng = new Rng(5);
  const rows: Record<string, unknown>[] = [];
  for (const s of SHAPES) {
    const a = tensor(s.ta ? [s.k, s.m] : [s.m, s.k], rng);
    const b = tensor(s.tb ? [s.n, s.k] : [s.k, s.n], rng);
    const flops = 2 * s.m * s.n * s.k;
    const cpuOurs: number[] = [], cpuPrev: number[] = [];
    const prev = (reps: number, cpu: number[] = []) => {
      const was = useRelaxedSimdGemm(false);
      try {
        return time(a, b, s, reps, cpu);
      } finally {
        useRelaxedSimdGemm(was);
      }
    };
    // warm-up
    time(a, b, s, s.reps);
    prev(s.reps);
    if (peer && s.peer) await peer.time(s.peer, s.reps);
    const per: {
      ours: number;
      prev: number;
      peer: number | null;
      oursCpu: number;
      prevCpu: number;
      peerCpu: number | null;
    }[] = [];
    for (let r = 0; r < rounds; r++) {
      let p: number | null = null;
      const pCpu: number | null = null;
      if (peer && s.peer) {
        // the peer's CPU time is not read here (TorchPeer keeps it private); wall time only
        p = median(await peer.time(s.peer, s.reps));
        await peer.settle();
      }
      const cp: number[] = [], co: number[] = [];
      const old = median(prev(s.reps, cp));
      const ours = median(time(a, b, s, s.reps, co));
      cpuPrev.push(...cp);
      cpuOurs.push(...co);
      per.push({
        ours,
        prev: old,
        peer: p,
        oursCpu: median(co),
        prevCpu: median(cp),
        peerCpu: pCpu,
      });
    }
    tf.dispose([a, b]);
    const ours = interval(per.map((x) => x.ours)), old = interval(per.map((x) => x.prev));
    const vsPrev = interval(per.map((x) => x.prev / x.ours));
    const vsPeer = per[0]!.peer === null ? null : interval(per.map((x) => x.peer! / x.ours));
    const peerMs = per[0]!.peer === null ? null : interval(per.map((x) => x.peer!));
    const cpuVsPrev = interval(per.map((x) => x.prevCpu / x.oursCpu));
    const cpuVsPeer = per[0]!.peerCpu === null
      ? null
      : interval(per.map((x) => x.peerCpu! / x.oursCpu));
    const peerCpu = per[0]!.peerCpu === null ? null : median(per.map((x) => x.peerCpu!));
    rows.push({
      shape: s.name,
      oursMs: r3(ours.median),
      oursMsInterval: [r3(ours.lo), r3(ours.hi)],
      oursGflops: r3(flops / ours.median / 1e6),
      oursCpuMs: r3(median(cpuOurs)),
      oursCpuGflops: r3(flops / median(cpuOurs) / 1e6),
      prevMs: r3(old.median),
      prevCpuMs: r3(median(cpuPrev)),
      prevGflops: r3(flops / old.median / 1e6),
      speedupVsPrev: r3(vsPrev.median),
      speedupVsPrevInterval: [r3(vsPrev.lo), r3(vsPrev.hi)],
      peerMs: peerMs && r3(peerMs.median),
      peerGflops: peerMs && r3(flops / peerMs.median / 1e6),
      ratioToPeer: vsPeer && r3(vsPeer.median),
      ratioToPeerInterval: vsPeer && [r3(vsPeer.lo), r3(vsPeer.hi)],
      prevCpuGflops: r3(flops / median(cpuPrev) / 1e6),
      cpuSpeedupVsPrev: r3(cpuVsPrev.median),
      cpuSpeedupVsPrevInterval: [r3(cpuVsPrev.lo), r3(cpuVsPrev.hi)],
      peerCpuMs: peerCpu && r3(peerCpu),
      cpuRatioToPeer: cpuVsPeer && r3(cpuVsPeer.median),
      cpuRatioToPeerInterval: cpuVsPeer && [r3(cpuVsPeer.lo), r3(cpuVsPeer.hi)],
      copyInOutMs: r3(copyMs(s, 5)),
    });
  }
  await peer?.close();
  const loadAfter = loadAverage();
  const iv = (x: unknown) => (x ? `[${(x as number[]).join(", ")}]` : "");
  console.log("Wall time (interleaved rounds):");
  console.log(
    "| shape | ours ms [95 % interval] | GFLOP/s | previous ms | GFLOP/s | speed-up [interval] | PyTorch 1 thread ms | ours / PyTorch [interval] | copy in+out ms |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.shape} | ${r.oursMs} ${iv(r.oursMsInterval)} | ${r.oursGflops} | ${r.prevMs} | ` +
        `${r.prevGflops} | ${r.speedupVsPrev} ${iv(r.speedupVsPrevInterval)} | ` +
        `${r.peerMs ?? ""} | ${r.ratioToPeer ?? ""} ${
          iv(r.ratioToPeerInterval)
        } | ${r.copyInOutMs} |`,
    );
  }
  console.log("\nProcess CPU time (same rounds):");
  console.log(
    "| shape | ours ms | GFLOP/s | previous ms | GFLOP/s | speed-up [interval] | PyTorch 1 thread ms | ours / PyTorch [interval] |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.shape} | ${r.oursCpuMs} | ${r.oursCpuGflops} | ${r.prevCpuMs} | ${r.prevCpuGflops} | ` +
        `${r.cpuSpeedupVsPrev} ${iv(r.cpuSpeedupVsPrevInterval)} | ${r.peerCpuMs ?? ""} | ` +
        `${r.cpuRatioToPeer ?? ""} ${iv(r.cpuRatioToPeerInterval)} |`,
    );
  }
  console.log(JSON.stringify({
    rounds,
    clock,
    loadBefore,
    loadAfter,
    peer: peer ? peer.info : started?.note ?? "--no-peer",
    rows,
  }));
}

if (import.meta.main) await main();
