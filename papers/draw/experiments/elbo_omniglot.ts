/** ELBO table, Omniglot row: conv DRAW vs the published < 91.00 nats. */
import { elboExperiment } from "../elbo_experiment.ts";

/**
 * Test −ELBO on Omniglot 28×28 (conv DRAW's Omniglot table, as cited by VLAE Table 3), on the raw
 * weights (`DEFAULT_EMA`).
 */
export const experiment = elboExperiment("elbo_omniglot", "omniglot", "Omniglot NLL table");
