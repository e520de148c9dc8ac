/**
 * Benchmark of the GEMM-lowered convolutions (`conv_gemm_kernel.ts`) on one wasm thread against
 * the engine's current ones (TF.js's XNNPACK `Conv2D`, the engine's composite gradients) and
 * one-thread PyTorch on the conv-LSTM step (`bench_torch.py`'s `convLstmStep`, the engine bench's
 * case: batch 32, 14×14, 32 + 32 → 4 × 32 channels, 5×5). Not a test; run pinned:
 *
 *   taskset -c 1 deno run -A --v8-flags=--no-liftoff tasks/engine/conv_gemm_bench.ts [--rounds N]
 *
 * After a warm-up it runs rounds (peer, previous kernels, ours) and reports per-round medians,
 * each ratio's median with a distribution-free 95 % interval over the rounds
 * (`tasks/core/interval.ts`), wall and process CPU time. Rows: the whole conv-LSTM step (forward
 * and the gradients of x, h, c, W, b), and its 5×5 convolution alone (x `[32, 14, 14, 64]`, filter
 * `[5, 5, 64, 128]`): forward, input gradient (`conv2dTranspose`), and forward + filter gradient
 * (`tf.grads` of the filter runs the forward too). Prints a Markdown table and one JSON line;
 * writes nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import process from "node:process";
import { medianInterval } from "../core/interval.ts";
import { Rng } from "../core/rng.ts";
import { median } from "../core/stats.ts";
import { convLstmCase } from "./bench_cases.ts";
import { loadAverage, measureClockMHz, TorchPeer } from "./bench_machine.ts";
import { installRelaxedSimdConv, useRelaxedSimdConv } from "./conv_gemm_kernel.ts";
import { handBenchArgs } from "./hand_bench_args.ts";
import { installEngine } from "./install.ts";

interface Row {
  name: string;
  flops: number;
  reps: number;
  peer?: string;
  step(): tf.Tensor[];
}

function normal(shape: [number, number, number, number], rng: Rng): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** Wall and CPU milliseconds of each of `reps` steps (wasm kernels run synchronously). */
function time(row: Row, reps: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    const out = row.step();
    wall.push(performance.now() - t0);
    const dc = process.cpuUsage(c0);
    cpu.push((dc.user + dc.system) / 1000);
    tf.dispose(out);
  }
  return { wall, cpu };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A median with its 95 % interval over the rounds. */
interface Iv {
  median: number;
  interval: [number, number];
}

function iv(values: number[]): Iv {
  const m = medianInterval(values);
  return { median: r3(m.median), interval: [r3(m.lo), r3(m.hi)] };
}

/** One row of the result. */
interface OutRow {
  row: string;
  oursMs: Iv;
  oursGflops: number;
  prevMs: Iv;
  prevGflops: number;
  speedupVsPrev: Iv;
  cpuSpeedupVsPrev: Iv;
  peerMs: Iv | null;
  ratioToPeer: Iv | null;
  prevRatioToPeer: Iv | null;
}

async function main(): Promise<void> {
  const { rounds, noPeer } = handBenchArgs("conv_gemm_bench");
  await tf.setBackend("wasm");
  await tf.ready();
  if (!installRelaxedSimdConv()) {
    console.error("conv_gemm_bench: this runtime has no relaxed SIMD; nothing to compare");
    Deno.exit(1);
  }
  installEngine("wasm");
  const loadBefore = loadAverage();
  const clock = measureClockMHz();
  const started = noPeer ? null : await TorchPeer.start(1);
  const peer = started?.peer ?? null;
  const rng = new Rng(7);
  const cell = convLstmCase();
  const x = normal([32, 14, 14, 64], rng), f = normal([5, 5, 64, 128], rng);
  const dy = normal([32, 14, 14, 128], rng);
  const convFlops = 2 * 32 * 14 * 14 * 5 * 5 * 64 * 128;
  const rows: Row[] = [
    { name: cell.name, flops: cell.flops, reps: 3, peer: "convLstmStep", step: () => cell.step() },
    {
      name: "conv 5×5 forward",
      flops: convFlops,
      reps: 3,
      step: () => [tf.conv2d(x, f, 1, "same")],
    },
    {
      name: "conv 5×5 input gradient",
      flops: convFlops,
      reps: 3,
      step: () => [tf.conv2dTranspose(dy, f, [32, 14, 14, 64], 1, "same")],
    },
    {
      name: "conv 5×5 forward + filter gradient",
      flops: 2 * convFlops,
      reps: 3,
      step: () =>
        tf.grads((ff: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ff as tf.Tensor4D, 1, "same"), dy)))(
          [f],
        ),
    },
  ];
  const out: OutRow[] = [];
  for (const row of rows) {
    const prev = (reps: number) => {
      const was = useRelaxedSimdConv(false);
      try {
        return time(row, reps);
      } finally {
        useRelaxedSimdConv(was);
      }
    };
    time(row, 1), prev(1); // warm-up
    if (peer && row.peer) await peer.time(row.peer, 1);
    const per: {
      ours: number;
      prev: number;
      peer: number | null;
      oursCpu: number;
      prevCpu: number;
    }[] = [];
    for (let r = 0; r < rounds; r++) {
      let p: number | null = null;
      if (peer && row.peer) {
        p = median(await peer.time(row.peer, row.reps));
        await peer.settle();
      }
      const old = prev(row.reps), ours = time(row, row.reps);
      per.push({
        ours: median(ours.wall),
        prev: median(old.wall),
        peer: p,
        oursCpu: median(ours.cpu),
        prevCpu: median(old.cpu),
      });
    }
    const ours = iv(per.map((v) => v.ours)), old = iv(per.map((v) => v.prev));
    out.push({
      row: row.name,
      oursMs: ours,
      oursGflops: r3(row.flops / ours.median / 1e6),
      prevMs: old,
      prevGflops: r3(row.flops / old.median / 1e6),
      speedupVsPrev: iv(per.map((v) => v.prev / v.ours)),
      cpuSpeedupVsPrev: iv(per.map((v) => v.prevCpu / v.oursCpu)),
      peerMs: per[0]!.peer === null ? null : iv(per.map((v) => v.peer!)),
      ratioToPeer: per[0]!.peer === null ? null : iv(per.map((v) => v.peer! / v.ours)),
      prevRatioToPeer: per[0]!.peer === null ? null : iv(per.map((v) => v.peer! / v.prev)),
    });
  }
  cell.dispose();
  tf.dispose([x, f, dy]);
  await peer?.close();
  const loadAfter = loadAverage();
  const fmt = (m: Iv | null) => (m ? `${m.median} [${m.interval.join(", ")}]` : "");
  console.log(
    "| row | ours ms [95 % interval] | GFLOP/s | previous ms | GFLOP/s | speed-up [interval] | CPU speed-up | PyTorch 1 thread ms | ours / PyTorch | previous / PyTorch |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const m of out) {
    console.log(
      `| ${m.row} | ${fmt(m.oursMs)} | ${m.oursGflops} | ${fmt(m.prevMs)} | ${m.prevGflops} | ` +
        `${fmt(m.speedupVsPrev)} | ${fmt(m.cpuSpeedupVsPrev)} | ${fmt(m.peerMs)} | ` +
        `${fmt(m.ratioToPeer)} | ${fmt(m.prevRatioToPeer)} |`,
    );
  }
  console.log(
    JSON.stringify({ rounds, clock, loadBefore, loadAfter, peer: started?.note, rows: out }),
  );
}

if (import.meta.main) await main();
