/** ELBO table on Omniglot: VAE, IWAE, DRAW and conv DRAW at equal compute. */
import { elboTableExperiment } from "../elbo_table.ts";

/** The relative ELBO claim on Omniglot (conv DRAW's table, as cited by VLAE Table 3). */
export const experiment = elboTableExperiment(
  "elbo_table_omniglot",
  "omniglot",
  "ELBO table, Omniglot (conv DRAW's Omniglot table)",
);
