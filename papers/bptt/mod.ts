/**
 * Gruslys, Munos, Danihelka, Lanctot, Graves, "Memory-Efficient Backpropagation Through Time"
 * (NeurIPS 2016, arXiv:1606.03401): optimal BPTT-HSM/ISM/MSM policies by dynamic programming, a
 * planner, and an executor that trains any TF.js recurrent cell within a memory budget.
 *
 * @example
 * ```ts
 * import { budgetedBptt, lstmCell, plan } from "./mod.ts";
 * plan({ t: 1000, memory: 50, strategy: "hsm" }).cost; // 2948 forward ops
 * // const r = budgetedBptt({ cell: lstmCell({ kernel, bias }), inputs, initialState, loss },
 * //   { budget: { states: 100 } });
 * ```
 * @module
 */
import type { Paper, PublishedFile } from "../../tasks/core/experiment.ts";
import published from "./published.json" with { type: "json" };
import { experiment as costCurves } from "./experiments/cost_curves.ts";
import { experiment as lstmMeasured } from "./experiments/lstm_measured.ts";
import { experiment as headline } from "./experiments/headline.ts";

export {
  optimalCost,
  type Plan,
  plan,
  type PlanRequest,
  storeAllMemory,
  storeAllOps,
  validatePlanRequest,
} from "./plan.ts";
export { CostTable, type DpOptions } from "./dp.ts";
export { hsmCost, hsmSplit } from "./hsm.ts";
export { chenPlan } from "./chen.ts";
export { simulate } from "./simulate.ts";
export { formatOps, type Op, parseOps, type Strategy } from "./policy.ts";
export { autodiffCell, gruStep, lstmCell, type RecurrentCell, tanhRnnCell } from "./cells.ts";
export {
  type BpttProblem,
  type BpttResult,
  type Budget,
  budgetedBptt,
  planForBudget,
  referenceBptt,
  runPolicy,
} from "./executor.ts";

/** The memory-efficient BPTT paper entry of the registry. */
export const paper: Paper = {
  id: "bptt",
  title: "Memory-Efficient Backpropagation Through Time",
  arxiv: "arXiv:1606.03401",
  experiments: [costCurves, lstmMeasured, headline],
  published: published as PublishedFile,
};
