import assert from "node:assert/strict";
import { decode } from "fast-png";
import { linePlot, svgToPng } from "./plot.ts";

const ROWS = [
  { N: 32, ms: 1, model: "sam" },
  { N: 1024, ms: 2, model: "sam" },
  { N: 32, ms: 3, model: "ntm" },
  { N: 1024, ms: 90, model: "ntm" },
];

Deno.test("linePlot() draws a log-log SVG with axis titles and a legend", async () => {
  const svg = await linePlot({
    title: "time vs N",
    data: ROWS,
    x: { field: "N", title: "memory slots N", log: true },
    y: { field: "ms", title: "ms per step", log: true },
    color: "model",
  });
  assert.match(svg, /^<svg/);
  for (const text of ["memory slots N", "ms per step", "ntm", "sam", "time vs N"]) {
    assert.ok(svg.includes(text), `SVG lacks "${text}"`);
  }
});

Deno.test("svgToPng() rasterises deterministically", async () => {
  const svg = await linePlot({
    title: "t",
    data: ROWS,
    x: { field: "N", title: "N" },
    y: { field: "ms", title: "ms" },
  });
  const a = await svgToPng(svg), b = await svgToPng(svg);
  assert.deepEqual(a, b);
  const img = decode(a);
  assert.ok(img.width > 500 && img.height > 300);
});
