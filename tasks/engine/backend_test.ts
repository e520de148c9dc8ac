import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { probeWebGpuAdapter, resolveBackend, setupBackend } from "./backend.ts";

Deno.test("auto never picks a software WebGPU adapter", async () => {
  const probe = await probeWebGpuAdapter();
  const info = await resolveBackend("auto");
  if (probe?.software) {
    assert.equal(info.name, "wasm");
    assert.match(info.reason, /software/);
    assert.equal(info.adapter, probe.description);
  } else if (probe) {
    assert.equal(info.name, "webgpu");
  } else {
    assert.deepEqual([info.name, info.reason], ["wasm", "no WebGPU adapter"]);
  }
});

Deno.test("Mesa's llvmpipe/lavapipe adapters are classified as software", async () => {
  const probe = await probeWebGpuAdapter();
  if (probe && /llvmpipe|lavapipe/i.test(probe.description)) assert.equal(probe.software, true);
});

Deno.test("an explicit backend is used as asked and recorded", async () => {
  for (const name of ["cpu", "wasm"] as const) {
    const info = await setupBackend(name);
    assert.deepEqual([info.name, info.requested], [name, name]);
    assert.equal(tf.getBackend(), name);
  }
});
