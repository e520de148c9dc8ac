import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { chainCost, closedForm, CostTable } from "./dp.ts";
import { chainBound } from "./_closed.ts";
import { fullScan, fullScanTables } from "./_full_scan.ts";
import { plan } from "./plan.ts";
import { simulate } from "./simulate.ts";

Deno.test("closedForm() G bounds every cell of independent full scans (paper, exact A and B)", () => {
  const t = 40;
  for (const alpha of [1, 2, 3, 5, 10]) {
    const M = alpha * (t - 1) + 2;
    for (const strategy of ["msm", "ism"] as const) {
      const paper = fullScan(t, M, alpha, strategy, false);
      const exact = fullScanTables(t, M, alpha, strategy, true);
      for (let k = 1; k <= M; k++) {
        for (let n = 1; n <= t; n++) {
          const where = `${strategy} α=${alpha} n=${n} k=${k}`;
          assert.ok(paper[k]![n]! >= closedForm(n, k - 1, alpha), `paper ${where}`);
          assert.ok(exact.A[k]![n]! >= closedForm(n, k, alpha), `exact A ${where}`);
          assert.ok(exact.B[k]![n]! >= closedForm(n, k, alpha), `exact B ${where}`);
        }
      }
      // B(n, k) ≤ A(n, k) ≤ B(n, k − 1): the order the exact form's fill relies on.
      for (let k = 1; k <= M; k++) {
        for (let n = 1; n <= t; n++) {
          assert.ok(exact.B[k]![n]! <= exact.A[k]![n]!, `B ≤ A ${strategy} α=${alpha} n=${n}`);
          assert.ok(exact.A[k]![n]! <= exact.B[k - 1]![n]!, `A ≤ B ${strategy} α=${alpha} n=${n}`);
        }
      }
    }
  }
});

Deno.test("the fast MSM/ISM tables equal the full scan on random (t ≤ 300, m, α ≤ 10), both forms", () => {
  const rng = new Rng(20261126);
  let closedSeen = 0;
  let chainSeen = 0;
  for (let trial = 0; trial < 24; trial++) {
    const alpha = 1 + rng.int(10);
    const t = 1 + rng.int(300);
    // Budgets up to past the closure column (≈ 2–3× the ≤ 2t threshold), capped for speed.
    const m = 1 + rng.int(Math.min(alpha * (t - 1) + 1, 300));
    const exact = rng.next() < 0.5;
    const strategy = rng.next() < 0.8 ? "msm" : "ism";
    const ref = fullScan(t, m, alpha, strategy, exact);
    const table = new CostTable(t, m, { strategy, alpha, exact, sweep: true });
    if (table.closedAbove && table.kMax < m) closedSeen++;
    const where = `${strategy} t=${t} m=${m} α=${alpha} exact=${exact}`;
    for (let k = 1; k <= m; k++) {
      for (let n = 1; n <= t; n++) {
        if (table.costA(n, k) !== ref[k]![n]) {
          assert.fail(`${where} n=${n} k=${k}: ${table.costA(n, k)} vs ${ref[k]![n]}`);
        }
      }
    }
    // The planner's own table (the chain policy or closed-form columns included) and its policy
    // replay at the cost.
    if (new CostTable(t, m, { strategy, alpha, exact }).chain) chainSeen++;
    const p = plan({ t, memory: m, strategy, alpha, exact });
    assert.equal(p.cost, ref[m]![t], where);
    assert.equal(simulate(p.ops, { t, memory: m, alpha }).forwardOps, ref[m]![t], where);
  }
  assert.ok(closedSeen >= 3, `closed-form columns exercised in only ${closedSeen} trials`);
  assert.ok(chainSeen >= 3, `chain policy exercised in only ${chainSeen} trials`);
});

Deno.test("a full sweep stops at the closure column; larger budgets use the chain policy", () => {
  for (const exact of [false, true]) {
    const t = 800;
    const table = new CostTable(t, 4000, { strategy: "msm", alpha: 5, exact, sweep: true });
    assert.ok(table.closedAbove && table.kMax < 250, `closure at k = ${table.kMax}`);
    for (const m of [300, 1000, 4000]) {
      assert.ok(new CostTable(t, m, { strategy: "msm", alpha: 5, exact }).chain, `m = ${m}`);
      const p = plan({ t, memory: m, strategy: "msm", alpha: 5, exact });
      // Large budgets: 2t − ⌈m/α⌉ (paper form; the notes' 2 − (m/α)/t per step), 2t − ⌊m/α⌋ − 1.
      const closed = exact ? 2 * t - Math.floor(m / 5) - 1 : 2 * t - Math.ceil(m / 5);
      assert.equal(p.cost, Math.max(t, closed), `exact=${exact} m=${m}`);
      assert.equal(p.cost, table.costA(t, m));
      assert.ok(p.peakMemory <= m);
    }
  }
});

Deno.test("a solve without sweep caps cells above an upper bound and stays exact (MSM, both forms)", () => {
  let capped = 0;
  for (const exact of [false, true]) {
    for (const [t, m, alpha] of [[200, 12, 2], [250, 30, 5], [180, 40, 10], [120, 6, 3]] as const) {
      const ref = fullScan(t, m, alpha, "msm", exact);
      const table = new CostTable(t, m, { strategy: "msm", alpha, exact });
      const ub = table.upperBound;
      const where = `t=${t} m=${m} α=${alpha} exact=${exact}`;
      assert.ok(Number.isFinite(ub) && ref[m]![t]! <= ub, where);
      assert.equal(table.costA(t, m), ref[m]![t], where);
      for (let k = 1; k <= Math.min(m, table.kMax); k++) {
        for (let n = 1; n <= t; n++) {
          const got = table.costA(n, k);
          if (got === ref[k]![n]) continue;
          // Only placeholders differ, where the true cost is above the cap as well.
          assert.ok(
            got > ub && ref[k]![n]! > ub,
            `${where} n=${n} k=${k}: ${got} vs ${ref[k]![n]}`,
          );
          capped++;
        }
      }
    }
  }
  assert.ok(capped > 1000, `only ${capped} cells capped`);
});

Deno.test("chainBound() is at most the chain's cost and at least the optimum (both forms)", () => {
  const t = 60;
  for (const alpha of [1, 2, 5]) {
    const M = alpha * (t - 1) + 2;
    const paper = fullScan(t, M, alpha, "msm", false);
    const exact = fullScanTables(t, M, alpha, "msm", true);
    for (let f = 0; f < M; f++) {
      for (let n = 1; n <= t; n++) {
        const b = chainBound(n, f, alpha);
        assert.ok(b <= chainCost(n, f, alpha), `α=${alpha} n=${n} f=${f}`);
        assert.ok(b >= paper[f + 1]![n]!, `paper α=${alpha} n=${n} f=${f}`);
        assert.ok(b >= exact.B[f]![n]!, `exact α=${alpha} n=${n} f=${f}`);
      }
    }
  }
});
