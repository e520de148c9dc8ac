import assert from "node:assert/strict";
import { decode } from "fast-png";
import { imageGridPng } from "./figure.ts";

Deno.test("imageGridPng() places each image in its own cell", () => {
  const black = new Float32Array(4), white = new Float32Array(4).fill(1);
  const png = decode(imageGridPng([black, white, white], 2, 2, 2, 1));
  assert.equal(png.width, 2 * 3 + 1);
  assert.equal(png.height, 2 * 3 + 1);
  assert.equal(png.data[1 * png.width + 1], 0); // first image, black
  assert.equal(png.data[1 * png.width + 4], 255); // second image, white
  assert.equal(png.data[0], 128); // separator
  assert.throws(() => imageGridPng([new Float32Array(3)], 2, 2, 1), RangeError);
});
