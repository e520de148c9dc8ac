/**
 * The four models of the ELBO table, named as the result metrics name them, and how each is
 * built from its sizes: `vae` and `iwae` (the same MLP, {@link Vae}, trained on the ELBO or on
 * the k-sample bound), `draw` (DRAW without attention, {@link DrawRnn}) and `conv_draw`
 * ({@link ConvDrawLatent}).
 *
 * @module
 */
import type { ConvDrawConfig } from "./conv_draw.ts";
import { ConvDrawLatent } from "./conv_draw_latent.ts";
import { DrawRnn, type DrawRnnConfig } from "./draw_rnn.ts";
import type { LatentModel } from "./latent_model.ts";
import { Vae, type VaeConfig } from "./vae.ts";

/** Model names, in the published table's order from worst to best. */
export const TABLE_MODELS = ["vae", "iwae", "draw", "conv_draw"] as const;

/** One of {@link TABLE_MODELS}. */
export type TableModel = typeof TABLE_MODELS[number];

/** A model and its sizes: what a worker needs to build it. */
export type TableModelSpec =
  | { model: "vae" | "iwae"; config: VaeConfig }
  | { model: "draw"; config: DrawRnnConfig }
  | { model: "conv_draw"; config: ConvDrawConfig };

/** Build the model a spec describes (on the current TF.js backend). */
export function buildTableModel(spec: TableModelSpec): LatentModel {
  switch (spec.model) {
    case "vae":
    case "iwae":
      return new Vae(spec.config);
    case "draw":
      return new DrawRnn(spec.config);
    case "conv_draw":
      return new ConvDrawLatent(spec.config);
  }
}

/** Whether a string names a table model. */
export function isTableModel(s: string): s is TableModel {
  return (TABLE_MODELS as readonly string[]).includes(s);
}
