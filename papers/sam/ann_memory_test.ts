import assert from "node:assert/strict";
import { loadHnswInstance } from "./_hnsw.ts";
import { annIndexBytes, DEFAULT_ANN } from "./ann_index.ts";
import { measureInitIndexBytes } from "./ann_memory.ts";

Deno.test("the counted bytes of an hnswlib index cover its measured wasm heap growth, within 25 %", async () => {
  const { m, efConstruction } = DEFAULT_ANN;
  for (const cap of [10, 100, 1703, 8000]) {
    const lib = await loadHnswInstance(); // a fresh heap each time
    const measured = measureInitIndexBytes(lib, 32, cap, m, efConstruction);
    const counted = annIndexBytes(cap, m, 32);
    assert.ok(counted >= measured, `capacity ${cap}: counted ${counted} < measured ${measured}`);
    assert.ok(counted <= 1.25 * measured, `capacity ${cap}: counted ${counted} ≫ ${measured}`);
  }
});
