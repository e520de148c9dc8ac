/**
 * Synthetic sequence tasks of the NTM/SAM papers (copy, associative recall, priority sort),
 * generated from a seeded PRNG (`tasks/harness/rng.ts`); no files needed.
 * @module
 */
export * from "./episode.ts";
export * from "./copy.ts";
export * from "./associative_recall.ts";
export * from "./priority_sort.ts";
