/**
 * `installEngine(backendName)`: fills the gaps of a TF.js backend so the papers can train on it.
 *
 * | backend | kernels added (+) or replaced (~) |
 * |---|---|
 * | wasm, relaxed SIMD | ~ BatchMatMul / _FusedMatMul (relaxed-SIMD GEMM, gemm_kernel.ts), ~ Conv2D / FusedConv2D / Conv2DBackpropFilter / Conv2DBackpropInput (im2col + that GEMM, conv_gemm_kernel.ts); without relaxed SIMD the row below applies |
 * | wasm | ~ Identity / same-dtype Cast (share the buffer instead of copying), + Conv2DBackpropFilter, ~ Conv2DBackpropInput (≈14× faster), + UnsortedSegmentSum, ~ OneHot (float32 bug), ~ BatchMatMul / _FusedMatMul (transpose flags → explicit transposes) |
 * | cpu | ~ Conv2DBackpropFilter (≈80× its forward conv before), ~ UnsortedSegmentSum (O(size) instead of O(segments·size)), ~ TensorScatterUpdate (wrote into its input) |
 * | wasm, cpu | + EngineLstmGates / EngineLstmGatesGrad / EngineLstmGatesSaved / EngineLstmGatesVjp (fused LSTM gate math, see lstm_gates.ts) |
 * | any | gradients for DepthToSpace, TopK, GatherNd, ScatterNd, TensorScatterUpdate |
 *
 * webgpu has all of these kernels natively and gets the gradients only.
 *
 * @module
 */
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from "./conv_kernels.ts";
import { installRelaxedSimdConv } from "./conv_gemm_kernel.ts";
import { installRelaxedSimdGemm } from "./gemm_kernel.ts";
import { registerIndexGradients } from "./index_gradients.ts";
import { replaceKernel } from "./kernel_registry.ts";
import { explicitTransposeMatMul } from "./matmul_kernel.ts";
import { sharedCastKernel, sharedIdentityKernel } from "./identity_kernel.ts";
import {
  LSTM_GATES,
  LSTM_GATES_GRAD,
  LSTM_GATES_SAVED,
  LSTM_GATES_VJP,
  lstmGatesGradKernel,
  lstmGatesKernel,
  lstmGatesSavedKernel,
  lstmGatesVjpKernel,
} from "./lstm_gates_kernel.ts";
import { registerLstmGatesGradient } from "./lstm_gates.ts";
import { oneHotKernel } from "./one_hot_kernel.ts";
import { copyingTensorScatterUpdate, unsortedSegmentSumKernel } from "./segment_kernels.ts";
import { registerDepthToSpaceGradient } from "./space_depth.ts";

let gradientsInstalled = false;
const backendsInstalled = new Set<string>();

function installGradients(): void {
  if (gradientsInstalled) return;
  gradientsInstalled = true;
  registerDepthToSpaceGradient();
  registerIndexGradients();
  registerLstmGatesGradient();
}

function installFusedCells(backendName: string): void {
  replaceKernel(backendName, LSTM_GATES, () => lstmGatesKernel(backendName));
  replaceKernel(backendName, LSTM_GATES_GRAD, () => lstmGatesGradKernel(backendName));
  replaceKernel(backendName, LSTM_GATES_SAVED, () => lstmGatesSavedKernel(backendName));
  replaceKernel(backendName, LSTM_GATES_VJP, () => lstmGatesVjpKernel());
}

function installWasm(): void {
  // Relaxed-SIMD GEMM and GEMM-lowered convolutions first (a kernel is replaced once); where
  // relaxed SIMD is absent they install nothing and the kernels below stay.
  installRelaxedSimdGemm();
  installRelaxedSimdConv();
  replaceKernel("wasm", "Identity", () => sharedIdentityKernel());
  replaceKernel("wasm", "Cast", (orig) => {
    if (!orig) throw new Error("engine: wasm has no Cast kernel to wrap");
    return sharedCastKernel(orig);
  });
  replaceKernel("wasm", "Conv2DBackpropFilter", () => conv2dBackpropFilterKernel("wasm"));
  replaceKernel("wasm", "Conv2DBackpropInput", () => conv2dBackpropInputKernel("wasm"));
  replaceKernel("wasm", "UnsortedSegmentSum", () => unsortedSegmentSumKernel());
  replaceKernel("wasm", "OneHot", (orig) => oneHotKernel(orig));
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    replaceKernel("wasm", name, (orig) => {
      if (!orig) throw new Error(`engine: wasm has no ${name} kernel to wrap`);
      return explicitTransposeMatMul("wasm", orig, name === "BatchMatMul");
    });
  }
}

function installCpu(): void {
  replaceKernel("cpu", "Conv2DBackpropFilter", () => conv2dBackpropFilterKernel("cpu"));
  replaceKernel("cpu", "UnsortedSegmentSum", () => unsortedSegmentSumKernel());
  replaceKernel("cpu", "TensorScatterUpdate", (orig) => {
    if (!orig) throw new Error("engine: cpu has no TensorScatterUpdate kernel to wrap");
    return copyingTensorScatterUpdate(orig);
  });
}

/**
 * Makes `backendName` complete (and, on wasm, fast) for what the papers need. Idempotent; safe to
 * call before or after `tf.setBackend(backendName)`. Gradients are global (every backend).
 *
 * @param backendName "wasm" | "cpu" | "webgpu" | any other (gets the gradients only)
 * @example
 * ```ts
 * await tf.setBackend("wasm");
 * installEngine("wasm");
 * ```
 */
export function installEngine(backendName: string): void {
  installGradients();
  if (backendsInstalled.has(backendName)) return;
  if (backendName === "wasm") installWasm();
  else if (backendName === "cpu") installCpu();
  if (backendName === "wasm" || backendName === "cpu") installFusedCells(backendName);
  backendsInstalled.add(backendName);
}

/** Backends `installEngine` has run for (for provenance records). */
export function installedBackends(): string[] {
  return [...backendsInstalled];
}
