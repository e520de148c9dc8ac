/**
 * The planner: optimal cost and an executable op list for BPTT-HSM/ISM/MSM.
 *
 * @example
 * ```ts
 * import { plan } from "./plan.ts";
 * const p = plan({ t: 1000, memory: 50, strategy: "hsm" });
 * p.cost; // 2948 forward ops (2.948 per step)
 * ```
 *
 * @module
 */

import { CostTable, MoveKind } from "./dp.ts";
import { hsmCost, hsmSplit } from "./hsm.ts";
import type { Op, Strategy } from "./policy.ts";
import { simulate } from "./simulate.ts";

/** What to plan. */
export interface PlanRequest {
  /** Sequence length t ≥ 1. */
  t: number;
  /** Budget m ≥ 1 in hidden-state units, counting the slot of `h_0`. */
  memory: number;
  strategy: Strategy;
  /** Internal state size in hidden-state units (integer ≥ 1; default 1). */
  alpha?: number;
  /** Exact variant that frees a dead start state (default false = paper form). */
  exact?: boolean;
}

/** A solved plan. */
export interface Plan {
  t: number;
  memory: number;
  strategy: Strategy;
  alpha: number;
  exact: boolean;
  /** Forward ops incl. the first pass (the DP's optimum). */
  cost: number;
  /** Peak stored memory of the policy in units (≤ memory), as replayed by the simulator. */
  peakMemory: number;
  ops: Op[];
}

/**
 * Validate a request; throws `RangeError` with a one-line message.
 *
 * @param req the request
 */
export function validatePlanRequest(req: PlanRequest): void {
  const { t, memory, alpha = 1 } = req;
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`t must be an integer ≥ 1, got ${t}`);
  if (!Number.isInteger(memory) || memory < 1) {
    throw new RangeError(`memory must be an integer ≥ 1 (it counts the slot of h0), got ${memory}`);
  }
  if (!Number.isInteger(alpha) || alpha < 1) {
    throw new RangeError(`alpha must be an integer ≥ 1, got ${alpha}`);
  }
  if (!["hsm", "ism", "msm"].includes(req.strategy)) {
    throw new RangeError(`strategy must be hsm, ism or msm, got "${req.strategy}"`);
  }
}

/**
 * Optimal cost only (no policy), cheaper than {@link plan}.
 *
 * @param req the request
 * @returns `C(t, m)` in forward ops
 */
export function optimalCost(req: PlanRequest): number {
  validatePlanRequest(req);
  const { t, memory, strategy, alpha = 1, exact = false } = req;
  if (strategy === "hsm") return hsmCost(t, memory);
  if (memory >= storeAllMemory(t, alpha)) return t;
  return new CostTable(t, memory, { strategy, alpha, exact }).costA(t, memory);
}

/**
 * Solve the DP and recover the policy as an op list; the simulator replays it and checks that
 * every `B_s` gets `I_s`, in order t..1, within the budget, at the DP's cost.
 *
 * @param req the request
 * @returns the plan
 */
export function plan(req: PlanRequest): Plan {
  validatePlanRequest(req);
  const { t, memory, strategy, alpha = 1, exact = false } = req;
  if (strategy !== "hsm" && memory >= storeAllMemory(t, alpha)) {
    const ops = storeAllOps(t);
    const sim = simulate(ops, { t, memory, alpha });
    return { t, memory, strategy, alpha, exact, cost: t, peakMemory: sim.peakMemory, ops };
  }
  const table = strategy === "hsm" ? null : new CostTable(t, memory, { strategy, alpha, exact });
  const cost = table ? table.costA(t, memory) : hsmCost(t, memory);
  const ops = table ? recoverTable(table, t, memory) : recoverHsm(t, memory);
  const sim = simulate(ops, { t, memory, alpha });
  if (sim.forwardOps !== cost) {
    throw new Error(`internal: policy runs ${sim.forwardOps} forward ops, DP says ${cost}`);
  }
  return { t, memory, strategy, alpha, exact, cost, peakMemory: sim.peakMemory, ops };
}

/**
 * Memory of standard BPTT in units: `h_0` plus the internal states `I_1..I_{t−1}` (`I_t` is
 * used fresh from the register), i.e. `α(t−1) + 1`. With this much, ISM/MSM cost `t`.
 *
 * @param t sequence length
 * @param alpha internal state size in units
 */
export function storeAllMemory(t: number, alpha: number): number {
  return alpha * (t - 1) + 1;
}

/** Standard BPTT as an op list: store every internal state on the way, then `B_t..B_1`. */
export function storeAllOps(t: number): Op[] {
  const ops: Op[] = [];
  for (let s = 1; s < t; s++) {
    ops.push({ op: "forward", from: s - 1, to: s }, { op: "storeInternal", step: s });
  }
  ops.push({ op: "forward", from: t - 1, to: t }, { op: "backward", step: t });
  for (let s = t - 1; s >= 1; s--) {
    ops.push({ op: "backward", step: s }, { op: "dropInternal", step: s });
  }
  return ops;
}

/** A pending subproblem: steps a+1..a+n, budget k, in table A (hidden start) or B. */
interface Task {
  a: number;
  n: number;
  k: number;
  table: "A" | "B";
  /** Where the start state lives: a stored hidden slot or inside a stored `I_a`. */
  where: "hidden" | "internal";
}

type Item = Task | Op;

/** Shared driver: expands tasks in order with an explicit stack (t can be 10^4+ deep). */
function expand(
  root: Task,
  firstMove: (task: Task) => { kind: MoveKind; y: number },
  childK: (task: Task, kind: MoveKind) => { k: number; table: "A" | "B" },
): Op[] {
  const ops: Op[] = [];
  const stored = new Set<number>([0]); // stored hidden states (h_0 is stored at the start)
  let cursor = 0;
  const stack: Item[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("op" in item) {
      if (item.op === "dropHidden") {
        if (!stored.delete(item.step)) continue; // already freed by an exact y=1 move
      }
      if (item.op === "backward") cursor = -1;
      ops.push(item);
      continue;
    }
    const { a, n, k, table, where } = item;
    if (n === 0) continue;
    const { kind, y } = firstMove(item);
    if (cursor !== a) {
      ops.push({ op: where === "hidden" ? "restoreHidden" : "restoreInternal", step: a });
    }
    const b = a + y;
    ops.push({ op: "forward", from: a, to: b });
    cursor = b;
    const later: Item[] = []; // pushed reversed below
    if (kind === MoveKind.None) {
      later.push({ op: "backward", step: b }, { a, n: n - 1, k, table, where });
    } else if (kind === MoveKind.Hidden) {
      ops.push({ op: "storeHidden", step: b });
      stored.add(b);
      const c = childK(item, kind);
      later.push(
        { a: b, n: n - y, k: c.k, table: c.table, where: "hidden" },
        { op: "dropHidden", step: b },
        { a, n: y, k, table, where },
      );
    } else {
      if (kind === MoveKind.InternalDropStart) {
        ops.push({ op: "dropHidden", step: a });
        stored.delete(a);
      }
      ops.push({ op: "storeInternal", step: b });
      const c = childK(item, kind);
      later.push(
        { a: b, n: n - y, k: c.k, table: c.table, where: "internal" },
        { op: "backward", step: b },
        { op: "dropInternal", step: b },
        { a, n: y - 1, k, table, where },
      );
    }
    for (let i = later.length - 1; i >= 0; i--) stack.push(later[i]!);
  }
  return ops;
}

/** Policy from the filled table (paper or exact form). */
function recoverTable(table: CostTable, t: number, m: number): Op[] {
  const { alpha, exact } = table.options;
  return expand(
    { a: 0, n: t, k: m, table: "A", where: "hidden" },
    (task) => table.move(exact ? task.table : "A", task.n, task.k),
    (task, kind) => {
      if (!exact) return { k: task.k - (kind === MoveKind.Hidden ? 1 : alpha), table: "A" };
      if (kind === MoveKind.Hidden) {
        return { k: task.table === "A" ? task.k - 1 : task.k, table: "A" };
      }
      if (kind === MoveKind.InternalDropStart || task.table === "B") {
        return { k: task.k - alpha, table: "B" };
      }
      return { k: task.k - 1 - alpha, table: "B" };
    },
  );
}

/** HSM policy from the closed form (no table: O(t log t) time, O(t) memory). */
function recoverHsm(t: number, m: number): Op[] {
  return expand(
    { a: 0, n: t, k: m, table: "A", where: "hidden" },
    (task) => {
      const y = hsmSplit(task.n, task.k);
      return y >= task.n ? { kind: MoveKind.None, y: task.n } : { kind: MoveKind.Hidden, y };
    },
    (task) => ({ k: task.k - 1, table: "A" }),
  );
}
