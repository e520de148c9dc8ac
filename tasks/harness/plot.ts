/**
 * Figure rendering: line-plot specs (`tasks/core/figure.ts`, what experiments return) rendered
 * as vega-lite to SVG without a DOM, and SVG rasterised to PNG with resvg (DejaVu Sans loaded
 * explicitly so output is byte-stable).
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
import type { AxisSpec, LinePlotSpec } from "../core/figure.ts";

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
  // The layers are plain records: vega-lite's TopLevelSpec types every channel with literal
  // unions; vl.compile checks the spec when it runs.
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
