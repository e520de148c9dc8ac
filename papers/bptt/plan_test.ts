import assert from "node:assert/strict";
import { CostTable } from "./dp.ts";
import { hsmCost } from "./hsm.ts";
import { optimalCost, plan, storeAllMemory } from "./plan.ts";
import { formatOps, parseOps, type Strategy } from "./policy.ts";
import { simulate } from "./simulate.ts";
import { chenPlan } from "./chen.ts";
import { fullScan } from "./_full_scan.ts";

const STRATS: Strategy[] = ["hsm", "ism", "msm"];

/**
 * Exhaustive 0-1 BFS over every legal schedule: stored hidden set, stored internal set, cursor,
 * whether the register holds a fresh I, next backward. Forward ops cost 1, everything else 0.
 * Any stored state (h_0 included) may be dropped at any time.
 */
function exhaustive(t: number, m: number, alpha: number, strat: Strategy): number {
  const canH = strat !== "ism";
  const canI = strat !== "hsm";
  // state: hidden bitmask (bits 0..t-1), internal bitmask (bits 1..t-1), cursor (0..t or -1),
  // fresh (0/1), next backward b (t..0)
  const key = (h: number, i: number, c: number, f: number, b: number) =>
    (((h * 2 ** t + i) * (t + 2) + (c + 1)) * 2 + f) * (t + 1) + b;
  const dist = new Map<number, number>();
  const buckets: [number, number, number, number, number][][] = [[]];
  const push = (h: number, i: number, c: number, f: number, b: number, d: number) => {
    const kk = key(h, i, c, f, b);
    const old = dist.get(kk);
    if (old !== undefined && old <= d) return;
    dist.set(kk, d);
    while (buckets.length <= d) buckets.push([]);
    buckets[d]!.push([h, i, c, f, b]);
  };
  const pop = (x: number) => {
    let n = 0;
    for (let v = x; v; v &= v - 1) n++;
    return n;
  };
  const used = (h: number, i: number) => pop(h) + alpha * pop(i);
  push(1, 0, 0, 0, t, 0);
  for (let d = 0; d < buckets.length; d++) {
    const bucket = buckets[d]!;
    for (let q = 0; q < bucket.length; q++) {
      const [h, i, c, f, b] = bucket[q]!;
      if (dist.get(key(h, i, c, f, b))! < d) continue;
      if (b === 0) return d;
      // forward
      if (c >= 0 && c < b) push(h, i, c + 1, 1, b, d + 1);
      // backward
      if ((c === b && f === 1) || (i & (1 << b)) !== 0) {
        const i2 = i & ~(1 << b); // I_b is dead after B_b
        push(h, i2, c === b ? -1 : c, 0, b - 1, d);
      }
      // store hidden / internal
      if (canH && c >= 0 && c < t && !(h & (1 << c)) && used(h, i) + 1 <= m) {
        push(h | (1 << c), i, c, f, b, d);
      }
      if (canI && c > 0 && c < b && f === 1 && !(i & (1 << c)) && used(h, i) + alpha <= m) {
        push(h, i | (1 << c), c, f, b, d);
      }
      // drop, restore
      for (let s = 0; s < t; s++) {
        if (h & (1 << s)) {
          push(h & ~(1 << s), i, c, f, b, d);
          if (c !== s) push(h, i, s, 0, b, d);
        }
        if (i & (1 << s)) {
          push(h, i & ~(1 << s), c, f, b, d);
          if (c !== s) push(h, i, s, 0, b, d);
        }
      }
    }
  }
  return Infinity;
}

Deno.test("hsmCost() equals the binomial closed form and the table DP for t ≤ 120, m ≤ 30", () => {
  for (let m = 1; m <= 30; m++) {
    const table = new CostTable(120, m, { strategy: "hsm", alpha: 1, sweep: true });
    for (let t = 1; t <= 120; t++) {
      assert.equal(hsmCost(t, m), table.costA(t, m), `t=${t} m=${m}`);
      let r = 0;
      const binom = (a: number, b: number) => {
        let x = 1;
        for (let j = 1; j <= b; j++) x = (x * (a - b + j)) / j;
        return Math.round(x);
      };
      while (binom(m + r, m) < t) r++;
      assert.equal(hsmCost(t, m), t + r * t - binom(m + r, m + 1), `closed form t=${t} m=${m}`);
    }
  }
});

Deno.test("the table DP equals a full O(t²m) scan for every strategy, α ∈ {1,2,3,5}, both forms", () => {
  const T = 70;
  for (const alpha of [1, 2, 3, 5]) {
    for (const exact of [false, true]) {
      for (const strat of STRATS) {
        const M = alpha * T + 2;
        const ref = fullScan(T, M, alpha, strat, exact);
        const table = new CostTable(T, M, { strategy: strat, alpha, exact, sweep: true });
        for (let k = 1; k <= M; k += 7) {
          // The planner's own table (ISM fills only the budget's residue class) agrees too.
          const c = optimalCost({ t: T, memory: k, strategy: strat, alpha, exact });
          assert.equal(c, ref[k]![T], `optimalCost ${strat} α=${alpha} exact=${exact} k=${k}`);
        }
        for (let k = 1; k <= M; k++) {
          for (let n = 1; n <= T; n++) {
            if (table.costA(n, k) !== ref[k]![n]) {
              assert.fail(
                `${strat} α=${alpha} exact=${exact} n=${n} k=${k}: ${table.costA(n, k)} vs ${
                  ref[k]![n]
                }`,
              );
            }
          }
        }
      }
    }
  }
});

Deno.test("the exact form equals an exhaustive schedule search; the paper form is never below it", () => {
  for (const alpha of [1, 2, 3]) {
    for (const strat of STRATS) {
      for (let t = 1; t <= 5; t++) {
        for (let m = 1; m <= alpha * t + 1; m++) {
          const brute = exhaustive(t, m, alpha, strat);
          const exact = optimalCost({ t, memory: m, strategy: strat, alpha, exact: true });
          const paper = optimalCost({ t, memory: m, strategy: strat, alpha });
          assert.equal(exact, brute, `${strat} α=${alpha} t=${t} m=${m}`);
          assert.ok(paper >= brute, `paper below brute force: ${strat} α=${alpha} t=${t} m=${m}`);
          if (strat === "hsm") assert.equal(paper, brute);
        }
      }
    }
  }
});

Deno.test("plan() policies replay in the simulator at the DP cost within the budget", () => {
  for (const alpha of [1, 2, 5]) {
    for (const exact of [false, true]) {
      for (const strategy of STRATS) {
        for (const t of [1, 2, 7, 40]) {
          for (const memory of [1, 2, 3, 5, 8, 13, 30, 300]) {
            const p = plan({ t, memory, strategy, alpha, exact });
            const sim = simulate(p.ops, { t, memory, alpha });
            assert.equal(sim.forwardOps, p.cost);
            assert.ok(sim.peakMemory <= memory);
            assert.equal(p.cost, optimalCost({ t, memory, strategy, alpha, exact }));
          }
        }
      }
    }
  }
});

Deno.test("boundary values: C(t,1) = t(t+1)/2, HSM floor 2t−1 at m ≥ t, ISM/MSM floor t with all stored", () => {
  for (const t of [1, 5, 33]) {
    for (const strategy of STRATS) {
      assert.equal(optimalCost({ t, memory: 1, strategy, alpha: 2 }), (t * (t + 1)) / 2);
    }
    assert.equal(optimalCost({ t, memory: t, strategy: "hsm" }), Math.max(1, 2 * t - 1));
    for (const strategy of ["ism", "msm"] as const) {
      assert.equal(optimalCost({ t, memory: storeAllMemory(t, 3), strategy, alpha: 3 }), t);
    }
  }
});

Deno.test("values of the reference notes' table at t = 1000", () => {
  assert.equal(hsmCost(1000, 50), 2948);
  assert.equal(hsmCost(1000, 100), 2898);
  assert.equal(hsmCost(1000, 10), 4636);
  assert.equal(hsmCost(500, 5), 3076); // 6.152 per step
  for (const alpha of [1, 2, 5]) {
    assert.equal(optimalCost({ t: 1000, memory: 50 * alpha, strategy: "msm", alpha }), 1950);
  }
  // Paper vs exact form: the notes' largest gap (t = 1000, α = 2, m = 20).
  assert.equal(optimalCost({ t: 1000, memory: 20, strategy: "msm", alpha: 2 }), 3114);
  assert.equal(optimalCost({ t: 1000, memory: 20, strategy: "msm", alpha: 2, exact: true }), 3032);
  // Smallest MSM memory with ≤ 2t forward ops: 43 / 63 / 98 units for α = 1 / 2 / 5.
  for (const [alpha, mMin] of [[1, 43], [2, 63], [5, 98]]) {
    const table = new CostTable(1000, mMin!, { strategy: "msm", alpha: alpha!, sweep: true });
    assert.ok(table.costA(1000, mMin!) <= 2000);
    assert.ok(table.costA(1000, mMin! - 1) > 2000);
  }
});

Deno.test("plan() solves t = 10,000 for HSM, ISM and large-budget MSM", () => {
  assert.equal(plan({ t: 10000, memory: 100, strategy: "hsm" }).cost, 34747);
  assert.equal(plan({ t: 10000, memory: 1000, strategy: "ism", alpha: 5 }).cost, 19800);
  // MSM above the chain threshold: 2t − ⌈m/α⌉ (paper), 2t − ⌊m/α⌋ − 1 (exact), policy replayed.
  assert.equal(plan({ t: 10000, memory: 1000, strategy: "msm", alpha: 5 }).cost, 19800);
  assert.equal(
    plan({ t: 10000, memory: 10000, strategy: "msm", alpha: 5, exact: true }).cost,
    17999,
  );
});

Deno.test("chenPlan() replays at cost t + s_last within ⌈t/k⌉ + α(k−1) units", () => {
  const c = chenPlan(1000, 5);
  assert.equal(c.k, 32);
  const sim = simulate(c.ops, { t: 1000, memory: c.memory, alpha: 5 });
  assert.equal(sim.forwardOps, c.cost);
  assert.equal(c.cost, 1000 + 992);
  assert.ok(c.memory <= Math.ceil(1000 / 32) + 5 * 31);
  // The notes' Chen memory at t = 1000: 62 / 93 / 186 units for α = 1 / 2 / 5.
  assert.deepEqual([1, 2, 5].map((a) => chenPlan(1000, a).memory), [62, 93, 186]);
});

Deno.test("simulate() rejects a schedule that exceeds the budget or skips an internal state", () => {
  const p = plan({ t: 10, memory: 3, strategy: "hsm" });
  assert.throws(() => simulate(p.ops, { t: 10, memory: 2, alpha: 1 }), /exceeds the budget/);
  const bad = p.ops.filter((o) => o.op !== "forward" || o.to - o.from > 1);
  assert.throws(() => simulate(bad, { t: 10, memory: 3, alpha: 1 }));
});

Deno.test("formatOps() and parseOps() round-trip", () => {
  const p = plan({ t: 12, memory: 6, strategy: "msm", alpha: 2 });
  assert.deepEqual(parseOps(formatOps(p.ops)), p.ops);
  assert.match(formatOps(p.ops)[0]!, /^F0:\d+$/);
});
