import assert from "node:assert/strict";
import { interpolateAt } from "./rate_distortion.ts";

Deno.test("interpolateAt() interpolates linearly inside the measured rates and gives null outside", () => {
  const pts = [{ rate: 0.4, value: 20 }, { rate: 0.2, value: 10 }, { rate: 0.8, value: 22 }];
  assert.equal(interpolateAt(pts, 0.3), 15);
  assert.equal(interpolateAt(pts, 0.8), 22);
  assert.equal(interpolateAt(pts, 0.1), null);
  assert.equal(interpolateAt(pts, 0.9), null);
});
