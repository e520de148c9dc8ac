import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import { installedBackends, installEngine } from "./install.ts";
import { isReplaced, originalKernel, withOriginalKernels } from "./kernel_registry.ts";

Deno.test("installEngine() is idempotent and records what it replaced", () => {
  installEngine("wasm");
  const first = tf.getKernel("BatchMatMul", "wasm");
  installEngine("wasm");
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), first);
  assert.ok(installedBackends().includes("wasm"));
  assert.ok(isReplaced("wasm", "Conv2DBackpropFilter"));
  assert.equal(originalKernel("wasm", "Conv2DBackpropFilter"), null);
  assert.notEqual(originalKernel("wasm", "BatchMatMul"), null);
});

Deno.test("withOriginalKernels() restores TF.js's own kernels only while it runs", () => {
  installEngine("wasm");
  const patched = tf.getKernel("BatchMatMul", "wasm");
  withOriginalKernels(() => {
    assert.equal(tf.getKernel("BatchMatMul", "wasm"), originalKernel("wasm", "BatchMatMul"));
    assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined);
  });
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), patched);
  assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"));
});

Deno.test("installEngine() on a backend without engine kernels installs only the gradients", () => {
  installEngine("webgl");
  assert.ok(tf.getGradient("DepthToSpace"));
  assert.ok(tf.getGradient("TopK"));
  assert.equal(isReplaced("webgl", "BatchMatMul"), false);
});
