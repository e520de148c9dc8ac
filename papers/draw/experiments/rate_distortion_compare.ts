/**
 * The matched-rate comparison of conv DRAW with each codec family: envelopes (best setting at
 * each payload rate) in PSNR and SSIM, conv DRAW's gain over each family at the paper's levels
 * where both reach them, and which method cannot reach a level (and why).
 *
 * @module
 */
import { envelopeAt, envelopeSpan, type RatePoint, upperEnvelope } from "../codecs_envelope.ts";
import type { CodecFamily, RdRow } from "./rate_distortion_sweeps.ts";

/** Families compared with conv DRAW, and their metric-name stems. */
export const FAMILIES: readonly { codec: CodecFamily; stem: string }[] = [
  { codec: "JPEG", stem: "Jpeg" },
  { codec: "JPEG 2000", stem: "J2k" },
  { codec: "WebP", stem: "Webp" },
  { codec: "AVIF", stem: "Avif" },
];

/** `0.05` → `"0_05"`: a level as it appears in metric names. */
export function levelKey(level: number): string {
  return String(level).replace(".", "_");
}

type Field = "psnr" | "ssim";
type Rate = "bpdPayload" | "bpdTotal";

/** The envelope of some rows in one field over one rate. */
export function envelopeOf(rows: readonly RdRow[], field: Field, rate: Rate = "bpdPayload") {
  return upperEnvelope(
    rows.map((r): RatePoint => ({
      rate: r[rate],
      value: r[field],
      label: `${r.method} @ ${r.setting}`,
    })),
  );
}

/** conv DRAW's measured lossy rows: conceptual-codec files, every step and prior variant. */
export function drawRows(rows: readonly RdRow[]): RdRow[] {
  return rows.filter((r) =>
    r.codec === "conv DRAW" && r.measuredBytes && !r.method.includes("lossless")
  );
}

/** conv DRAW's lossy rows at the ideal (KL) rate, no file written. */
export function idealDrawRows(rows: readonly RdRow[]): RdRow[] {
  return rows.filter((r) =>
    r.codec === "conv DRAW" && !r.measuredBytes && !r.method.includes("lossless")
  );
}

function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/**
 * Metrics of the comparison (see the module doc), with conv DRAW's measured curve (files'
 * bytes) or, for context, its ideal KL rate.
 */
export function compareAtLevels(
  rows: readonly RdRow[],
  levels: readonly number[],
  drawRate: "measured" | "ideal" = "measured",
) {
  const draw = drawRate === "measured" ? drawRows(rows) : idealDrawRows(rows);
  const families = [{ codec: "conv DRAW", stem: "Draw" }, ...FAMILIES] as const;
  const env = Object.fromEntries(
    families.map(({ codec }) => {
      const own = codec === "conv DRAW" ? draw : rows.filter((r) => r.codec === codec);
      return [codec, { psnr: envelopeOf(own, "psnr"), ssim: envelopeOf(own, "ssim") }];
    }),
  ) as Record<string, Record<Field, RatePoint[]>>;
  const spans = Object.fromEntries(
    families.map(({ codec }) => {
      const span = envelopeSpan(env[codec]!.psnr);
      return [codec, span ? { lo: round(span.lo), hi: round(span.hi) } : null];
    }),
  );
  // the payload rates each family's envelope spans, keyed by metric stem (Draw, Jpeg, J2k, ...)
  const reach = Object.fromEntries(families.map(({ codec, stem }) => [stem, spans[codec]!]));
  const metrics: Record<string, number | null> = {};
  // per level and family: who of (conv DRAW, the family) cannot reach it, with their rate spans
  const unreachable: Record<string, Record<string, string[]>> = {};
  const cant = (codec: string) => {
    const s = spans[codec];
    return s
      ? `${codec} (payload rates ${s.lo}–${s.hi} bits/dim over the settings swept)`
      : `${codec} (no points)`;
  };
  const table = levels.map((level) => {
    const key = levelKey(level);
    const at = (codec: string, f: Field) => envelopeAt(env[codec]![f], level);
    const drawPsnr = at("conv DRAW", "psnr"), drawSsim = at("conv DRAW", "ssim");
    const row: Record<string, number | null> = { bitsPerDim: level, drawPsnr, drawSsim };
    const why: Record<string, string[]> = {};
    for (const { codec, stem } of FAMILIES) {
      const p = at(codec, "psnr"), s = at(codec, "ssim");
      why[stem] = [
        ...(drawPsnr === null ? [cant("conv DRAW")] : []),
        ...(p === null ? [cant(codec)] : []),
      ];
      row[`best${stem}Psnr`] = p;
      row[`best${stem}Ssim`] = s;
      metrics[`psnrGainOverBest${stem}At${key}`] = p !== null && drawPsnr !== null
        ? drawPsnr - p
        : null;
      metrics[`ssimGainOverBest${stem}At${key}`] = s !== null && drawSsim !== null
        ? drawSsim - s
        : null;
    }
    unreachable[key] = why;
    return row;
  });
  const envelopes = Object.fromEntries(
    Object.entries(env).map(([codec, e]) => [
      codec,
      {
        psnr: e.psnr.map((p) => ({ rate: round(p.rate), value: round(p.value), from: p.label })),
        ssim: e.ssim.map((p) => ({ rate: round(p.rate), value: round(p.value), from: p.label })),
      },
    ]),
  );
  return { metrics, unreachable, table, reach, envelopes };
}
