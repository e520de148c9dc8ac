import assert from "node:assert/strict";
import { runSamTrainBench } from "./train_bench.ts";

Deno.test("the SAM training bench measures every path of a model and counts its kernels", async () => {
  const r = await runSamTrainBench({ models: ["sam_linear"], rounds: 1, quick: true });
  const rows = r.rows as Record<string, Record<string, number> | number>[];
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  for (const path of ["old", "tape", "pool8", "new"]) {
    const p = row[path] as Record<string, number>;
    assert.ok(p.episodesPerSecond! > 0, `${path} episodes per second`);
    assert.ok(p.kernelsPerMinibatch! > 0, `${path} kernels`);
  }
  // The taped backward runs fewer kernels than the per-step recompute.
  const old = row.old as Record<string, number>, tape = row.tape as Record<string, number>;
  assert.ok(tape.kernelsPerMinibatch! < old.kernelsPerMinibatch!);
});
