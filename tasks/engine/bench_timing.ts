/**
 * How the engine bench times a case: alone (`warmup` untimed steps, then `reps` timed ones), or
 * in interleaved rounds against the PyTorch peers (each round ending with a turn of ours on every
 * core), and the row each gives (ratios as medians over rounds with a distribution-free interval,
 * checked against issue 14's targets).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { median } from "../core/stats.ts";
import { medianInterval, type TargetVerdict, targetVerdict } from "../core/interval.ts";
import type { BenchCase } from "./bench_cases.ts";
import { round, TorchPeer } from "./bench_machine.ts";

/** One row of the result file. */
export interface BenchRow {
  case: string;
  backend: string;
  msMedian: number;
  msMin: number;
  reps: number;
  gflops: number;
  /** Interleaved rounds with the peer (null: timed alone, no peer). */
  rounds: number | null;
  /** The one-thread peer: median of all its repetitions, ms. */
  peerMsMedian: number | null;
  peerMsMin: number | null;
  /** Peer time / our time: median of the per-round ratios, and its interval. */
  ratioToPeer: number | null;
  ratioToPeerLow: number | null;
  ratioToPeerHigh: number | null;
  /** Coverage of the interval (≥ 0.95 from 9 rounds on; 0.984 at 7). */
  ratioConfidence: number | null;
  /** Issue 14's target for `ratioToPeer` on wasm, and where the interval lies against it. */
  target: number | null;
  verdict: TargetVerdict | null;
  /** The same against the peer on every core. */
  peerMsMedianAllCores: number | null;
  ratioToPeerAllCores: number | null;
  ratioToPeerAllCoresLow: number | null;
  ratioToPeerAllCoresHigh: number | null;
  /** Threads of ours in each round's last turn (the thread-pool kernels installed), or null. */
  threads: number | null;
  msMedianThreads: number | null;
  /** Our one-thread time / our `threads`-thread time: median of the per-round ratios. */
  scalingThreads: number | null;
  scalingThreadsLow: number | null;
  scalingThreadsHigh: number | null;
  /** Issue 14's target for that scaling (matmul and conv), and where the interval lies. */
  scalingTarget: number | null;
  scalingVerdict: TargetVerdict | null;
  /** The all-cores peer's time / ours on `threads` threads. */
  ratioThreadsToPeerAllCores: number | null;
  ratioThreadsToPeerAllCoresLow: number | null;
  ratioThreadsToPeerAllCoresHigh: number | null;
  /** Peak bytes of TF.js tensors during one step (`tf.profile`). */
  tfPeakBytes: number;
}

/** Issue 14's targets for one wasm thread against the one-thread peer (peer time / ours). */
const TARGETS: Record<string, number> = { matmul1024: 0.45, lstmStep: 1.0, convLstmStep: 0.5 };

/** Issue 14's target for the scaling from one core to two, on matmul and conv. */
const SCALING_TARGETS: Record<string, number> = { matmul1024: 1.7, convLstmStep: 1.7 };

/**
 * Timed repetitions per case and backend when timed alone. cpu and software webgpu are
 * 20–130× slower than wasm (a software-webgpu conv-LSTM step took 105 s here), so they get one
 * warm-up and few reps.
 */
function repsFor(backend: string, name: string, quick: boolean): { warmup: number; reps: number } {
  const slow = backend !== "wasm";
  const base: Record<string, number> = slow
    ? { matmul1024: 3, matmul512TransposeA: 3, lstmStep: 10, convLstmStep: 1 }
    : { matmul1024: 15, matmul512TransposeA: 5, lstmStep: 50, convLstmStep: 7 };
  const reps = quick ? Math.max(1, Math.ceil(base[name]! / 3)) : base[name]!;
  return { warmup: slow || quick ? 1 : 3, reps };
}

/** Rounds against the peer: how many, and each side's repetitions per round. */
function roundsFor(
  name: string,
  quick: boolean,
): { warmup: number; rounds: number; perRound: number } {
  const perRound: Record<string, number> = { matmul1024: 3, lstmStep: 20, convLstmStep: 2 };
  return {
    warmup: quick ? 1 : 3,
    rounds: quick ? 7 : 15,
    perRound: quick ? Math.max(1, Math.ceil(perRound[name]! / 2)) : perRound[name]!,
  };
}

/** Milliseconds of each of `n` steps of `c` on the active backend. */
async function timeSteps(c: BenchCase, backend: string, n: number): Promise<number[]> {
  const sync = backend === "webgpu";
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const out = c.step();
    if (sync) await Promise.all(out.map((t) => t.data()));
    ms.push(performance.now() - t0);
    tf.dispose(out);
  }
  return ms;
}

/** Peak bytes of TF.js tensors during one step. */
async function stepPeakBytes(c: BenchCase): Promise<number> {
  const prof = await tf.profile(() => {
    tf.dispose(c.step());
    return undefined as unknown as tf.Tensor;
  });
  return prof.peakBytes;
}

/** `warmup` untimed steps, then `reps` timed ones (see {@link repsFor}); no peer. */
export async function timeAlone(c: BenchCase, backend: string, quick: boolean): Promise<CaseTimes> {
  const { warmup, reps } = repsFor(backend, c.name, quick);
  await timeSteps(c, backend, warmup);
  const ms = await timeSteps(c, backend, reps);
  const tfPeakBytes = await stepPeakBytes(c);
  return {
    ms,
    rounds: null,
    perRound: [],
    peerMs: [],
    peerAllMs: [],
    msThreads: [],
    threads: null,
    tfPeakBytes,
  };
}

/** The PyTorch peers: one thread (like tfjs-backend-wasm here) and every core. */
export interface Peers {
  one: TorchPeer | null;
  all: TorchPeer | null;
  note: string;
}

/** Starts the peers, or says why there are none. */
export async function startPeers(noPeer: boolean, cores: number): Promise<Peers> {
  if (noPeer) return { one: null, all: null, note: "PyTorch peer skipped (--no-peer)" };
  const one = await TorchPeer.start(1);
  const all = one.peer && cores > 1 ? (await TorchPeer.start(cores)).peer : null;
  return { one: one.peer, all, note: one.note };
}

/** One case's timings: ours, and the peers' from the same rounds. */
export interface CaseTimes {
  ms: number[];
  rounds: number | null;
  /** Per round: our median, each peer's, and ours on several threads. */
  perRound: { ours: number; one: number | null; all: number | null; threads: number | null }[];
  peerMs: number[];
  peerAllMs: number[];
  /** Ours with the thread-pool kernels installed, and on how many threads (null: not run). */
  msThreads: number[];
  threads: number | null;
  tfPeakBytes: number;
}

/** Ours on several cores: the pool's size, and what installs its kernels (returning the undo). */
export interface OursThreaded {
  threads: number;
  install(): () => void;
}

/** `n` steps of `c` with the thread-pool kernels installed for those steps only. */
async function timeThreaded(
  c: BenchCase,
  backend: string,
  n: number,
  t: OursThreaded,
): Promise<number[]> {
  const uninstall = t.install();
  try {
    return await timeSteps(c, backend, n);
  } finally {
    uninstall();
  }
}

/**
 * Our repetitions and the peers', interleaved in rounds after a warm-up of each (see the
 * module doc). Each round runs the all-cores peer, then the one-thread peer, then ours, so
 * that ours and the one-thread peer's are adjacent, then (given `threaded`) ours on every core.
 * After each peer's turn the bench waits until its process is idle ({@link TorchPeer.settle}):
 * the idle OpenBLAS threads of the multi-threaded peer spin for tens of milliseconds after each
 * call and would slow the next.
 */
export async function interleavedRounds(
  c: BenchCase,
  backend: string,
  peers: Peers,
  quick: boolean,
  threaded: OursThreaded | null = null,
): Promise<CaseTimes> {
  const { warmup, rounds, perRound } = roundsFor(c.name, quick);
  await timeSteps(c, backend, warmup);
  if (threaded) await timeThreaded(c, backend, warmup, threaded);
  await peers.all?.time(c.name, warmup);
  await peers.all?.settle();
  await peers.one?.time(c.name, warmup);
  await peers.one?.settle();
  const out: CaseTimes = {
    ms: [],
    rounds,
    perRound: [],
    peerMs: [],
    peerAllMs: [],
    msThreads: [],
    threads: threaded?.threads ?? null,
    tfPeakBytes: 0,
  };
  for (let r = 0; r < rounds; r++) {
    const all = peers.all ? await peers.all.time(c.name, perRound) : null;
    await peers.all?.settle();
    const one = peers.one ? await peers.one.time(c.name, perRound) : null;
    await peers.one?.settle();
    const ours = await timeSteps(c, backend, perRound);
    const many = threaded ? await timeThreaded(c, backend, perRound, threaded) : null;
    out.ms.push(...ours);
    if (one) out.peerMs.push(...one);
    if (all) out.peerAllMs.push(...all);
    if (many) out.msThreads.push(...many);
    out.perRound.push({
      ours: median(ours),
      one: one && median(one),
      all: all && median(all),
      threads: many && median(many),
    });
  }
  out.tfPeakBytes = await stepPeakBytes(c);
  return out;
}

type Turn = keyof CaseTimes["perRound"][number];

/** A ratio's median and interval over rounds of (num / den), or null where a turn is missing. */
interface RoundRatio {
  ratio: number;
  low: number;
  high: number;
  confidence: number;
}

function roundRatio(rounds: CaseTimes["perRound"], num: Turn, den: Turn): RoundRatio | null {
  const ratios: number[] = [];
  for (const r of rounds) {
    const n = r[num], d = r[den];
    if (n !== null && d !== null) ratios.push(n / d);
  }
  if (ratios.length === 0) return null;
  const iv = medianInterval(ratios);
  return {
    ratio: round(iv.median),
    low: round(iv.lo),
    high: round(iv.hi),
    confidence: round(iv.level, 4),
  };
}

/** `name`'s target in `targets` and where `r`'s interval lies against it (nulls without either). */
function checked(
  r: RoundRatio | null,
  targets: Record<string, number>,
  name: string,
): { target: number | null; verdict: TargetVerdict | null } {
  const target = r && targets[name] !== undefined ? targets[name]! : null;
  return {
    target,
    verdict: r && target !== null ? targetVerdict({ lo: r.low, hi: r.high }, target) : null,
  };
}

/** One row from a case's timings. */
export function benchRow(c: BenchCase, backend: string, t: CaseTimes): BenchRow {
  const m = median(t.ms);
  const one = roundRatio(t.perRound, "one", "ours");
  const all = roundRatio(t.perRound, "all", "ours");
  const scaling = roundRatio(t.perRound, "ours", "threads");
  const allToThreads = roundRatio(t.perRound, "all", "threads");
  const { target, verdict } = checked(one, TARGETS, c.name);
  const scalingCheck = checked(scaling, SCALING_TARGETS, c.name);
  return {
    case: c.name,
    backend,
    msMedian: round(m),
    msMin: round(Math.min(...t.ms)),
    reps: t.ms.length,
    gflops: round(c.flops / m / 1e6, 2),
    rounds: t.rounds,
    peerMsMedian: t.peerMs.length ? round(median(t.peerMs)) : null,
    peerMsMin: t.peerMs.length ? round(Math.min(...t.peerMs)) : null,
    ratioToPeer: one?.ratio ?? null,
    ratioToPeerLow: one?.low ?? null,
    ratioToPeerHigh: one?.high ?? null,
    ratioConfidence: one?.confidence ?? null,
    target,
    verdict,
    peerMsMedianAllCores: t.peerAllMs.length ? round(median(t.peerAllMs)) : null,
    ratioToPeerAllCores: all?.ratio ?? null,
    ratioToPeerAllCoresLow: all?.low ?? null,
    ratioToPeerAllCoresHigh: all?.high ?? null,
    threads: t.msThreads.length ? t.threads : null,
    msMedianThreads: t.msThreads.length ? round(median(t.msThreads)) : null,
    scalingThreads: scaling?.ratio ?? null,
    scalingThreadsLow: scaling?.low ?? null,
    scalingThreadsHigh: scaling?.high ?? null,
    scalingTarget: scalingCheck.target,
    scalingVerdict: scalingCheck.verdict,
    ratioThreadsToPeerAllCores: allToThreads?.ratio ?? null,
    ratioThreadsToPeerAllCoresLow: allToThreads?.low ?? null,
    ratioThreadsToPeerAllCoresHigh: allToThreads?.high ?? null,
    tfPeakBytes: t.tfPeakBytes,
  };
}
