/**
 * Solve times of the planner's dynamic programs at t = 10,000 (issue: "well under a second for
 * any m"). Run `deno bench papers/bptt/dp_bench.ts`; numbers are recorded in the README.
 * `optimalCost` is the solve alone; `plan` adds policy recovery and the simulator's replay.
 *
 * @module
 */

import { optimalCost, plan } from "./plan.ts";
import type { Strategy } from "./policy.ts";

const T = 10000;
const ALPHA = 5;
const MEMORIES = [10, 50, 100, 200, 300, 500, 695, 1000, 5000, 10000];
const CASES: { name: string; strategy: Strategy; exact: boolean }[] = [
  { name: "hsm", strategy: "hsm", exact: false },
  { name: "ism", strategy: "ism", exact: false },
  { name: "msm", strategy: "msm", exact: false },
  { name: "msm exact", strategy: "msm", exact: true },
];

for (const c of CASES) {
  for (const memory of MEMORIES) {
    Deno.bench({
      name: `${c.name} α=${ALPHA} t=${T} m=${memory}`,
      group: c.name,
      n: 3,
      warmup: 1,
      fn: () => {
        optimalCost({ t: T, memory, strategy: c.strategy, alpha: ALPHA, exact: c.exact });
      },
    });
  }
}

// The slowest budgets found at α = 10 (just below the chain threshold, m ≈ 1390).
for (const exact of [false, true]) {
  for (const memory of [500, 1000]) {
    Deno.bench({
      name: `msm${exact ? " exact" : ""} α=10 t=${T} m=${memory}`,
      group: "msm α=10",
      n: 3,
      warmup: 1,
      fn: () => {
        optimalCost({ t: T, memory, strategy: "msm", alpha: 10, exact });
      },
    });
  }
}

for (const memory of [100, 1000]) {
  Deno.bench({
    name: `plan() msm α=${ALPHA} t=${T} m=${memory} (solve + policy + replay)`,
    group: "plan",
    n: 3,
    warmup: 1,
    fn: () => {
      plan({ t: T, memory, strategy: "msm", alpha: ALPHA });
    },
  });
}
