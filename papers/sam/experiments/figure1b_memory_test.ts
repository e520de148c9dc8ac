import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./figure1b_memory.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure1b_memory smoke profile: dense bytes grow with N, SAM bytes do not", async () => {
  const s = await runSmoke(experiment);
  const rows = s.metrics.rows as { model: string; N: number; bytes: number }[];
  const get = (m: string, N: number) => rows.find((r) => r.model === m && r.N === N)!.bytes;
  const [a, b] = experiment.profiles.smoke.log2N.map((k) => 2 ** k) as [number, number];
  assert.ok(get("ntm", b) > 2 * get("ntm", a));
  assert.ok(get("sam_linear", b) < 1.5 * get("sam_linear", a));
  assert.ok(get("sam_ann", b) < 1.5 * get("sam_ann", a));
});
