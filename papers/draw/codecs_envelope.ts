/**
 * A codec's best setting at each rate: the upper envelope (Pareto front) of all its sweep points
 * in (rate, quality), and interpolation along it in log-rate.
 *
 * The envelope keeps every point that no other point beats with a rate at most its own and a
 * strictly higher value. Between two envelope points the value is interpolated linearly in
 * log(rate): an estimate of what a setting between the two would give (the sweeps are dense, so
 * neighbouring envelope points are close), not a measured point.
 *
 * @module
 */

/** One measured point of a sweep. */
export interface RatePoint {
  rate: number;
  value: number;
  /** What produced it (method and setting), carried through for the report. */
  label: string;
}

/** The points of `points` (rate > 0) that no cheaper-or-equal point beats, by rising rate. */
export function upperEnvelope(points: readonly RatePoint[]): RatePoint[] {
  const s = points.filter((p) => p.rate > 0 && Number.isFinite(p.rate) && Number.isFinite(p.value))
    .sort((a, b) => a.rate - b.rate || b.value - a.value);
  const out: RatePoint[] = [];
  for (const p of s) {
    const last = out[out.length - 1];
    if (!last || p.value > last.value) {
      if (last && last.rate === p.rate) out.pop();
      out.push(p);
    }
  }
  return out;
}

/**
 * The envelope's value at `rate`, linear in log(rate) between the two envelope points around it;
 * null outside the rates the envelope spans (below its cheapest or above its dearest point).
 */
export function envelopeAt(envelope: readonly RatePoint[], rate: number): number | null {
  if (!(rate > 0)) return null;
  for (let i = 0; i < envelope.length; i++) {
    const b = envelope[i]!;
    if (b.rate === rate) return b.value;
    const a = envelope[i - 1];
    if (a && a.rate < rate && rate < b.rate) {
      const w = Math.log(rate / a.rate) / Math.log(b.rate / a.rate);
      return a.value + w * (b.value - a.value);
    }
  }
  return null;
}

/** The rates an envelope spans, or null when it is empty. */
export function envelopeSpan(envelope: readonly RatePoint[]): { lo: number; hi: number } | null {
  const first = envelope[0], last = envelope[envelope.length - 1];
  return first && last ? { lo: first.rate, hi: last.rate } : null;
}
