/**
 * Runs a BPTT policy (an op list from the planner) on a real TF.js recurrent cell and returns the
 * loss and the gradients; {@link budgetedBptt} plans the optimal policy for a memory budget.
 *
 * @example
 * ```ts
 * const cell = lstmCell({ kernel, bias });                 // [D+H, 4H], [4H]
 * const r = budgetedBptt({ cell, inputs, initialState: [h0, c0], loss, lossParams: [wOut] },
 *   { budget: { states: 50 }, strategy: "msm" });
 * r.grads;  // [dKernel, dBias, dWOut]: equal to plain BPTT, with ≤ 50 hidden states stored
 * tf.dispose(r.grads);
 * ```
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { bytesOf, CheckpointStore, clone, Register, TfPeak } from "./_executor_state.ts";
import type { RecurrentCell } from "./cells.ts";
import { type Plan, plan } from "./plan.ts";
import type { Op, Strategy } from "./policy.ts";

/** One training sequence for a cell. */
export interface BpttProblem {
  cell: RecurrentCell;
  /** `x_1..x_t`, each `[B, D]` (kept by the caller; not counted in the budget). */
  inputs: readonly tf.Tensor2D[];
  /** `h_0` (tensors of the cell's state, e.g. `[h, c]` for an LSTM, each `[B, H]`). */
  initialState: readonly tf.Tensor[];
  /** Per-step loss `ℓ_s(h_s)` (a scalar); the total loss is `Σ_s ℓ_s`. */
  loss: (state: readonly tf.Tensor[], step: number, lossParams: readonly tf.Tensor[]) => tf.Scalar;
  /** Parameters of the loss (e.g. a read-out); their gradients follow the cell's. */
  lossParams?: readonly tf.Tensor[];
}

/** Result of one BPTT iteration. */
export interface BpttResult {
  /** `Σ_s ℓ_s`. */
  loss: number;
  /** Gradients of the cell's params, then of the loss params (caller disposes). */
  grads: tf.Tensor[];
  /** Forward ops run (first pass included). */
  forwardOps: number;
  /** Peak bytes held in the policy's store (hidden and internal states, `h_0` included). */
  peakStoredBytes: number;
  /**
   * Peak of `tf.memory().numBytes` during the run, minus its value at the start: sampled after
   * every op and at the end of every step's `tf.tidy` (where all its intermediates are alive).
   */
  peakTfBytes: number;
  /** Wall time spent in forward ops and in backward ops (ms). */
  forwardMs: number;
  backwardMs: number;
}

/**
 * `loss + 0·Σ sum(args)`: TF.js refuses gradients for arguments a loss does not use (e.g. an
 * LSTM's cell state `c` when the loss reads only `h`); this makes them zero instead.
 */
function connected(loss: tf.Scalar, args: readonly tf.Tensor[]): tf.Scalar {
  if (args.length === 0) return loss;
  return tf.add(loss, tf.mul(0, tf.addN(args.map((a) => tf.sum(a))))) as tf.Scalar;
}

/**
 * Runs `F_{from+1} … F_to` from the register, leaving `h_to` and `I_to` in it.
 * @returns the number of forward ops run
 */
function forwardSegment(
  problem: BpttProblem,
  reg: Register,
  from: number,
  to: number,
  peak: TfPeak,
): number {
  let ran = 0;
  for (let s = from + 1; s <= to; s++) {
    const r = tf.tidy(() => {
      const out = problem.cell.forward(problem.inputs[s - 1]!, reg.state);
      const kept = { state: clone(out.state), internal: clone(out.internal) };
      peak.sample(); // inside tidy: every intermediate of F_s is still alive here
      return kept;
    });
    reg.drop();
    reg.state = r.state;
    reg.fresh = r.internal;
    reg.step = s;
    ran++;
    peak.sample();
  }
  return ran;
}

/** What the backward sweep carries from B_{s+1} to B_s (a type alias: `tf.tidy` returns it). */
type Sweep = {
  /** `∂L/∂h_s` from the steps after s. */
  dState: tf.Tensor[];
  /** Gradients accumulated so far: the cell's params, then the loss params. */
  grads: tf.Tensor[];
  /** `Σ ℓ` over the steps swept so far. */
  loss: tf.Scalar;
};

/** The sweep before B_t: zero gradients, zero loss. */
function startSweep(problem: BpttProblem): Sweep {
  const params = [...problem.cell.params, ...(problem.lossParams ?? [])];
  return {
    dState: problem.initialState.map((x) => tf.zerosLike(x)),
    grads: params.map((p) => tf.zerosLike(p)),
    loss: tf.scalar(0),
  };
}

/**
 * Backward op `B_s` from `I_s`: adds the step's loss and its VJP to the sweep (the old sweep's
 * tensors are freed).
 */
function backwardStep(
  problem: BpttProblem,
  s: number,
  I: readonly tf.Tensor[],
  sweep: Sweep,
  peak: TfPeak,
): Sweep {
  const { cell } = problem;
  const lossParams = problem.lossParams ?? [];
  const r = tf.tidy(() => {
    const h = cell.stateOf(I);
    const nS = h.length;
    const lossFn = (...args: tf.Tensor[]) =>
      connected(problem.loss(args.slice(0, nS), s, args.slice(nS)), args);
    const { value, grads: lg } = tf.valueAndGrads(lossFn)([...h, ...lossParams]);
    const dTotal = sweep.dState.map((d, j) => tf.add(d, lg[j]!));
    const back = cell.backward(problem.inputs[s - 1]!, I, dTotal);
    const nP = cell.params.length;
    const g = sweep.grads.map((acc, j) =>
      tf.add(acc, j < nP ? back.dParams[j]! : lg[nS + j - nP]!)
    );
    const kept: Sweep = {
      dState: back.dState,
      grads: g,
      loss: tf.add(sweep.loss, value) as tf.Scalar,
    };
    peak.sample(); // inside tidy: the step's intermediates (and the old accumulators) are alive
    return kept;
  });
  tf.dispose([...sweep.dState, ...sweep.grads, sweep.loss]);
  return r;
}

/**
 * Execute `ops` (see `policy.ts`) on `problem`.
 *
 * @param problem cell, inputs, `h_0`, loss
 * @param ops a valid policy for `t = inputs.length` (e.g. from `plan()`)
 * @returns loss, gradients and measured memory
 * @throws {Error} when the policy asks for a state that is not there
 */
export function runPolicy(problem: BpttProblem, ops: readonly Op[]): BpttResult {
  const peak = new TfPeak();
  const store = new CheckpointStore();
  store.put("hidden", 0, problem.initialState);
  const reg = new Register(clone(problem.initialState));
  let sweep = startSweep(problem);
  let forwardOps = 0, forwardMs = 0, backwardMs = 0;
  let nextBackward = problem.inputs.length;

  for (const o of ops) {
    switch (o.op) {
      case "forward": {
        if (reg.step !== o.from) {
          throw new Error(`forward from ${o.from} but cursor at ${reg.step}`);
        }
        const t0 = performance.now();
        forwardOps += forwardSegment(problem, reg, o.from, o.to, peak);
        forwardMs += performance.now() - t0;
        break;
      }
      case "storeHidden":
        if (reg.step !== o.step) throw new Error(`storeHidden ${o.step} but cursor at ${reg.step}`);
        store.put("hidden", o.step, reg.state);
        break;
      case "storeInternal":
        if (reg.step !== o.step || !reg.fresh) {
          throw new Error(`storeInternal ${o.step}: no fresh I`);
        }
        store.put("internal", o.step, reg.fresh);
        break;
      case "dropHidden":
      case "dropInternal":
        store.drop(o.op === "dropHidden" ? "hidden" : "internal", o.step, o.op);
        break;
      case "restoreHidden":
      case "restoreInternal": {
        const hidden = o.op === "restoreHidden";
        const ts = store.get(hidden ? "hidden" : "internal", o.step, o.op);
        reg.drop();
        reg.state = clone(hidden ? ts : problem.cell.stateOf(ts));
        reg.step = o.step;
        break;
      }
      case "backward": {
        const s = o.step;
        if (s !== nextBackward) throw new Error(`B_${s} out of order (expected B_${nextBackward})`);
        const I = reg.step === s && reg.fresh ? reg.fresh : store.internal(s);
        if (!I) throw new Error(`B_${s}: I_${s} is not available`);
        const t0 = performance.now();
        sweep = backwardStep(problem, s, I, sweep, peak);
        nextBackward--;
        backwardMs += performance.now() - t0;
        peak.sample();
        break;
      }
    }
    peak.sample();
  }
  if (nextBackward !== 0) throw new Error(`policy ended before B_1 (next B_${nextBackward})`);
  reg.drop();
  store.dispose();
  const loss = sweep.loss.dataSync()[0]!;
  tf.dispose([sweep.loss, ...sweep.dState]);
  return {
    loss,
    grads: sweep.grads,
    forwardOps,
    peakStoredBytes: store.peakBytes,
    peakTfBytes: peak.bytes,
    forwardMs,
    backwardMs,
  };
}

/** Sizes of the cell's hidden and internal states for this problem, in bytes. */
export function stateSizes(problem: BpttProblem): { hiddenBytes: number; internalBytes: number } {
  return tf.tidy(() => {
    const out = problem.cell.forward(problem.inputs[0]!, problem.initialState);
    return { hiddenBytes: bytesOf(out.state), internalBytes: bytesOf(out.internal) };
  });
}

/** A memory budget: bytes of stored states, or a number of hidden states. */
export type Budget = { bytes: number } | { states: number };

/**
 * Plan the optimal policy for a budget: `α = ⌈internal bytes / hidden bytes⌉`, `m` = budget in
 * hidden-state units (counting `h_0`). Plans are cached by (t, m, strategy, α, exact).
 *
 * @returns the plan
 * @throws {RangeError} when the budget cannot hold `h_0`
 */
export function planForBudget(
  problem: BpttProblem,
  options: { budget: Budget; strategy?: Strategy; exact?: boolean },
): Plan {
  const { hiddenBytes, internalBytes } = stateSizes(problem);
  const alpha = Math.max(1, Math.ceil(internalBytes / hiddenBytes - 1e-9));
  const memory = "bytes" in options.budget
    ? Math.floor(options.budget.bytes / hiddenBytes)
    : options.budget.states;
  if (!(memory >= 1)) {
    throw new RangeError(`budget below one hidden state (${hiddenBytes} bytes)`);
  }
  const t = problem.inputs.length;
  const strategy = options.strategy ?? "msm";
  const key = `${t}/${memory}/${strategy}/${alpha}/${options.exact ?? false}`;
  let p = PLAN_CACHE.get(key);
  if (!p) {
    p = plan({ t, memory, strategy, alpha, exact: options.exact ?? false });
    PLAN_CACHE.set(key, p);
  }
  return p;
}

const PLAN_CACHE = new Map<string, Plan>();

/**
 * One BPTT iteration with the optimal schedule for a memory budget.
 *
 * @param problem cell, inputs, `h_0`, loss
 * @param options budget (bytes or hidden states), strategy (default `msm`), exact form
 * @returns loss, gradients (equal to plain BPTT), measured memory, and the plan
 */
export function budgetedBptt(
  problem: BpttProblem,
  options: { budget: Budget; strategy?: Strategy; exact?: boolean },
): BpttResult & { plan: Plan } {
  const p = planForBudget(problem, options);
  return { ...runPolicy(problem, p.ops), plan: p };
}

/**
 * Plain BPTT by TF.js autodiff through the whole unrolled sequence (the reference).
 *
 * @returns total loss and gradients of the cell's then the loss's params
 */
export function referenceBptt(problem: BpttProblem): { loss: number; grads: tf.Tensor[] } {
  const { cell, inputs } = problem;
  const lossParams = problem.lossParams ?? [];
  const nP = cell.params.length;
  const f = (...args: tf.Tensor[]) => {
    let state: tf.Tensor[] = [...problem.initialState];
    let total: tf.Tensor = tf.scalar(0);
    for (let s = 1; s <= inputs.length; s++) {
      state = cell.forward(inputs[s - 1]!, state).state;
      total = tf.add(total, problem.loss(state, s, args.slice(nP)));
    }
    return connected(total as tf.Scalar, args);
  };
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)([...cell.params, ...lossParams]);
    return { loss: value.dataSync()[0]!, grads };
  });
}
