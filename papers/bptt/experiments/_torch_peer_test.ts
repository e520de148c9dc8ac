import assert from "node:assert/strict";
import { torchPeer } from "./_torch_peer.ts";

// Runs the real script when PyTorch is installed; otherwise checks the skip note.
Deno.test("the PyTorch peer gives each scheme's gradients equal to plain BPTT's, or says why it is skipped", () => {
  const r = torchPeer({ t: 30, hidden: 8, batch: 2, rounds: 2 }, 1);
  if ("skipped" in r) {
    assert.match(r.skipped, /PyTorch is not installed/);
    return;
  }
  const names = r.rows.map((x) => x.method);
  assert.deepEqual(names, [
    "torch_bptt",
    "torch_ckpt_reentrant",
    "torch_ckpt_nonreentrant",
    "torch_two_level",
  ]);
  for (const row of r.rows) {
    assert.ok(row.gradMaxAbsDiff < 1e-4, `${row.method}: ${row.gradMaxAbsDiff}`);
    assert.equal(row.timeRatio.rounds, 2);
  }
  assert.equal(r.rows[0]!.memoryFraction, 1);
});
