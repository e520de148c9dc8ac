/**
 * Registry of the real (downloadable, checksum-verified) data sets the project reads.
 * `deno task data <name|all>` (tasks/data.ts) makes each available and verified on a user's
 * machine; loaders read them with sha256 checks and fail with the fixing command.
 *
 * @example
 * ```ts
 * import { DATASETS, ensureDataset } from "./datasets/mod.ts";
 * for (const spec of DATASETS) await ensureDataset(spec, console.log);
 * ```
 * @module
 */
import type { DatasetSpec } from "./_files.ts";
import { BABI } from "./babi/mod.ts";
import { BINARIZED_MNIST } from "./binarized_mnist/mod.ts";
import { FASHION_MNIST } from "./fashion_mnist/mod.ts";
import { MNIST } from "./mnist/mod.ts";
import { OMNIGLOT } from "./omniglot/mod.ts";

export {
  cacheRoot,
  type DatasetSpec,
  ensureDataset,
  type ImageSet,
  readVerified,
  sharedDataRoot,
} from "./_files.ts";

/** Every downloadable data set, by registry name. */
export const DATASETS: readonly DatasetSpec[] = [
  MNIST,
  BINARIZED_MNIST,
  OMNIGLOT,
  FASHION_MNIST,
  BABI,
];

/** Look up a data set by name; throws listing the known names. */
export function datasetByName(name: string): DatasetSpec {
  const spec = DATASETS.find((d) => d.name === name);
  if (!spec) {
    throw new Error(`unknown data set "${name}"; known: ${DATASETS.map((d) => d.name).join(", ")}`);
  }
  return spec;
}
