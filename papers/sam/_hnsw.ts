/**
 * Loads hnswlib-wasm 0.8.2 under Deno (quirks: TOOLCHAIN.md §7 and the SAM notes §4.2): the
 * bare specifier does not resolve, the emscripten glue wants a `window`, and the factory skips
 * the IDBFS setup of `loadHnswlib()`.
 * @module
 */
import factory from "hnswlib-wasm/dist/hnswlib-317962d7.js";

/** The subset of the hnswlib-wasm HierarchicalNSW API used here. */
export interface HnswIndex {
  initIndex(maxElements: number, m: number, efConstruction: number, seed: number): void;
  setEfSearch(ef: number): void;
  addPoint(v: Float32Array, label: number, replaceDeleted: boolean): void;
  addPoints(v: Float32Array[], labels: number[], replaceDeleted: boolean): void;
  markDelete(label: number): void;
  searchKnn(
    q: Float32Array,
    k: number,
    filter: undefined,
  ): { distances: number[]; neighbors: number[] };
  getCurrentCount(): number;
  delete(): void;
}

/** The loaded library. */
export interface HnswLib {
  HierarchicalNSW: new (space: "l2" | "ip" | "cosine", dim: number, file: string) => HnswIndex;
  HEAPU8: Uint8Array;
}

let loaded: Promise<HnswLib> | null = null;

/** Load (once) and return the hnswlib-wasm module. */
export function loadHnsw(): Promise<HnswLib> {
  if (!loaded) loaded = loadHnswInstance();
  return loaded;
}

/** A new instance of the module, with its own wasm heap (for heap measurements). */
export function loadHnswInstance(): Promise<HnswLib> {
  const g = globalThis as Record<string, unknown>;
  const had = "window" in g;
  if (!had) g.window = globalThis;
  return (factory() as Promise<HnswLib>).finally(() => {
    if (!had) delete g.window;
  });
}
