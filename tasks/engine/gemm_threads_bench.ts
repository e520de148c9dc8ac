/**
 * Two-core scaling of the relaxed-SIMD GEMM (`gemm_threads.ts`): the same pool code with one
 * thread and with two, against PyTorch with one and with two threads (`bench_torch.py`'s
 * `matmul1024`), in interleaved rounds after a warm-up (peer 1 thread, peer 2 threads, ours 1,
 * ours 2). Our times include copying A and B into the shared memory and C out. Not a test; run:
 *
 *   deno run -A --v8-flags=--no-liftoff tasks/engine/gemm_threads_bench.ts [--rounds N] [--no-peer]
 *
 * Reports per shape the medians of the rounds with distribution-free 95 % intervals
 * (`tasks/core/interval.ts`): ms, GFLOP/s, our 2-thread speed-up over 1 thread, PyTorch's, and ours
 * over PyTorch at equal threads. Prints a Markdown table and one JSON line; writes nothing.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import { median } from "../core/stats.ts";
import { loadAverage, measureClockMHz, TorchPeer } from "./bench_machine.ts";
import { GemmThreads } from "./gemm_threads.ts";
import { handBenchArgs } from "./hand_bench_args.ts";
import { intervalCell, r3, roundedInterval as iv } from "./hand_bench_stats.ts";

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
  peer?: string;
  reps: number;
}

const SHAPES: Shape[] = [
  { name: "1024² A·B", m: 1024, k: 1024, n: 1024, peer: "matmul1024", reps: 3 },
  { name: "conv im2col 6272×1600·1600×128", m: 6272, k: 1600, n: 128, reps: 2 },
];

function time(pool: GemmThreads, a: Float32Array, b: Float32Array, s: Shape): number {
  const ms: number[] = [];
  for (let r = 0; r < s.reps; r++) {
    const t0 = performance.now();
    pool.matmul(a, b, s.m, s.k, s.n);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function main(): Promise<void> {
  const { rounds, noPeer } = handBenchArgs("gemm_threads_bench");
  const loadBefore = loadAverage();
  const clock = measureClockMHz();
  const one = await GemmThreads.start(1), two = await GemmThreads.start(2);
  const p1 = noPeer ? null : await TorchPeer.start(1);
  const p2 = noPeer ? null : await TorchPeer.start(2);
  const rng = new Rng(9);
  const rows: Record<string, unknown>[] = [];
  for (const s of SHAPES) {
    const a = Float32Array.from({ length: s.m * s.k }, () => rng.normal());
    const b = Float32Array.from({ length: s.k * s.n }, () => rng.normal());
    const peers = s.peer ? [p1?.peer ?? null, p2?.peer ?? null] : [null, null];
    time(one, a, b, s), time(two, a, b, s);
    for (const p of peers) if (p) await p.time(s.peer!, s.reps);
    const per: { o1: number; o2: number; t1: number | null; t2: number | null }[] = [];
    for (let r = 0; r < rounds; r++) {
      const t: (number | null)[] = [];
      for (const p of peers) {
        if (!p) {
          t.push(null);
          continue;
        }
        t.push(median(await p.time(s.peer!, s.reps)));
        await p.settle();
      }
      per.push({ t1: t[0]!, t2: t[1]!, o1: time(one, a, b, s), o2: time(two, a, b, s) });
    }
    const gf = (ms: number) => r3(2 * s.m * s.n * s.k / ms / 1e6);
    const o1 = iv(per.map((x) => x.o1)), o2 = iv(per.map((x) => x.o2));
    const hasPeer = per[0]!.t1 !== null && per[0]!.t2 !== null;
    rows.push({
      shape: s.name,
      ours1Ms: o1,
      ours2Ms: o2,
      ours1Gflops: gf(o1.median),
      ours2Gflops: gf(o2.median),
      oursScaling: iv(per.map((x) => x.o1 / x.o2)),
      peer1Ms: hasPeer ? iv(per.map((x) => x.t1!)) : null,
      peer2Ms: hasPeer ? iv(per.map((x) => x.t2!)) : null,
      peerScaling: hasPeer ? iv(per.map((x) => x.t1! / x.t2!)) : null,
      ratioToPeer1: hasPeer ? iv(per.map((x) => x.t1! / x.o1)) : null,
      ratioToPeer2: hasPeer ? iv(per.map((x) => x.t2! / x.o2)) : null,
    });
  }
  one.close(), two.close();
  await p1?.peer?.close();
  await p2?.peer?.close();
  console.log(
    "| shape | ours 1 thread ms | ours 2 threads ms | our 2/1 scaling | PyTorch 1 / 2 threads ms | PyTorch scaling | ours / PyTorch, 1 thread | ours / PyTorch, 2 threads |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.shape} | ${intervalCell(r.ours1Ms)} | ${intervalCell(r.ours2Ms)} | ${
        intervalCell(r.oursScaling)
      } | ` +
        `${intervalCell(r.peer1Ms)} / ${intervalCell(r.peer2Ms)} | ${
          intervalCell(r.peerScaling)
        } | ${intervalCell(r.ratioToPeer1)} | ` +
        `${intervalCell(r.ratioToPeer2)} |`,
    );
  }
  console.log(JSON.stringify({
    rounds,
    clock,
    cores: navigator.hardwareConcurrency,
    loadBefore,
    loadAfter: loadAverage(),
    peer: p1?.peer?.info ?? p1?.note ?? "--no-peer",
    rows,
  }));
}

if (import.meta.main) await main();
