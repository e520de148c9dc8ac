/**
 * One factory for the models of Figures 1, 2 and 7, with the paper's shared sizes.
 * @module
 */
import type { Rng } from "../../tasks/core/rng.ts";
import { type AnnOptions, DEFAULT_ANN } from "./ann_index.ts";
import { DenseModel, type DenseSpec } from "./dense.ts";
import { DenseJsModel } from "./dense_js.ts";
import { DncModel, SdncModel } from "./dnc_model.ts";
import type { ModelName, SequenceModel } from "./model.ts";
import { SamModel } from "./sam.ts";

/** Sizes shared by every model (paper: LSTM 100, 4 heads, K = 4, word 32, δ = 0.005). */
export interface ModelSizes {
  input: number;
  output: number;
  hidden: number;
  N: number;
  W: number;
  heads: number;
  K: number;
  /** Batch size B. */
  batch: number;
  /** Longest episode (sizes the ANN graph). */
  maxSteps: number;
  /** DAM usage discount λ. */
  lambda?: number;
  ann?: Partial<AnnOptions>;
  /** SAM: memory stays full across sequences (full-index benchmark). */
  persistent?: boolean;
  /**
   * SAM: backward pass — "recompute" (the default: per-step recompute on the visible words, the
   * memory-lean pass Figures 1a/1b measure) or "tape" (the whole controller on the TF.js tape,
   * ≈ 2.6× fewer kernels but ≈ 1.8 MB of TF.js tensors per step for training; see README).
   */
  samBackward?: "tape" | "recompute";
  /**
   * NTM / DAM: "autodiff" (the default; dense.ts, the whole memory on the TF.js tape, as Figure 1
   * measures it) or "js" (dense_js.ts: the same model with the memory access as one JS node per
   * step, for training).
   */
  denseImpl?: "autodiff" | "js";
  /** Sparse DNC: link entries per row and precedence non-zeros K_L (paper 8, the default). */
  KL?: number;
}

/** All model names, in the paper's legend order. */
export const MODEL_NAMES: readonly ModelName[] = [
  "lstm",
  "ntm",
  "dam",
  "sam_linear",
  "sam_ann",
  "dnc",
  "sdnc",
];

/** Build a model by name with seeded parameters. */
export async function createModel(
  name: ModelName,
  s: ModelSizes,
  rng: Rng,
): Promise<SequenceModel> {
  if (name === "sam_linear" || name === "sam_ann") {
    return await SamModel.create(
      {
        input: s.input,
        output: s.output,
        hidden: s.hidden,
        N: s.N,
        W: s.W,
        heads: s.heads,
        K: s.K,
        delta: 0.005,
        index: name === "sam_ann" ? "ann" : "linear",
        ann: { ...DEFAULT_ANN, ...s.ann },
        maxSteps: s.maxSteps,
        persistent: s.persistent ?? false,
        backward: s.samBackward ?? "recompute",
      },
      s.batch,
      rng,
    );
  }
  if (name === "dnc" || name === "sdnc") {
    const spec = {
      input: s.input,
      output: s.output,
      hidden: s.hidden,
      N: s.N,
      W: s.W,
      heads: s.heads,
      K: s.K,
      KL: s.KL ?? 8,
      delta: 0.005,
    };
    return name === "dnc" ? new DncModel(spec, rng) : new SdncModel(spec, s.batch, rng);
  }
  const spec: DenseSpec = {
    kind: name,
    input: s.input,
    output: s.output,
    hidden: s.hidden,
    N: s.N,
    W: s.W,
    heads: s.heads,
    lambda: s.lambda ?? 0.99,
  };
  if (name !== "lstm" && s.denseImpl === "js") {
    return new DenseJsModel({ ...spec, kind: name }, rng);
  }
  return new DenseModel(spec, rng);
}
