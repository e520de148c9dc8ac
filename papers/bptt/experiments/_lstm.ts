/**
 * Shared LSTM benchmark for the measured experiments: a seeded LSTM regression problem, budgets in
 * total bytes, the policies of every method at a budget, interleaved timing rounds and the cell's
 * β (backward/forward time per op).
 *
 * **Memory** is counted as unique TF.js buffers ({@link UniqueBytesProbe}: a clone or a view of a
 * buffer counts once, an exact high-water mark at every allocation), above the level before the
 * iteration (params, inputs and targets excluded). The sum of live tensors (`tf.memory()`, what
 * the executor samples) is reported beside it; it counts the internal state's copy of the previous
 * step's `h, c` twice.
 *
 * **Budgets** are what a user sets: total bytes. The planner first measures the fixed bytes of an
 * iteration (gradient accumulators, the register, the backward step's transients: the peak of a
 * 4-step run that stores nothing but `h_0`), then gives the stored states what is left:
 * `m = ⌊(budget − fixed) / |h|⌋` hidden-state units.
 *
 * **Time** comes from interleaved rounds in one process: one warm-up round (discarded), then
 * `rounds` rounds that run every policy once, the order reversed every other round. A method's
 * time ratio is the per-round ratio to standard BPTT in the same round, summarised by its median
 * and an order-statistic interval ({@link medianInterval}); wall and process CPU time both.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { insideInterval, medianInterval, ratioInterval } from "../../../tasks/core/interval.ts";
import { uniquePeakBytes } from "../../../tasks/core/memory.ts";
import { Rng } from "../../../tasks/core/rng.ts";
import { lstmCell } from "../cells.ts";
import { chenPlan } from "../chen.ts";
import { type BpttProblem, runPolicy, stateSizes } from "../executor.ts";
import { plan, storeAllMemory, storeAllOps } from "../plan.ts";
import type { Op } from "../policy.ts";

/** Size of the benchmark problem. */
export interface LstmSize {
  /** Sequence length t. */
  t: number;
  /** LSTM units H (input size D = H). */
  hidden: number;
  /** Batch size. */
  batch: number;
}

/** The paper's implied β (notes §3: the one-third claim needs a backward op ≈ 2 forward ops). */
export const PAPER_BETA = 2;

/** Build a seeded LSTM problem: random inputs, per-step squared error of a read-out to targets. */
export function lstmProblem(size: LstmSize, seed: number): BpttProblem & { dispose(): void } {
  const rng = new Rng(seed);
  const { t, hidden: H, batch: B } = size;
  const D = H;
  const O = 8; // read-out width
  const randn = (shape: number[], s: number) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * s),
      shape,
    );
  const kernel = randn([D + H, 4 * H], 1 / Math.sqrt(D + H)) as tf.Tensor2D;
  const bias = tf.zeros([4 * H]) as tf.Tensor1D;
  const wOut = randn([H, O], 1 / Math.sqrt(H));
  const inputs = Array.from({ length: t }, () => randn([B, D], 1) as tf.Tensor2D);
  const targets = Array.from({ length: t }, () => randn([B, O], 1));
  const h0 = [tf.zeros([B, H]), tf.zeros([B, H])];
  const all = [kernel, bias, wOut, ...inputs, ...targets, ...h0];
  return {
    cell: lstmCell({ kernel, bias }),
    inputs,
    initialState: h0,
    lossParams: [wOut],
    loss: (state, s, [w]) =>
      tf.mean(
        tf.square(tf.sub(tf.matMul(state[0] as tf.Tensor2D, w as tf.Tensor2D), targets[s - 1]!)),
      ),
    dispose: () => tf.dispose(all),
  };
}

/** One run of a policy. */
export interface RunSample {
  wallMs: number;
  cpuMs: number;
  /** Unique-buffer high-water bytes above the pre-iteration level. */
  uniquePeakBytes: number;
  /** `tf.memory().numBytes` high-water above the pre-iteration level (executor's sampling). */
  tfPeakBytes: number;
  /** Tensor bytes in the policy's store at its peak (executor's accounting). */
  peakStoredBytes: number;
  forwardOps: number;
  loss: number;
}

/** Run `ops` once, measuring wall time, CPU time, unique and summed TF.js peak bytes. */
export function runOnce(problem: BpttProblem, ops: readonly Op[]): RunSample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { result: r, peakBytes } = uniquePeakBytes(() => {
    const r = runPolicy(problem, ops);
    r.grads[0]!.dataSync();
    return r;
  });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  tf.dispose(r.grads);
  return {
    wallMs,
    cpuMs: (c.user + c.system) / 1000,
    uniquePeakBytes: peakBytes,
    tfPeakBytes: r.peakTfBytes,
    peakStoredBytes: r.peakStoredBytes,
    forwardOps: r.forwardOps,
    loss: r.loss,
  };
}

/**
 * Fixed bytes of an iteration, whatever the budget: the unique-byte peak of a 4-step run that
 * stores only `h_0` (gradient accumulators old and new, the running state gradient, the register
 * with a fresh internal state, the loss and backward transients).
 */
export function fixedBytes(problem: BpttProblem): number {
  const n = Math.min(4, problem.inputs.length);
  const short = { ...problem, inputs: problem.inputs.slice(0, n) };
  const ops = plan({ t: n, memory: 1, strategy: "hsm", alpha: 1 }).ops;
  runOnce(short, ops); // warm-up (kernel set-up allocations)
  return runOnce(short, ops).uniquePeakBytes;
}

/** A policy to time: a method at a budget, or a reason it is not run. */
export interface MethodPolicy {
  method: "bptt" | "chen" | "hsm" | "ism" | "msm";
  /** Requested budget / standard BPTT's measured unique peak (1 for bptt, measured for chen). */
  memoryFraction: number;
  /** Total budget in bytes (null for bptt and chen, which have none). */
  budgetBytes: number | null;
  /** Hidden-state units left for stored states after the fixed bytes. */
  budgetUnits: number | null;
  cost: number;
  ops: Op[];
}

/** Methods at a total-bytes budget that leaves no room, or one too slow to time. */
export interface SkippedPolicy {
  method: string;
  memoryFraction: number;
  budgetBytes: number;
  reason: string;
}

/**
 * Policies of standard BPTT, Chen √t, and HSM/ISM/MSM at each total-bytes budget. The DP plans
 * with `⌈α⌉` (α measured from tensor sizes), so the stored bytes stay under what the budget
 * leaves. A budget that leaves under `⌈α⌉ + 1` units, or whose plan costs more than `maxOpsPerStep`
 * forward ops per step, is skipped with its reason.
 */
export function methodPolicies(
  opts: {
    t: number;
    alphaMeasured: number;
    hiddenBytes: number;
    fixedBytes: number;
    standardPeakBytes: number;
    fractions: readonly number[];
    /** Extra budgets (fractions) for MSM alone, e.g. Chen's measured memory. */
    msmFractions?: readonly number[];
    methods: readonly string[];
    maxOpsPerStep: number;
  },
): { policies: MethodPolicy[]; skipped: SkippedPolicy[] } {
  const { t, methods } = opts;
  const alpha = Math.ceil(opts.alphaMeasured - 1e-9);
  const policies: MethodPolicy[] = [];
  const skipped: SkippedPolicy[] = [];
  if (methods.includes("bptt")) {
    policies.push({
      method: "bptt",
      memoryFraction: 1,
      budgetBytes: null,
      budgetUnits: null,
      cost: t,
      ops: storeAllOps(t),
    });
  }
  if (methods.includes("chen")) {
    const c = chenPlan(t, alpha);
    policies.push({
      method: "chen",
      memoryFraction: NaN, // measured
      budgetBytes: null,
      budgetUnits: null,
      cost: c.cost,
      ops: c.ops,
    });
  }
  for (const method of ["hsm", "ism", "msm"] as const) {
    if (!methods.includes(method)) continue;
    const fractions = method === "msm"
      ? [...opts.fractions, ...opts.msmFractions ?? []]
      : opts.fractions;
    for (const f of fractions) {
      const bytes = f * opts.standardPeakBytes;
      const m = Math.floor((bytes - opts.fixedBytes) / opts.hiddenBytes);
      if (m < alpha + 1) {
        skipped.push({
          method,
          memoryFraction: f,
          budgetBytes: bytes,
          reason: `${Math.round(bytes)} B leave ${m} units after ${opts.fixedBytes} fixed bytes`,
        });
        continue;
      }
      const p = plan({ t, memory: Math.min(m, storeAllMemory(t, alpha)), strategy: method, alpha });
      if (p.cost > opts.maxOpsPerStep * t) {
        skipped.push({
          method,
          memoryFraction: f,
          budgetBytes: bytes,
          reason: `${p.cost / t} forward ops per step at m = ${m} (over ${opts.maxOpsPerStep})`,
        });
        continue;
      }
      policies.push({
        method,
        memoryFraction: f,
        budgetBytes: bytes,
        budgetUnits: m,
        cost: p.cost,
        ops: p.ops,
      });
    }
  }
  return { policies, skipped };
}

/**
 * Run every policy once per round, interleaved: one warm-up round (discarded), then `rounds`
 * rounds, the order reversed every other round.
 * @returns the samples, `[policy][round]`
 */
export function measureRounds(
  problem: BpttProblem,
  policies: readonly { ops: readonly Op[] }[],
  rounds: number,
  onRun: (done: number, total: number) => void,
): RunSample[][] {
  const total = (rounds + 1) * policies.length;
  let done = 0;
  for (const p of policies) {
    runOnce(problem, p.ops);
    onRun(++done, total);
  }
  const samples: RunSample[][] = policies.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = policies.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      samples[i]!.push(runOnce(problem, policies[i]!.ops));
      onRun(++done, total);
    }
  }
  return samples;
}

/** Per-op times of the cell, one value per round (ms per op). */
export interface BetaSamples {
  forwardMs: number[];
  /** The cell's VJP alone. */
  backwardMs: number[];
  /** The per-step loss's value and gradient. */
  lossMs: number[];
  /** Adding the step's parameter gradients to the accumulators. */
  accumulateMs: number[];
}

/**
 * Time the cell's forward op, its VJP, the loss VJP and the gradient accumulation apart, on
 * `steps` consecutive steps per round, interleaved over `rounds` rounds (one warm-up round).
 */
export function measureBeta(problem: BpttProblem, steps: number, rounds: number): BetaSamples {
  const n = Math.min(steps, problem.inputs.length);
  const { cell, inputs } = problem;
  const lossParams = problem.lossParams ?? [];
  const states: tf.Tensor[][] = [problem.initialState.map((x) => tf.clone(x))];
  const internals: tf.Tensor[][] = [];
  for (let s = 1; s <= n; s++) {
    const r = tf.tidy(() => {
      const o = cell.forward(inputs[s - 1]!, states[s - 1]!);
      return {
        state: o.state.map((x) => tf.clone(x)),
        internal: o.internal.map((x) => tf.clone(x)),
      };
    });
    states.push(r.state);
    internals.push(r.internal);
  }
  const dState = problem.initialState.map((x) => tf.onesLike(x));
  const accs = [...cell.params, ...lossParams].map((p) => tf.zerosLike(p));
  const grads = cell.params.map((p) => tf.onesLike(p));
  const timeIt = (f: (s: number) => void) => {
    const t0 = performance.now();
    for (let s = 1; s <= n; s++) tf.tidy(() => f(s));
    return (performance.now() - t0) / n;
  };
  const parts: ((s: number) => void)[] = [
    (s) => void cell.forward(inputs[s - 1]!, states[s - 1]!),
    (s) => void cell.backward(inputs[s - 1]!, internals[s - 1]!, dState),
    (s) => {
      const h = states[s]!;
      const f = (...args: tf.Tensor[]) => {
        const l = problem.loss(args.slice(0, h.length), s, args.slice(h.length));
        return tf.add(l, tf.mul(0, tf.addN(args.map((a) => tf.sum(a))))) as tf.Scalar;
      };
      tf.valueAndGrads(f)([...h, ...lossParams]);
    },
    () => void accs.slice(0, grads.length).map((a, j) => tf.add(a, grads[j]!)),
  ];
  const out: number[][] = parts.map(() => []);
  for (let r = -1; r < rounds; r++) {
    const order = parts.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const ms = timeIt(parts[i]!);
      if (r >= 0) out[i]!.push(ms);
    }
  }
  tf.dispose([...states.flat(), ...internals.flat(), ...dState, ...accs, ...grads]);
  return { forwardMs: out[0]!, backwardMs: out[1]!, lossMs: out[2]!, accumulateMs: out[3]! };
}

/** `(C/t + β)/(1 + β)`: the time ratio to standard BPTT that the op count predicts. */
export function predictedTimeRatio(opsPerStep: number, beta: number): number {
  return (opsPerStep + beta) / (1 + beta);
}

/**
 * One measured cell of the LSTM experiments: build the seeded problem, measure α, standard BPTT's
 * peak and the fixed bytes, plan every method at every total-bytes budget, time them interleaved
 * and measure β per op.
 * @returns sizes, α, β (cell and whole backward step, with intervals), fixed and standard peak
 *   bytes, one row per timed policy (memory, time and time ratio with intervals, prediction) and
 *   the skipped budgets with their reason
 */
export function measureLstmMethods(
  size: LstmSize & { rounds: number; maxOpsPerStep?: number; msmFractions?: readonly number[] },
  seed: number,
  fractions: readonly number[],
  methods: readonly string[],
  onRun: (done: number, total: number) => void,
) {
  const problem = lstmProblem({ t: size.t, hidden: size.hidden, batch: size.batch }, seed);
  const { hiddenBytes, internalBytes } = stateSizes(problem);
  const alpha = internalBytes / hiddenBytes;
  const fixed = fixedBytes(problem);
  runOnce(problem, storeAllOps(size.t)); // warm-up
  // MSM at Chen's measured memory as well: the two at equal memory.
  const chenPeak = methods.includes("chen") && methods.includes("msm")
    ? runOnce(problem, chenPlan(size.t, Math.ceil(alpha - 1e-9)).ops).uniquePeakBytes
    : null;
  const standard = runOnce(problem, storeAllOps(size.t));
  const { policies, skipped } = methodPolicies({
    t: size.t,
    alphaMeasured: alpha,
    hiddenBytes,
    fixedBytes: fixed,
    standardPeakBytes: standard.uniquePeakBytes,
    fractions,
    msmFractions: [
      ...size.msmFractions ?? [],
      ...chenPeak === null ? [] : [chenPeak / standard.uniquePeakBytes],
    ],
    methods: methods.includes("bptt") ? methods : ["bptt", ...methods],
    maxOpsPerStep: size.maxOpsPerStep ?? 4,
  });
  const samples = measureRounds(problem, policies, size.rounds, onRun);
  const b = measureBeta(problem, Math.min(200, size.t), Math.max(size.rounds, 9));
  problem.dispose();
  const betaCell = ratioInterval(b.backwardMs, b.forwardMs);
  const stepBwd = b.backwardMs.map((v, i) => v + b.lossMs[i]! + b.accumulateMs[i]!);
  const betaStep = ratioInterval(stepBwd, b.forwardMs);
  const base = samples[policies.findIndex((p) => p.method === "bptt")]!;
  const basePeak = Math.max(...base.map((s) => s.uniquePeakBytes));
  const baseTfPeak = Math.max(...base.map((s) => s.tfPeakBytes));
  const rows = policies.map((p, i) => {
    const s = samples[i]!;
    const wall = s.map((x) => x.wallMs);
    const cpu = s.map((x) => x.cpuMs);
    const timeRatio = ratioInterval(wall, base.map((x) => x.wallMs));
    const uniquePeak = Math.max(...s.map((x) => x.uniquePeakBytes));
    const opsPerStep = s[0]!.forwardOps / size.t;
    const predicted = predictedTimeRatio(opsPerStep, betaStep.median);
    return {
      method: p.method,
      memoryFraction: p.memoryFraction,
      budgetBytes: p.budgetBytes,
      budgetUnits: p.budgetUnits,
      plannedCost: p.cost,
      forwardOpsPerStep: opsPerStep,
      uniquePeakBytes: uniquePeak,
      tfPeakBytes: Math.max(...s.map((x) => x.tfPeakBytes)),
      peakStoredBytes: Math.max(...s.map((x) => x.peakStoredBytes)),
      uniquePeakFraction: uniquePeak / basePeak,
      tfPeakFraction: Math.max(...s.map((x) => x.tfPeakBytes)) / baseTfPeak,
      withinBudget: p.budgetBytes === null ? null : uniquePeak <= p.budgetBytes,
      wallMs: medianInterval(wall),
      cpuMs: medianInterval(cpu),
      timeRatio,
      cpuTimeRatio: ratioInterval(cpu, base.map((x) => x.cpuMs)),
      predictedTimeRatio: predicted,
      predictedTimeRatioPaperBeta: predictedTimeRatio(opsPerStep, PAPER_BETA),
      predictionInsideInterval: insideInterval(timeRatio, predicted),
      loss: s[0]!.loss,
    };
  });
  for (const r of rows) if (r.method === "chen") r.memoryFraction = r.uniquePeakFraction;
  return {
    hiddenBytes,
    internalBytes,
    alpha,
    backend: tf.getBackend(),
    fixedBytes: fixed,
    standardUniquePeakBytes: basePeak,
    standardTfPeakBytes: baseTfPeak,
    betaCell,
    betaStep,
    perOpMs: {
      forward: medianInterval(b.forwardMs),
      backward: medianInterval(b.backwardMs),
      loss: medianInterval(b.lossMs),
      accumulate: medianInterval(b.accumulateMs),
    },
    rows,
    skipped,
  };
}
