/**
 * Shared LSTM benchmark for the measured experiments: a seeded LSTM regression problem, the
 * policies of every method at a memory fraction, and a timed, memory-measured run of one policy
 * (which also gives the cell's measured β = backward/forward time per op).
 *
 * Memory is measured from TF.js: `tf.memory().numBytes` sampled after every op and at the end of
 * every step's `tf.tidy`, where the step's intermediates are all still alive (high-water mark above
 * the bytes live before the iteration: stored states, the register, running and accumulated
 * gradients, per-step transients). `tf.profile` would see the same but overflows the call stack
 * (`Math.max(...kernels)`) on a 1000-step run. Time is wall clock and process CPU time per iteration.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { Rng } from "../../../tasks/core/rng.ts";
import { median } from "../../../tasks/core/stats.ts";
import { lstmCell } from "../cells.ts";
import { chenPlan } from "../chen.ts";
import { type BpttProblem, runPolicy, stateSizes } from "../executor.ts";
import { plan, storeAllMemory, storeAllOps } from "../plan.ts";
import type { Op } from "../policy.ts";
import { simulate } from "../simulate.ts";

/** Size of the benchmark problem. */
export interface LstmSize {
  /** Sequence length t. */
  t: number;
  /** LSTM units H (input size D = H). */
  hidden: number;
  /** Batch size. */
  batch: number;
}

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

/** A method's policy at a memory budget. */
export interface MethodPolicy {
  method: "bptt" | "chen" | "hsm" | "ism" | "msm";
  /** Budget (or, for bptt/chen, the policy's memory) / memory of standard BPTT, in units. */
  memoryFraction: number;
  /** Budget in hidden-state units (counting h0). */
  budgetUnits: number;
  cost: number;
  ops: Op[];
}

/**
 * Policies of standard BPTT, Chen √t, and HSM/ISM/MSM at each memory fraction. Standard BPTT's
 * memory is `α(t−1)+1` units with the measured (fractional) α; the DP plans with `⌈α⌉`, so the
 * real stored bytes stay under the budget.
 */
export function methodPolicies(
  t: number,
  alphaMeasured: number,
  fractions: readonly number[],
  methods: readonly string[],
): MethodPolicy[] {
  const alpha = Math.ceil(alphaMeasured - 1e-9);
  const full = alphaMeasured * (t - 1) + 1; // standard BPTT, in hidden-state units
  const out: MethodPolicy[] = [];
  if (methods.includes("bptt")) {
    out.push({
      method: "bptt",
      memoryFraction: 1,
      budgetUnits: full,
      cost: t,
      ops: storeAllOps(t),
    });
  }
  if (methods.includes("chen")) {
    const c = chenPlan(t, alpha);
    const units = simulate(c.ops, { t, memory: Infinity, alpha: alphaMeasured }).peakMemory;
    out.push({
      method: "chen",
      memoryFraction: units / full,
      budgetUnits: units,
      cost: c.cost,
      ops: c.ops,
    });
  }
  for (const method of ["hsm", "ism", "msm"] as const) {
    if (!methods.includes(method)) continue;
    for (const f of fractions) {
      const m = Math.max(1, Math.floor(f * full));
      const p = plan({ t, memory: Math.min(m, storeAllMemory(t, alpha)), strategy: method, alpha });
      out.push({ method, memoryFraction: f, budgetUnits: m, cost: p.cost, ops: p.ops });
    }
  }
  return out;
}

/** One measured run of a policy. */
export interface PolicyTiming {
  msPerIteration: number;
  cpuMsPerIteration: number;
  /** TF.js high-water bytes above the pre-iteration level (max over iterations). */
  peakBytes: number;
  /** Bytes in the policy's store at its peak. */
  peakStoredBytes: number;
  forwardOps: number;
  loss: number;
  /** Mean wall ms of one forward op / one backward op (incl. the per-step loss VJP). */
  fwdMsPerOp: number;
  bwdMsPerOp: number;
}

/** Run `ops` once, measuring wall time, CPU time and TF.js peak bytes. */
export function timeOnce(problem: BpttProblem, ops: readonly Op[]): PolicyTiming {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runPolicy(problem, ops);
  r.grads[0]!.dataSync();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  tf.dispose(r.grads);
  return {
    msPerIteration: ms,
    cpuMsPerIteration: (c.user + c.system) / 1000,
    peakBytes: r.peakTfBytes,
    peakStoredBytes: r.peakStoredBytes,
    forwardOps: r.forwardOps,
    loss: r.loss,
    fwdMsPerOp: r.forwardMs / r.forwardOps,
    bwdMsPerOp: r.backwardMs / problem.inputs.length,
  };
}

/**
 * Combine iterations: the fastest run for times (the one least disturbed by other processes on a
 * shared machine), the median too, and the maximum for peak bytes.
 */
export function combine(runs: readonly PolicyTiming[]): PolicyTiming & { msMedian: number } {
  return {
    msPerIteration: Math.min(...runs.map((r) => r.msPerIteration)),
    msMedian: median(runs.map((r) => r.msPerIteration)),
    cpuMsPerIteration: Math.min(...runs.map((r) => r.cpuMsPerIteration)),
    peakBytes: Math.max(...runs.map((r) => r.peakBytes)),
    peakStoredBytes: Math.max(...runs.map((r) => r.peakStoredBytes)),
    forwardOps: runs[0]!.forwardOps,
    loss: runs[0]!.loss,
    fwdMsPerOp: Math.min(...runs.map((r) => r.fwdMsPerOp)),
    bwdMsPerOp: Math.min(...runs.map((r) => r.bwdMsPerOp)),
  };
}

/**
 * Time every policy `iterations` times, interleaved (policy order alternates each round, so slow
 * drifts of a shared machine hit all methods alike), after an untimed run of the first and
 * the last policy (warm-up).
 *
 * @param problem the LSTM problem
 * @param policies op lists to run
 * @param iterations timed runs per policy
 * @param onRun called after each run with (done, total)
 * @returns one combined timing per policy, same order
 */
export function measurePolicies(
  problem: BpttProblem,
  policies: readonly { ops: readonly Op[] }[],
  iterations: number,
  onRun: (done: number, total: number) => void,
): (PolicyTiming & { msMedian: number })[] {
  // Warm-up: one untimed run of the first and the last policy (wasm tier-up, kernel caches).
  tf.dispose(runPolicy(problem, policies[0]!.ops).grads);
  tf.dispose(runPolicy(problem, policies.at(-1)!.ops).grads);
  const runs: PolicyTiming[][] = policies.map(() => []);
  let done = 0;
  for (let it = 0; it < iterations; it++) {
    const order = policies.map((_, i) => i);
    if (it % 2 === 1) order.reverse();
    for (const i of order) {
      runs[i]!.push(timeOnce(problem, policies[i]!.ops));
      onRun(++done, iterations * policies.length);
    }
  }
  return runs.map(combine);
}

/**
 * One measured cell of the LSTM experiments: build the seeded problem, measure α, plan every
 * method at every memory fraction, and time them interleaved in this process.
 * @returns `{hiddenBytes, internalBytes, alpha, backend, rows}`, one row per policy with its
 *   method, memory fraction, budget (units and bytes; null where the method has no budget),
 *   planned forward ops and timing.
 */
export function measureLstmMethods(
  size: LstmSize & { iterations: number },
  seed: number,
  fractions: readonly number[],
  methods: readonly string[],
  onRun: (done: number, total: number) => void,
) {
  const problem = lstmProblem({ t: size.t, hidden: size.hidden, batch: size.batch }, seed);
  const { hiddenBytes, internalBytes } = stateSizes(problem);
  const alpha = internalBytes / hiddenBytes;
  const policies = methodPolicies(size.t, alpha, fractions, methods);
  const timings = measurePolicies(problem, policies, size.iterations, onRun);
  problem.dispose();
  return {
    hiddenBytes,
    internalBytes,
    alpha,
    backend: tf.getBackend(),
    rows: policies.map((p, i) => ({
      method: p.method,
      memoryFraction: p.memoryFraction,
      budgetUnits: p.budgetUnits,
      budgetBytes: p.method === "bptt" || p.method === "chen" ? null : p.budgetUnits * hiddenBytes,
      plannedCost: p.cost,
      ...timings[i]!,
    })),
  };
}
