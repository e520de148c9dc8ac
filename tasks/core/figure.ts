/**
 * Figures as data: what an experiment's `summarize` returns. A line plot is a spec (rows, axes,
 * series) that the harness renders to SVG and PNG (`tasks/harness/plot.ts`); an image grid is
 * encoded to PNG here, since it needs no renderer.
 * @module
 */
import { encode as encodePng } from "fast-png";

/** One axis of a line plot. */
export interface AxisSpec {
  /** Row field plotted on this axis. */
  field: string;
  /** Axis title, with units. */
  title: string;
  /** Log scale (as the paper's figure uses). */
  log?: boolean;
}

/** A line plot: one line per value of `color`, optional error band. */
export interface LinePlotSpec {
  title: string;
  data: Record<string, number | string | null>[];
  x: AxisSpec;
  y: AxisSpec;
  /** Field naming the series (legend). */
  color?: string;
  /** Fields holding the lower/upper band (e.g. mean ± sd). */
  band?: { lo: string; hi: string };
  /** Dashed series (field value → dashed), e.g. published reference curves. */
  dashField?: string;
  width?: number;
  height?: number;
}

/**
 * Tile grey images (values in [0, 1], row-major `h × w`) into one PNG, `cols` per row, with a
 * 1-pixel separator, each pixel scaled `scale` times.
 */
export function imageGridPng(
  images: readonly Float32Array[],
  h: number,
  w: number,
  cols: number,
  scale = 2,
): Uint8Array {
  if (images.length === 0) throw new RangeError("imageGridPng() needs at least one image");
  const rows = Math.ceil(images.length / cols);
  const cellH = h * scale + 1, cellW = w * scale + 1;
  const H = rows * cellH + 1, W = cols * cellW + 1;
  const data = new Uint8Array(H * W).fill(128);
  images.forEach((img, k) => {
    if (img.length !== h * w) throw new RangeError(`image ${k} has ${img.length} px, not ${h * w}`);
    const oy = Math.floor(k / cols) * cellH + 1, ox = (k % cols) * cellW + 1;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = img[Math.floor(y / scale) * w + Math.floor(x / scale)]!;
        data[(oy + y) * W + ox + x] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    }
  });
  return encodePng({ width: W, height: H, data, channels: 1, depth: 8 });
}
