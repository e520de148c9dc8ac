/** ELBO table, MNIST row: conv DRAW on static binarized MNIST vs DRAW's 80.97 / 87.40 nats. */
import { elboExperiment } from "../elbo_experiment.ts";

/** Test −ELBO on static binarized MNIST (DRAW Table 2 anchor; the paper has no MNIST row). */
export const experiment = elboExperiment(
  "elbo_mnist",
  "binarized_mnist",
  "ELBO table (MNIST anchor: DRAW Table 2)",
);
