/**
 * The project's TF.js engine: completes the wasm / cpu backends (missing or slow kernels and
 * gradients) and provides the recurrent cells and ops the papers share.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { installEngine } from "../../tasks/engine/mod.ts";
 * await tf.setBackend("wasm");
 * installEngine("wasm"); // conv2d / gather / depthToSpace gradients now work; matMul backward is fast
 * ```
 *
 * @module
 */
export { installedBackends, installEngine } from "./install.ts";
export { isReplaced, originalKernel, withOriginalKernels } from "./kernel_registry.ts";
export { spaceToDepth } from "./space_depth.ts";
export { lstmCell, type LstmParams, lstmParams, type LstmState, lstmZeroState } from "./lstm.ts";
export {
  convLstmCell,
  type ConvLstmParams,
  convLstmParams,
  type ConvLstmState,
  convLstmZeroState,
} from "./conv_lstm.ts";
export { softmax, topK, topKSoftmax } from "./ops.ts";
export { lstmGates } from "./lstm_gates.ts";
