/**
 * papers-repro: end-to-end reproductions of three NeurIPS 2016 papers with TensorFlow.js.
 *
 * - `sam`: Rae et al., "Scaling Memory-Augmented Neural Networks with Sparse Reads and Writes"
 *   (arXiv:1610.09027).
 * - `bptt`: Gruslys et al., "Memory-Efficient Backpropagation Through Time" (arXiv:1606.03401).
 * - `draw`: Gregor et al., "Towards Conceptual Compression" (arXiv:1604.08772).
 *
 * This module is the typed registry (explicit, no filesystem discovery) and re-exports the
 * experiment contract, result types and the harness entry points.
 *
 * @example
 * ```ts
 * import { PAPERS, paperById } from "./mod.ts";
 * for (const paper of PAPERS) console.log(paper.id, paper.experiments.map((e) => e.id));
 * const bptt = paperById("bptt");
 * ```
 * @module
 */
import type { Paper } from "./tasks/core/experiment.ts";
import { paper as sam } from "./papers/sam/mod.ts";
import { paper as bptt } from "./papers/bptt/mod.ts";
import { paper as draw } from "./papers/draw/mod.ts";

export type {
  BackendInfo,
  CellContext,
  CellRecord,
  CellSpec,
  Config,
  ConfigValue,
  Direction,
  Experiment,
  Figure,
  FigureRef,
  Json,
  Paper,
  ProfileName,
  ProgressReporter,
  Provenance,
  PublishedFile,
  PublishedRecord,
  ResultFile,
  SeedStat,
  Summary,
  SummaryContext,
} from "./tasks/core/experiment.ts";
export { PROFILES, RESULT_SCHEMA } from "./tasks/core/experiment.ts";
export { runExperiment } from "./tasks/harness/runner.ts";
export { setupBackend } from "./tasks/engine/mod.ts";
export { writeReport } from "./tasks/harness/report.ts";

/** Every paper of the suite, in the order `reproduce all` runs them. */
export const PAPERS: readonly Paper[] = Object.freeze([bptt, sam, draw]);

/** Look a paper up by id; throws with the valid ids when unknown. */
export function paperById(id: string): Paper {
  const p = PAPERS.find((x) => x.id === id);
  if (!p) {
    throw new RangeError(`unknown paper "${id}"; valid: ${PAPERS.map((x) => x.id).join(", ")}`);
  }
  return p;
}
