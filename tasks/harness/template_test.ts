import assert from "node:assert/strict";
import { formatValue, lookup, renderTemplate, templateFields } from "./template.ts";

const RESULT = {
  config: { steps: 3400, batch: 16, replicas: 2, lr: 0.001 },
  metrics: {
    params: 176672,
    nll: { mean: 99.354, std: 0, n: 1, perSeed: [99.354] },
    rows: [{ method: "bptt", peakBytes: 18918416 }, { method: "msm", peakBytes: 1315856 }],
    kl: [14.576, 11.998],
  },
};

Deno.test("renderTemplate() fills config and metric fields from the result", () => {
  const r = renderTemplate(
    "{config.steps} Adam steps of batch {config.batch} on {config.replicas} workers",
    RESULT,
  );
  assert.deepEqual(r, { text: "3,400 Adam steps of batch 16 on 2 workers", missing: [] });
  assert.equal(renderTemplate("{metrics.nll.mean} nats", RESULT).text, "99.35 nats");
  assert.equal(renderTemplate("lr {config.lr}", RESULT).text, "lr 0.001");
  assert.equal(renderTemplate("{metrics.kl} bits", RESULT).text, "14.58, 12 bits");
});

Deno.test("lookup() picks array elements by index or by a field", () => {
  assert.equal(lookup(RESULT, "metrics.rows[method=msm].peakBytes"), 1315856);
  assert.equal(lookup(RESULT, "metrics.rows.0.peakBytes"), 18918416);
  assert.equal(lookup(RESULT, "metrics.rows[method=chen].peakBytes"), undefined);
  assert.equal(lookup(RESULT, "config.steps.deeper"), undefined);
});

Deno.test("a missing field is named, not silently dropped", () => {
  const r = renderTemplate("{config.steps} steps, {config.epochs} epochs", RESULT);
  assert.deepEqual(r.missing, ["config.epochs"]);
  assert.equal(r.text, "3,400 steps, ‹config.epochs: missing› epochs");
  assert.deepEqual(templateFields("a {x.y} b {metrics.rows[method=bptt].peakBytes}"), [
    "x.y",
    "metrics.rows[method=bptt].peakBytes",
  ]);
});

Deno.test("formatValue() writes integers with separators and other numbers to 4 digits", () => {
  assert.equal(formatValue(500752), "500,752");
  assert.equal(formatValue(190.91255), "190.9");
  assert.equal(formatValue(0.95574), "0.9557");
  assert.equal(formatValue(43563.18), "43,563");
  assert.equal(formatValue(true), "true");
});
