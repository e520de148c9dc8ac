import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./figure1b_memory.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

// Both tests read the same smoke run.
let smokeRun: ReturnType<typeof runSmoke> | null = null;
const smoke = () => smokeRun ??= runSmoke(experiment);

Deno.test("figure1b_memory smoke profile: dense bytes grow with N, SAM bytes do not", async () => {
  const s = await smoke();
  const rows = s.metrics.rows as { model: string; N: number; bytes: number }[];
  const get = (m: string, N: number) => rows.find((r) => r.model === m && r.N === N)!.bytes;
  const [a, b] = experiment.profiles.smoke.log2N.map((k) => 2 ** k) as [number, number];
  assert.ok(get("ntm", b) > 2 * get("ntm", a));
  assert.ok(get("sam_linear", b) < 1.5 * get("sam_linear", a));
  assert.ok(get("sam_ann", b) < 1.5 * get("sam_ann", a));
});

Deno.test("figure1b_memory counts the dense_js NTM's TF.js tape and host arrays, fewer than dense.ts keeps", async () => {
  const s = await smoke();
  const cfg = experiment.profiles.smoke;
  const N = 2 ** Math.max(...cfg.jsLog2N);
  const split = s.metrics.denseJsBytes as {
    model: string;
    N: number;
    tfBytes: number;
    hostBytes: number;
  }[];
  assert.deepEqual(split.map((c) => `${c.model}@${c.N}`), [`ntm_js@${N}`, `dam_js@${N}`]);
  for (const c of split) {
    assert.ok(c.tfBytes > 0, `${c.model}: the controller's tape`);
    // At least one f32 copy of the N × W memory per step is kept for the backward.
    assert.ok(c.hostBytes >= cfg.steps * N * cfg.W * 4, `${c.model}: ${c.hostBytes} host bytes`);
  }
  assert.equal(s.metrics.maxDenseJsN, N);
  const r = s.metrics.ntmJsOverAutodiffBytesAtMaxDenseN as number;
  assert.ok(r > 0 && r < 1, `ntm_js / ntm bytes at ${N}: ${r}`);
});
