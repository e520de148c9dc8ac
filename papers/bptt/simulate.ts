/**
 * Symbolic replay of a policy: checks that it is a valid BPTT schedule within a budget.
 *
 * The simulated machine has a register (cursor at some `h_s`, plus the internal state `I_s`
 * when the last op was the forward op `F_s`) and a store of hidden states (1 unit each) and
 * internal states (α units each). It throws on the first violation:
 * - a forward op that does not start at the cursor;
 * - `B_s` out of the order t, t−1, …, 1, or without `I_s` (fresh in the register or stored);
 * - stored memory above the budget after any op;
 * - storing, restoring or dropping a state that is not there.
 *
 * @module
 */

import type { Op } from "./policy.ts";

/** Replay parameters. */
export interface SimulateOptions {
  /** Sequence length. */
  t: number;
  /** Budget in units (counting the slot of `h_0`, which is stored at the start). */
  memory: number;
  /** Size of an internal state in units. */
  alpha: number;
}

/** Replay result. */
export interface SimulateResult {
  forwardOps: number;
  backwardOps: number;
  /** Highest stored memory (units) after any op. */
  peakMemory: number;
}

/**
 * Replay `ops` and check them.
 *
 * @param ops the policy
 * @param options sequence length, budget and α
 * @returns counts and peak memory
 * @throws {Error} naming the op index and the violated rule
 */
export function simulate(ops: readonly Op[], options: SimulateOptions): SimulateResult {
  const { t, memory, alpha } = options;
  const hidden = new Set<number>([0]);
  const internal = new Set<number>();
  let used = 1;
  let peak = 1;
  let cursor: number | null = 0;
  let fresh: number | null = null; // step whose I is in the register
  let nextBackward = t;
  let forwardOps = 0;
  const fail = (i: number, why: string): never => {
    throw new Error(`op ${i} (${JSON.stringify(ops[i])}): ${why}`);
  };
  if (used > memory) fail(-1, `h0 alone exceeds the budget ${memory}`);
  ops.forEach((o, i) => {
    switch (o.op) {
      case "forward":
        if (cursor !== o.from) fail(i, `cursor is at ${cursor}`);
        if (o.to <= o.from || o.to > t) fail(i, "bad range");
        forwardOps += o.to - o.from;
        cursor = o.to;
        fresh = o.to;
        break;
      case "storeHidden":
        if (cursor !== o.step) fail(i, `cursor is at ${cursor}`);
        if (hidden.has(o.step)) fail(i, "already stored");
        hidden.add(o.step);
        used += 1;
        break;
      case "storeInternal":
        if (fresh !== o.step) fail(i, `register holds I_${fresh}`);
        if (internal.has(o.step)) fail(i, "already stored");
        internal.add(o.step);
        used += alpha;
        break;
      case "dropHidden":
        if (!hidden.delete(o.step)) fail(i, "not stored");
        used -= 1;
        break;
      case "dropInternal":
        if (!internal.delete(o.step)) fail(i, "not stored");
        used -= alpha;
        break;
      case "restoreHidden":
        if (!hidden.has(o.step)) fail(i, "not stored");
        cursor = o.step;
        fresh = null;
        break;
      case "restoreInternal":
        if (!internal.has(o.step)) fail(i, "not stored");
        cursor = o.step;
        fresh = null;
        break;
      case "backward":
        if (o.step !== nextBackward) fail(i, `expected B_${nextBackward}`);
        if (fresh !== o.step && !internal.has(o.step)) fail(i, `I_${o.step} is not available`);
        nextBackward--;
        break;
    }
    if (used > memory) fail(i, `stored memory ${used} exceeds the budget ${memory}`);
    if (used > peak) peak = used;
  });
  if (nextBackward !== 0) fail(ops.length - 1, `policy ends before B_1 (next B_${nextBackward})`);
  return { forwardOps, backwardOps: t, peakMemory: peak };
}
