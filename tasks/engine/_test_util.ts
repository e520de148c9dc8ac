/**
 * Internal helpers for the engine's backend-equivalence tests: which backends exist here, how to
 * switch, seeded inputs, a reference on the unpatched cpu backend, and closeness checks.
 *
 * @module
 */
import { probeWebGpuAdapter } from "./backend.ts";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { installEngine } from "./install.ts";
import { withOriginalKernels } from "./kernel_registry.ts";

tf.enableProdMode();

let cached: string[] | null = null;

/**
 * Backends to test on: cpu, wasm, and webgpu when Deno offers an adapter (set
 * `ENGINE_TEST_WEBGPU=0` to skip it). In CI (`CI=true`), where `.ci/run` installs Mesa's
 * lavapipe, a missing adapter is an error rather than a silent skip.
 */
export async function testBackends(): Promise<string[]> {
  if (cached) return cached;
  const names = ["cpu", "wasm"];
  if (Deno.env.get("ENGINE_TEST_WEBGPU") !== "0") {
    const probe = await probeWebGpuAdapter();
    if (probe) {
      await import("@tensorflow/tfjs-backend-webgpu");
      names.push("webgpu");
    } else if (Deno.env.get("CI") === "true") {
      throw new Error("CI: no WebGPU adapter; .ci/run should have installed mesa-vulkan-drivers");
    }
  }
  cached = names;
  return names;
}

/** Activates `name` with the engine installed. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  assert.ok(ok, `backend ${name} failed to initialise`);
  await tf.ready();
  installEngine(name);
}

/** `n` seeded standard-normal floats. */
export function normals(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Reads every tensor with `await t.data()` (webgpu-safe), then disposes them. */
export async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(ts);
  return out;
}

/**
 * Runs `fn` on the cpu backend with the engine's kernels swapped back to TF.js's own (the
 * unpatched reference), and returns the values. The current backend is restored afterwards.
 */
export async function cpuReference(fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  const prev = tf.getBackend();
  await tf.setBackend("cpu");
  const ts = withOriginalKernels(() => tf.tidy(fn));
  const out = await readAll(ts);
  if (prev) await tf.setBackend(prev);
  return out;
}

/** Asserts max |a − b| ≤ rtol · max|b| + atol, with a readable message. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  { rtol = 1e-4, atol = 1e-5 } = {},
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let maxErr = 0, scale = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!);
    if (!(e <= maxErr)) {
      maxErr = e;
      at = i;
    }
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  assert.ok(
    maxErr <= rtol * scale + atol,
    `${what}: max |diff| ${maxErr} at ${at} (got ${actual[at]}, want ${expected[at]}), ` +
      `scale ${scale}, rtol ${rtol}`,
  );
}
