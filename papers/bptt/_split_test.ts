import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { Column } from "./_split.ts";

Deno.test("Column.minInc() bounds the range minimum of increments, exactly across blocks, while set() and setRun() fill", () => {
  const rng = new Rng(20261126);
  for (const t of [1, 63, 64, 130, 1000]) {
    let pool: Int32Array | null = null;
    for (let pass = 0; pass < 2; pass++) {
      // Second pass reuses the first column's buffer, as the DP does.
      const col: Column = new Column(t, false, true, null, pool);
      const inc: number[] = [0];
      let exactSeen = 0;
      for (let n = 1; n <= t;) {
        // Mostly nondecreasing increments with dips, like the MSM columns; some runs in bulk.
        const d = rng.next() < 0.2 ? rng.int(5) - 1 : 1 + Math.floor(n / 50) + rng.int(2);
        if (rng.next() < 0.3) {
          const L = Math.min(t - n + 1, 1 + rng.int(150));
          col.setRun(n - 1, L, d);
          for (let i = 0; i < L; i++) inc.push(d);
          n += L;
        } else {
          inc.push(d);
          col.set(n, col.v[n - 1]! + d);
          n++;
        }
        const top = n - 1;
        for (let i = 1; i <= top; i++) assert.equal(col.v[i]! - col.v[i - 1]!, inc[i], `t=${t}`);
        for (let q = 0; q < 4; q++) {
          const r = 1 + rng.int(top);
          const l = 1 + rng.int(r);
          const got = col.minInc(l, r);
          const want = Math.min(...inc.slice(l, r + 1));
          assert.ok(got <= want, `t=${t} [${l}, ${r}]: ${got} > ${want}`);
          if (l >> 6 !== r >> 6) {
            assert.equal(got, want, `t=${t} [${l}, ${r}] spans blocks`);
            exactSeen++;
          }
        }
      }
      if (t >= 1000) assert.ok(exactSeen > 100, `only ${exactSeen} cross-block queries`);
      pool = col.dropRmq();
      assert.ok(pool !== null);
    }
  }
});
