import assert from "node:assert/strict";
import { orderingViolations } from "./elbo_table.ts";

Deno.test("orderingViolations names every pair that breaks conv DRAW < DRAW < IWAE < VAE", () => {
  assert.deepEqual(orderingViolations({ vae: 100, iwae: 98, draw: 95, conv_draw: 90 }), []);
  assert.deepEqual(orderingViolations({ vae: 90, iwae: 98, draw: 95, conv_draw: 92 }), [
    "iwae ≥ vae",
    "draw ≥ vae",
    "conv_draw ≥ vae",
  ]);
  assert.deepEqual(orderingViolations({ vae: 100, conv_draw: 100 }), ["conv_draw ≥ vae"]);
});
