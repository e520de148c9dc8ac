/**
 * Figures: vega-lite specs rendered to SVG without a DOM, SVG rasterised to PNG with resvg
 * (DejaVu Sans loaded explicitly so output is byte-stable), and image grids encoded as PNG.
 *
 * @example
 * ```ts
 * import { linePlot } from "./plot.ts";
 * const svg = await linePlot({
 *   title: "time vs N", data: [{ N: 32, ms: 1, model: "sam" }, { N: 64, ms: 2, model: "sam" }],
 *   x: { field: "N", title: "memory slots N", log: true },
 *   y: { field: "ms", title: "ms / step", log: true }, color: "model",
 * });
 * ```
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
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

function scale(a: AxisSpec): Record<string, unknown> {
  return a.log ? { type: "log" } : { zero: false };
}

/** Render a line plot to SVG text (axes, log scales, legend). */
export async function linePlot(spec: LinePlotSpec): Promise<string> {
  const enc = {
    x: { field: spec.x.field, type: "quantitative", title: spec.x.title, scale: scale(spec.x) },
    y: { field: spec.y.field, type: "quantitative", title: spec.y.title, scale: scale(spec.y) },
    ...(spec.color ? { color: { field: spec.color, type: "nominal", title: spec.color } } : {}),
  };
  const layers: Record<string, unknown>[] = [];
  if (spec.band) {
    layers.push({
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        ...enc,
        y: { ...enc.y, field: spec.band.lo },
        y2: { field: spec.band.hi },
      },
    });
  }
  layers.push({
    mark: { type: "line", point: true },
    encoding: {
      ...enc,
      ...(spec.dashField
        ? { strokeDash: { field: spec.dashField, type: "nominal", title: spec.dashField } }
        : {}),
    },
  });
  const top = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: spec.width ?? 480,
    height: spec.height ?? 300,
    background: "white",
    title: spec.title,
    data: { values: spec.data.filter((r) => r[spec.y.field] !== null) },
    layer: layers,
    config: { font: "DejaVu Sans" },
  } as unknown as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(top).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

let resvgReady: Promise<void> | null = null;
let fontBytes: Uint8Array | null = null;
const FONT_PATHS = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/Library/Fonts/DejaVuSans.ttf",
];

async function ensureResvg(): Promise<void> {
  resvgReady ??= (async () => {
    const wasmUrl = new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"));
    await initWasm(await Deno.readFile(wasmUrl));
    for (const p of FONT_PATHS) {
      try {
        fontBytes = await Deno.readFile(p);
        break;
      } catch { /* try the next location */ }
    }
  })();
  await resvgReady;
}

/** Rasterise SVG to PNG at 2× zoom. Text needs DejaVu Sans (Debian `fonts-dejavu-core`). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  await ensureResvg();
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    font: {
      fontBuffers: fontBytes ? [fontBytes] : [],
      defaultFontFamily: "DejaVu Sans",
      loadSystemFonts: false,
    },
  });
  const png = r.render().asPng();
  r.free();
  return png;
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
