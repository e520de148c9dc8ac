/**
 * The project's TF.js engine: completes the wasm / cpu backends (missing or slow kernels and
 * gradients), chooses the backend, and provides the recurrent cells and ops the papers and the
 * harness share. Its benchmark (`bench.ts`) is not exported here: `deno task bench engine`
 * imports it directly, so that it is no part of any result's code hash.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { installEngine } from "./mod.ts";
 * await tf.setBackend("wasm");
 * installEngine("wasm"); // conv2d / gather / depthToSpace gradients now work; matMul backward is fast
 * ```
 *
 * @module
 */
export { installedBackends, installEngine } from "./install.ts";
export {
  BACKEND_CHOICES,
  type BackendChoice,
  backendVersions,
  probeWebGpuAdapter,
  resolveBackend,
  setupBackend,
} from "./backend.ts";
export { isReplaced, originalKernel, withOriginalKernels } from "./kernel_registry.ts";
export { depthToSpace, spaceToDepth } from "./space_depth.ts";
export {
  lstmCell,
  lstmCellForward,
  lstmCellVjp,
  type LstmGrads,
  type LstmInput,
  type LstmParams,
  lstmParams,
  type LstmRecord,
  type LstmState,
  type LstmWeights,
  lstmZeroState,
} from "./lstm.ts";
export {
  convLstmCell,
  type ConvLstmParams,
  convLstmParams,
  type ConvLstmState,
  convLstmZeroState,
} from "./conv_lstm.ts";
export { softmax, topK, topKSoftmax } from "./ops.ts";
export { lstmGates } from "./lstm_gates.ts";
