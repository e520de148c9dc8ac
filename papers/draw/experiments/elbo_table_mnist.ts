/** ELBO table on static binarized MNIST: VAE, IWAE, DRAW and conv DRAW at equal compute. */
import { elboTableExperiment } from "../elbo_table.ts";

/** The relative ELBO claim on MNIST (DRAW 2015 Table 2 has DRAW without attention at 87.40). */
export const experiment = elboTableExperiment(
  "elbo_table_mnist",
  "binarized_mnist",
  "ELBO table, MNIST (DRAW Table 2 ordering)",
);
