/**
 * Chen et al. 2016 (`√t` gradient checkpointing) as a BPTT policy, the paper's baseline.
 *
 * Checkpoint the hidden state every `k` steps on the first pass; then, one segment at a time from
 * the last, re-run the segment storing its internal states and back-propagate through it. The
 * last segment's internal states are stored already on the first pass, so the cost is
 * `t + s_last` forward ops (`s_last` = start of the last segment, ≈ `2t − k`) and the memory `⌈t/k⌉ + α(k − 1)` units (checkpoints incl.
 * `h_0`, plus one segment's internal states except the one used fresh).
 *
 * @module
 */

import type { Op } from "./policy.ts";
import { simulate } from "./simulate.ts";

/** A Chen policy and its cost model. */
export interface ChenPlan {
  /** Segment length. */
  k: number;
  cost: number;
  /** Peak stored memory in units (hidden = 1, internal = α). */
  memory: number;
  ops: Op[];
}

/**
 * Build Chen's policy with segment length `k` (default `round(√t)`).
 *
 * @param t sequence length ≥ 1
 * @param alpha internal state size in units
 * @param k segment length in [1, t]
 * @returns op list, cost and memory
 */
export function chenPlan(
  t: number,
  alpha: number,
  k = Math.max(1, Math.round(Math.sqrt(t))),
): ChenPlan {
  if (!Number.isInteger(k) || k < 1 || k > t) {
    throw new RangeError(`segment length ${k} not in [1, ${t}]`);
  }
  const starts: number[] = [];
  for (let s = 0; s < t; s += k) starts.push(s);
  const ops: Op[] = [];
  const last = starts[starts.length - 1]!;
  // First pass: checkpoint every segment start (h_0 is stored already).
  for (let i = 1; i < starts.length; i++) {
    ops.push({ op: "forward", from: starts[i - 1]!, to: starts[i]! }, {
      op: "storeHidden",
      step: starts[i]!,
    });
  }
  let cost = last;
  for (let i = starts.length - 1; i >= 0; i--) {
    const s = starts[i]!;
    const e = Math.min(t, s + k);
    if (i !== starts.length - 1) ops.push({ op: "restoreHidden", step: s });
    for (let j = s + 1; j < e; j++) {
      ops.push({ op: "forward", from: j - 1, to: j }, { op: "storeInternal", step: j });
    }
    ops.push({ op: "forward", from: e - 1, to: e }, { op: "backward", step: e });
    for (let j = e - 1; j > s; j--) {
      ops.push({ op: "backward", step: j }, { op: "dropInternal", step: j });
    }
    if (s > 0) ops.push({ op: "dropHidden", step: s });
    cost += e - s;
  }
  // Peak from a replay (≤ ⌈t/k⌉ + α(k − 1); less when the last segment is short).
  const memory = simulate(ops, { t, memory: Infinity, alpha }).peakMemory;
  return { k, cost, memory, ops };
}
