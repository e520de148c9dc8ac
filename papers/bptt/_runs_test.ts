import assert from "node:assert/strict";
import { Column } from "./_split.ts";
import { runD, runLength } from "./_runs.ts";
import { fullScan } from "./_full_scan.ts";

Deno.test("runLength() certifies only rows whose full-scan cost continues the run (paper-form MSM)", () => {
  const t = 150;
  let certified = 0;
  for (const alpha of [2, 3, 5]) {
    const M = 40;
    const C = fullScan(t, M, alpha, "msm", false);
    const cols = C.map((row, k) => {
      const col = new Column(t, false, true);
      if (k >= 1) { for (let n = 1; n <= t; n++) col.set(n, row[n]!); }
      return col;
    });
    for (let k = 2; k <= M; k++) {
      const f = cols[k]!;
      const hid = { g: cols[k - 1]!, fShift: 0, lo: 1, hiOff: 1, z: 1 };
      const int = k - alpha >= 1 ? { g: cols[k - alpha]!, fShift: 1, lo: 1, hiOff: 0, z: 1 } : null;
      for (let n = 2; n < t; n++) {
        // An optimal split of either family at row n, as the witness.
        const c = C[k]![n]!;
        let y = 0;
        let w: Column | null = null;
        for (let s = 1; s < n && w === null; s++) {
          if (s + C[k - 1]![n - s]! + C[k]![s]! === c) [y, w] = [s, hid.g];
        }
        for (let s = 1; s <= n && w === null && int; s++) {
          if (s + C[k - alpha]![n - s]! + C[k]![s - 1]! === c) [y, w] = [s, int.g];
        }
        if (w === null) continue;
        hid.z = y + 1;
        if (int) int.z = y + 1;
        const L = runLength(n, t - n, y, w, f, hid, int);
        for (let i = 1; i <= L; i++) {
          assert.equal(C[k]![n + i], c + i * runD, `α=${alpha} k=${k} n=${n} L=${L} i=${i}`);
        }
        certified += L;
      }
    }
  }
  assert.ok(certified > 10000, `only ${certified} rows certified`);
});
