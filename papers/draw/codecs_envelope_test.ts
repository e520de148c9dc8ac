import assert from "node:assert/strict";
import { envelopeAt, envelopeSpan, type RatePoint, upperEnvelope } from "./codecs_envelope.ts";

const p = (rate: number, value: number, label = `${rate}`): RatePoint => ({ rate, value, label });

Deno.test("upperEnvelope() keeps the best value at each rate across sweeps", () => {
  const a = [p(0.1, 10, "a1"), p(0.2, 14, "a2"), p(0.4, 16, "a3"), p(0.8, 17, "a4")];
  const b = [p(0.15, 13, "b1"), p(0.3, 13.5, "b2"), p(0.4, 18, "b3"), p(0, 5, "b0")];
  const env = upperEnvelope([...a, ...b]);
  assert.deepEqual(env.map((e) => e.label), ["a1", "b1", "a2", "b3"]);
});

Deno.test("envelopeAt() interpolates in log-rate and is null outside the span", () => {
  const env = upperEnvelope([p(0.1, 10), p(0.4, 20)]);
  assert.ok(Math.abs(envelopeAt(env, 0.2)! - 15) < 1e-12, "0.2 is halfway in log-rate");
  assert.equal(envelopeAt(env, 0.4), 20);
  assert.equal(envelopeAt(env, 0.05), null);
  assert.equal(envelopeAt(env, 0.5), null);
  assert.deepEqual(envelopeSpan(env), { lo: 0.1, hi: 0.4 });
  assert.equal(envelopeSpan([]), null);
});
