/**
 * Cost curves of the optimal policies (no training): forward ops per time step versus memory at
 * t = 1000 for BPTT-HSM, -ISM and -MSM (α = 1, 2, 5; the LSTM's measured α = 4.5 is planned as
 * ⌈α⌉ = 5) and Chen et al.'s √t checkpointing; and cost per step versus sequence length for
 * fixed HSM budgets of 10, 50, 100, 500, 1000 hidden states. Also records the planner's solve
 * time at t = 10,000. Expected: the DP values of the reference notes (C_HSM(1000, 50) = 2948,
 * MSM 1950 at 5% memory, ...). Cost: seconds (pure DP).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type {
  CellContext,
  CellRecord,
  CellSpec,
  Config,
  Experiment,
  Json,
} from "../../../tasks/core/experiment.ts";
import type { Limits } from "../../../tasks/core/experiment.ts";
import { chenPlan } from "../chen.ts";
import { CostTable } from "../dp.ts";
import { stateSizes } from "../executor.ts";
import { hsmCost } from "../hsm.ts";
import { optimalCost, plan } from "../plan.ts";
import type { Strategy } from "../policy.ts";
import { lstmProblem } from "./_lstm.ts";

/** Config of the cost curves. */
export interface CostCurvesConfig extends Config {
  /** Sequence length of the memory sweep (paper figure: t = 1000 [recalled]). */
  t: number;
  /** α values of the sweep (notes §3: 1, 2, 5). */
  alphas: number[];
  /** Fixed HSM budgets of the length sweep (notes §3: 10, 50, 100, 500, 1000 states). */
  budgets: number[];
  /** Longest sequence of the length sweep. */
  maxLength: number;
  /** Memory fraction of the headline claim (abstract: 95% saved → 5%). */
  headlineFraction: number;
  /** Sequence length of the planner timing (issue: t = 10,000 must solve well under 1 s). */
  timingT: number;
}

const paper: CostCurvesConfig = {
  t: 1000,
  alphas: [1, 2, 5],
  budgets: [10, 50, 100, 500, 1000],
  maxLength: 10000,
  headlineFraction: 0.05,
  timingT: 10000,
};
/** Valid values (the planner solves t ≤ 100,000 in about a second; see tasks/bptt.ts). */
const limits: Limits<CostCurvesConfig> = {
  t: { min: 2, max: 100_000, integer: true },
  alphas: { nonEmpty: true, maxItems: 10, distinct: true, min: 1, max: 100, integer: true },
  budgets: { nonEmpty: true, maxItems: 20, distinct: true, min: 2, max: 100_000, integer: true },
  maxLength: { min: 2, max: 100_000, integer: true },
  headlineFraction: { min: 0.001, max: 1 },
  timingT: { min: 2, max: 100_000, integer: true },
};
const defaults: CostCurvesConfig = { ...paper };
const smoke: CostCurvesConfig = { ...paper, t: 100, maxLength: 1000, timingT: 1000 };

/** Log-spaced integers in [1, max] (about 12 per decade), always including both ends. */
function logGrid(max: number): number[] {
  const s = new Set<number>([1, max]);
  for (let e = 0; e <= Math.log10(max) + 1e-9; e += 1 / 12) s.add(Math.max(1, Math.round(10 ** e)));
  return [...s].filter((x) => x <= max).sort((a, b) => a - b);
}

/** What a cell computes. */
type CostCell =
  | { kind: "sweep"; strategy: Strategy; alpha: number; exact: boolean }
  | { kind: "chen"; alpha: number }
  | { kind: "length" }
  | { kind: "alpha" }
  | { kind: "timing" };

/** Optimal cost at a memory (hidden-state units). */
type CostRow = { memory: number; cost: number };
/** Chen et al.'s cost and memory with segment length k. */
type ChenRow = { k: number; memory: number; cost: number };
/** HSM cost per step of a sequence of length t with a fixed budget. */
type LengthRow = { budget: number; t: number; costPerStep: number };
/** Solve time of one planner request. */
type TimingRow = {
  strategy: Strategy;
  exact: boolean;
  alpha: number;
  memory: number;
  t: number;
  cost: number;
  solveMs: number;
  ms: number;
};

/** A cell's output, tagged with the kind of its cell. */
type CostOutput =
  | { kind: "sweep"; rows: CostRow[] }
  | { kind: "chen"; rows: ChenRow[]; sqrtT: ChenRow }
  | { kind: "length"; rows: LengthRow[] }
  | { kind: "alpha"; alpha: number; backend: string }
  | { kind: "timing"; rows: TimingRow[] };

function sweep(t: number, strategy: Strategy, alpha: number, exact: boolean): CostRow[] {
  const maxM = strategy === "hsm" ? t : alpha * (t - 1) + 1;
  if (strategy === "hsm") return logGrid(maxM).map((m) => ({ memory: m, cost: hsmCost(t, m) }));
  const table = new CostTable(t, maxM, { strategy, alpha, exact, sweep: true });
  const rows: CostRow[] = [];
  for (let m = 1; m <= maxM; m++) rows.push({ memory: m, cost: table.costA(t, m) });
  return rows;
}

function runCell(config: CostCurvesConfig, ctx: CellContext<CostCell>): CostOutput {
  const p = ctx.cell.params;
  const t = config.t;
  switch (p.kind) {
    case "sweep": {
      const rows = sweep(t, p.strategy, p.alpha, p.exact);
      ctx.progress.update(1, 1, ctx.cell.id);
      return { kind: "sweep", rows };
    }
    case "chen": {
      const rows: ChenRow[] = [];
      for (let k = 1; k <= t; k++) {
        const c = chenPlan(t, p.alpha, k);
        rows.push({ k, memory: c.memory, cost: c.cost });
      }
      const c = chenPlan(t, p.alpha);
      return { kind: "chen", rows, sqrtT: { k: c.k, memory: c.memory, cost: c.cost } };
    }
    case "length": {
      const rows: LengthRow[] = [];
      for (const m of config.budgets) {
        for (const n of logGrid(config.maxLength)) {
          if (n >= 2) rows.push({ budget: m, t: n, costPerStep: hsmCost(n, m) / n });
        }
      }
      return { kind: "length", rows };
    }
    case "alpha": {
      // α of this project's LSTM cell, measured from tensor sizes (independent of H and batch).
      const prob = lstmProblem({ t: 2, hidden: 8, batch: 2 }, 1);
      const s = stateSizes(prob);
      prob.dispose();
      return { kind: "alpha", alpha: s.internalBytes / s.hiddenBytes, backend: tf.getBackend() };
    }
    case "timing": {
      // Planner times at timingT: `solveMs` = the cost alone (optimalCost), `ms` = plan() with
      // policy recovery and the simulator's replay. Grid: the README's timing table (α = 5).
      const T = config.timingT;
      const cases: [Strategy, boolean][] = [["hsm", false], ["ism", false], ["msm", false], [
        "msm",
        true,
      ]];
      const rows: TimingRow[] = [];
      for (const [strategy, exact] of cases) {
        for (const memory of [10, 50, 100, 500, 1000, 5000, 10000]) {
          const req = { t: T, memory, strategy, alpha: 5, exact };
          let t0 = performance.now();
          const cost = optimalCost(req);
          const solveMs = performance.now() - t0;
          t0 = performance.now();
          const r = plan(req);
          const ms = performance.now() - t0;
          if (r.cost !== cost) throw new Error(`plan() cost ${r.cost} ≠ optimalCost() ${cost}`);
          rows.push({ strategy, exact, alpha: 5, memory, t: T, cost, solveMs, ms });
        }
      }
      return { kind: "timing", rows };
    }
  }
}

/** The output of cell `id`, checked to be of `kind` (a clear error when the plan lacks it). */
function outputOf<K extends CostOutput["kind"]>(
  records: readonly CellRecord<CostOutput>[],
  id: string,
  kind: K,
): Extract<CostOutput, { kind: K }> {
  const o = records.find((r) => r.id === id)?.output;
  if (!o || o.kind !== kind) throw new Error(`cost_curves: no ${kind} cell "${id}"`);
  // o.kind === kind; TS does not narrow a union by a generic discriminant
  return o as Extract<CostOutput, { kind: K }>;
}

function summarize(config: CostCurvesConfig, records: CellRecord<CostOutput>[]) {
  const t = config.t;
  const rowsOf = (id: string) => outputOf(records, id, "sweep").rows;
  const costAt = (id: string, m: number) => rowsOf(id).find((r) => r.memory === m)?.cost ?? null;
  const metrics: Record<string, Json> = {};
  for (const m of [1, 10, 50, 100]) metrics[`hsmCost_m${m}`] = hsmCost(t, m);
  metrics.hsmCost_mEqualsT = hsmCost(t, t);
  const minMemory2t: Record<number, number> = {};
  for (const a of config.alphas) {
    const m5 = Math.round(config.headlineFraction * a * t);
    metrics[`msmCostAtHeadline_alpha${a}`] = costAt(`msm/alpha=${a}`, m5);
    metrics[`ismCostAtHeadline_alpha${a}`] = costAt(`ism/alpha=${a}`, m5);
    const first = rowsOf(`msm/alpha=${a}`).find((r) => r.cost <= 2 * t)!;
    minMemory2t[a] = first.memory;
    metrics[`msmMinMemory2t_alpha${a}`] = first.memory;
    const chen = outputOf(records, `chen/alpha=${a}`, "chen").sqrtT;
    metrics[`chenMemory_alpha${a}`] = chen.memory;
    metrics[`chenCost_alpha${a}`] = chen.cost;
    metrics[`msmOverChenMemory_alpha${a}`] = first.memory / chen.memory;
    metrics[`msmFloorCost_alpha${a}`] = rowsOf(`msm/alpha=${a}`).at(-1)!.cost;
  }
  // Paper vs exact form (frees a dead h0): largest gap over the MSM α = 2 sweep.
  const paperRows = rowsOf("msm/alpha=2");
  const exactRows = rowsOf("msm_exact/alpha=2");
  let gap = { memory: 0, paper: 0, exact: 0, rel: 0 };
  for (const r of exactRows) {
    const pc = paperRows.find((x) => x.memory === r.memory)!.cost;
    const rel = (pc - r.cost) / r.cost;
    if (rel > gap.rel) gap = { memory: r.memory, paper: pc, exact: r.cost, rel };
  }
  metrics.exactVsPaperMaxGap_alpha2 = gap;
  metrics.msmCost_alpha2_m20 = costAt("msm/alpha=2", 20);
  metrics.msmExactCost_alpha2_m20 = costAt("msm_exact/alpha=2", 20);
  // Upper bound C_HSM ≤ m·t^{1+1/m} on the sweep.
  const hsmRows = rowsOf("hsm");
  metrics.hsmUpperBoundHoldsFraction =
    hsmRows.filter((r) => r.cost <= r.memory * t ** (1 + 1 / r.memory) + 1e-9).length /
    hsmRows.length;
  const lstmAlpha = outputOf(records, "alpha", "alpha").alpha;
  metrics.lstmAlpha = lstmAlpha;
  metrics.predictedTimeRatio_msmHeadline_beta2 =
    ((metrics[`msmCostAtHeadline_alpha5`] as number) / t + 2) / 3;
  metrics.plannerTiming = outputOf(records, "timing", "timing").rows;
  const lengthRows = outputOf(records, "length", "length").rows;
  metrics.lengthRows = lengthRows;
  // Figures.
  const curve = [] as Record<string, number | string>[];
  for (const r of hsmRows) curve.push({ memory: r.memory, perStep: r.cost / t, series: "HSM" });
  for (const s of ["ism", "msm"]) {
    for (const a of config.alphas) {
      for (const r of rowsOf(`${s}/alpha=${a}`)) {
        if (r.cost <= t * 60) {
          curve.push({
            memory: r.memory,
            perStep: r.cost / t,
            series: `${s.toUpperCase()} α=${a}`,
          });
        }
      }
    }
  }
  const chenRows = [] as Record<string, number | string>[];
  for (const a of config.alphas) {
    // Chen's best cost within each memory over all segment lengths k (its Pareto front).
    const pts = outputOf(records, `chen/alpha=${a}`, "chen").rows.slice()
      .sort((x, y) => x.memory - y.memory);
    let bestCost = Infinity;
    for (const r of pts) {
      if (r.cost >= bestCost) continue;
      bestCost = r.cost;
      if (r.cost <= 2.05 * t) {
        chenRows.push({ memory: r.memory, perStep: r.cost / t, series: `Chen α=${a} (best k)` });
      }
    }
    for (const r of rowsOf(`msm/alpha=${a}`)) {
      if (r.cost <= 2.05 * t && r.cost >= 1.5 * t) {
        chenRows.push({ memory: r.memory, perStep: r.cost / t, series: `MSM α=${a}` });
      }
    }
  }
  const figures = [
    {
      name: "cost_vs_memory",
      caption: `Optimal forward ops per step vs memory (hidden-state units incl. h0), t = ${t}`,
      plot: {
        title: `Forward ops per step vs memory, t = ${t}`,
        data: curve,
        x: { field: "memory", title: "memory (hidden-state units)", log: true },
        y: { field: "perStep", title: "forward ops per time step", log: true },
        color: "series",
      },
    },
    {
      name: "msm_vs_chen",
      caption: `MSM vs Chen et al. checkpointing (best segment length k for each memory), t = ${t}`,
      plot: {
        title: `MSM vs Chen √t near 2 forward ops per step, t = ${t}`,
        data: chenRows,
        x: { field: "memory", title: "memory (hidden-state units)", log: true },
        y: { field: "perStep", title: "forward ops per time step" },
        color: "series",
      },
    },
    {
      name: "cost_vs_length",
      caption: "HSM forward ops per step vs sequence length for fixed budgets (hidden states)",
      plot: {
        title: "HSM cost per step vs sequence length",
        data: lengthRows.map((r) => ({
          ...r,
          budget: `m = ${String(r.budget).padStart(5, " ")}`,
        })),
        x: { field: "t", title: "sequence length t", log: true },
        y: { field: "costPerStep", title: "forward ops per time step", log: true },
        color: "budget",
      },
    },
  ];
  return {
    metrics,
    figures,
    notes: [
      "Cost = forward ops incl. the first pass; memory counts the slot of h0 (C(t,1) = t(t+1)/2).",
      `The LSTM's measured α = ${lstmAlpha} is planned as ⌈α⌉ = 5, so its curve is the α = 5 curve.`,
      "MSM α = 1 equals ISM α = 1 (an internal state costs what a hidden state does and contains it).",
    ],
  };
}

/** Cost curves of HSM/ISM/MSM/Chen. */
export const experiment: Experiment<CostCurvesConfig, CostCell, CostOutput> = {
  id: "cost_curves",
  version: 1,
  title: "Optimal forward-op cost vs memory and vs sequence length",
  reproduces: "cost-vs-memory and cost-vs-length figures (values per the reference notes)",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (config): CellSpec<CostCell>[] => [
    { id: "hsm", params: { kind: "sweep", strategy: "hsm", alpha: 1, exact: false } },
    ...config.alphas.flatMap((a): CellSpec<CostCell>[] => [
      { id: `ism/alpha=${a}`, params: { kind: "sweep", strategy: "ism", alpha: a, exact: false } },
      { id: `msm/alpha=${a}`, params: { kind: "sweep", strategy: "msm", alpha: a, exact: false } },
      { id: `chen/alpha=${a}`, params: { kind: "chen", alpha: a } },
    ]),
    { id: "msm_exact/alpha=2", params: { kind: "sweep", strategy: "msm", alpha: 2, exact: true } },
    { id: "length", params: { kind: "length" } },
    { id: "alpha", params: { kind: "alpha" } },
    { id: "timing", params: { kind: "timing" } },
  ],
  run: (config, ctx) => Promise.resolve(runCell(config, ctx)),
  summarize: (config, records) => summarize(config, records),
};
