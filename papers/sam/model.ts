/**
 * What every model in this paper offers the training loop and the benchmarks.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Params } from "./controller.ts";

/** Result of one pass over an episode. */
export interface PassResult {
  /** Loss in nats per sequence (summed over scored bits, averaged over the batch). */
  loss: number;
  /** Predicted bit probabilities [T, B, Y]. */
  probs: Float32Array;
  /** Gradients in PARAM_NAMES order (null when `backward` was false). Caller disposes. */
  grads: tf.Tensor[] | null;
  /** Bytes held outside TF.js for the backward pass (journal, saved indices, index graph). */
  hostBytes: number;
}

/** A trainable sequence model (LSTM, NTM, DAM, SAM, DNC, Sparse DNC). */
export interface SequenceModel {
  readonly name: string;
  readonly params: Params;
  /** Forward (and backward) over one episode; memory is back at its start state afterwards. */
  run(ep: Episode, backward: boolean): PassResult;
  /** Free tensors, wasm objects and memory. */
  dispose(): void;
}

/** Model names of Figures 1, 2 and 7. */
export type ModelName = "lstm" | "ntm" | "dam" | "sam_linear" | "sam_ann" | "dnc" | "sdnc";
