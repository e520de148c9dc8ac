/**
 * Measured wasm-heap bytes of one hnswlib-wasm index after `initIndex` (before any point is
 * added): the heap only grows, geometrically (emscripten: ≥ 20 % per growth), so the growth of
 * one index is not visible on its own. Many indexes are created without freeing them; at each
 * growth the heap was just too small for the next index, so the heap size *before* a growth
 * bounds everything allocated so far; between the first and the last growth, the bytes per index
 * are (size before last growth − size before first growth) / (indexes in between), without the
 * over-allocation of the geometric step. The indexes are deleted afterwards.
 * @module
 */
import type { HnswIndex, HnswLib } from "./_hnsw.ts";

/** Bytes per `initIndex(capacity, m, efConstruction)` of a W-dimensional inner-product index. */
export function measureInitIndexBytes(
  lib: HnswLib,
  W: number,
  capacity: number,
  m: number,
  efConstruction: number,
  maxIndexes = 2000,
  minGrowths = 14,
): number {
  const made: HnswIndex[] = [];
  const growths: { before: number; at: number }[] = [];
  try {
    for (let i = 0; i < maxIndexes && growths.length < minGrowths; i++) {
      const before = lib.HEAPU8.length;
      const idx = new lib.HierarchicalNSW("ip", W, "");
      idx.initIndex(capacity, m, efConstruction, 100);
      made.push(idx);
      if (lib.HEAPU8.length !== before) growths.push({ before, at: i });
    }
  } finally {
    for (const idx of made) idx.delete();
  }
  if (growths.length < 2) {
    throw new Error(`hnswlib heap grew ${growths.length} times in ${made.length} indexes`);
  }
  const first = growths[0]!, last = growths.at(-1)!;
  return (last.before - first.before) / (last.at - first.at);
}
