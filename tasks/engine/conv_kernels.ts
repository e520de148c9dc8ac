/**
 * Conv2D backprop kernels built from forward convolutions, for backends whose own versions are
 * missing (wasm: no `Conv2DBackpropFilter`) or slow (wasm `Conv2DBackpropInput` ≈ 14× its
 * forward conv; cpu `Conv2DBackpropFilter` ≈ 80× its forward conv).
 *
 * Both kernels are NHWC and assume dilation 1 (TF.js's Conv2D gradient asserts that too).
 *
 * Filter gradient, for x `[N, H, W, Ci]`, dy `[N, Ho, Wo, Co]`, stride s and padded input xp:
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} xp[n, oh·s + kh, ow·s + kw, ci] · dy[n, oh, ow, co]
 * which is a valid convolution of xp transposed to `[Ci, Hp, Wp, N]` (batch = Ci, channels = N)
 * with dy transposed to `[Ho, Wo, N, Co]` as the filter, dilated by s, then cropped to KH × KW.
 *
 * Input gradient (= conv2d-transpose): insert s − 1 zeros between dy's rows and columns, pad by
 * KH − 1 − padTop (and what makes the output H), and run a stride-1 valid convolution with the
 * spatially flipped filter whose in/out channels are swapped, `[KH, KW, Co, Ci]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AnyBackend, backendOf, free, makeFilled, read, run } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

type Pad = "valid" | "same" | number | [[number, number], [number, number], [number, number], [
  number,
  number,
]];

interface ConvInfoLike {
  padInfo: { top: number; bottom: number; left: number; right: number };
  strideHeight: number;
  strideWidth: number;
  outHeight: number;
  outWidth: number;
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode: "floor" | "round" | "ceil" | undefined,
): ConvInfoLike {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as "valid",
    dimRoundingMode,
    false,
    "channelsLast",
  );
}

function assertNhwc(dataFormat: unknown, what: string): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC") {
    throw new Error(`engine ${what}: only NHWC is supported, got ${String(dataFormat)}`);
  }
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor.
 * Returns the input itself when nothing changes; `tmp` collects intermediates to free.
 */
function padOrCrop(
  backendName: string,
  backend: AnyBackend,
  x: tf.TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
  tmp: tf.TensorInfo[],
): tf.TensorInfo {
  let y = x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const ct = Math.max(0, -top), cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left), cr = Math.max(0, -right);
  if (ct + cb + cl + cr > 0) {
    y = run("Slice", backendName, backend, { x: y }, {
      begin: [0, ct, cl, 0],
      size: [n, h - ct - cb, w - cl - cr, c],
    });
    tmp.push(y);
  }
  const pt = Math.max(0, top), pb = Math.max(0, bottom);
  const pl = Math.max(0, left), pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) {
    y = run("PadV2", backendName, backend, { x: y }, {
      paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]],
      constantValue: 0,
    });
    tmp.push(y);
  }
  return y;
}

/** A `Conv2DBackpropFilter` kernel for `backendName` made of Pad, Transpose, Conv2D, Slice. */
export function conv2dBackpropFilterKernel(backendName: string): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = backendOf(b);
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    // TF.js types attrs as a NamedAttrMap; these are Conv2DBackpropFilter's
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
      strides: number | [number, number];
      pad: Pad;
      dataFormat?: string;
      dimRoundingMode?: "floor" | "round" | "ceil";
      filterShape: [number, number, number, number];
    };
    assertNhwc(dataFormat, "Conv2DBackpropFilter");
    const [kh, kw, ci, co] = filterShape;
    const info = convInfo(x.shape, filterShape, strides, pad, dimRoundingMode);
    const { top, bottom, left, right } = info.padInfo;
    const sh = info.strideHeight, sw = info.strideWidth;
    const tmp: tf.TensorInfo[] = [];
    const xp = padOrCrop(backendName, backend, x, [top, bottom, left, right], tmp);
    // [N, Hp, Wp, Ci] -> [Ci, Hp, Wp, N]: input channels become the batch.
    const xt = run("Transpose", backendName, backend, { x: xp }, { perm: [3, 1, 2, 0] });
    // [N, Ho, Wo, Co] -> [Ho, Wo, N, Co]: dy becomes a filter over (Ho, Wo), N -> Co.
    const dyt = run("Transpose", backendName, backend, { x: dy }, { perm: [1, 2, 0, 3] });
    tmp.push(xt, dyt);
    // [Ci, Hp - (Ho-1)sh, Wp - (Wo-1)sw, Co], at least KH x KW.
    let g = run("Conv2D", backendName, backend, { x: xt, filter: dyt }, {
      strides: [1, 1],
      pad: "valid",
      dataFormat: "NHWC",
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    });
    tmp.push(g);
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = run("Slice", backendName, backend, { x: g }, {
        begin: [0, 0, 0, 0],
        size: [ci, kh, kw, co],
      });
      tmp.push(g);
    }
    // [Ci, KH, KW, Co] -> [KH, KW, Ci, Co]
    const out = run("Transpose", backendName, backend, { x: g }, { perm: [1, 2, 0, 3] });
    free(backend, tmp, [x, dy]);
    return out;
  };
}

/**
 * The filter of the input gradient: `[KH, KW, Ci, Co]` flipped spatially with its channels
 * swapped, `[KH, KW, Co, Ci]`, in one JS pass (wasm's `Reverse` alone costs ≈ 20 ns an element).
 */
function flipSwapFilter(backend: AnyBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const src = read(backend, filter);
  return makeFilled(backend, [kh, kw, co, ci], "float32", (dst) => {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const s0 = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co, d0 = (a * kw + b) * co * ci;
        for (let i = 0; i < ci; i++) {
          for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o]!;
        }
      }
    }
  });
}

/**
 * A `Conv2DBackpropInput` kernel (the gradient of conv2d w.r.t. its input, and
 * `tf.conv2dTranspose`) for `backendName` made of Reshape, PadV2, Slice, a JS filter flip and
 * a stride-1 Conv2D.
 */
export function conv2dBackpropInputKernel(backendName: string): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = backendOf(b);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    // TF.js types attrs as a NamedAttrMap; these are Conv2DBackpropInput's
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as {
      strides: number | [number, number];
      pad: Pad;
      dataFormat?: string;
      dimRoundingMode?: "floor" | "round" | "ceil";
      inputShape: [number, number, number, number];
    };
    assertNhwc(dataFormat, "Conv2DBackpropInput");
    const [kh, kw] = filter.shape as [number, number, number, number];
    const [, h, w] = inputShape;
    const info = convInfo(inputShape, filter.shape, strides, pad, dimRoundingMode);
    const { top, left } = info.padInfo;
    const sh = info.strideHeight, sw = info.strideWidth;
    const [n, ho, wo, co] = dy.shape as [number, number, number, number];
    const tmp: tf.TensorInfo[] = [];
    let z = dy;
    if (sh > 1 || sw > 1) {
      // Insert zeros: [N, Ho, Wo, Co] -> [N, Ho, 1, Wo, 1, Co] -> pad -> [N, Ho·sh, Wo·sw, Co].
      const r = run("Reshape", backendName, backend, { x: dy }, { shape: [n, ho, 1, wo, 1, co] });
      const p = run("PadV2", backendName, backend, { x: r }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
        constantValue: 0,
      });
      z = run("Reshape", backendName, backend, { x: p }, { shape: [n, ho * sh, wo * sw, co] });
      tmp.push(r, p, z);
    }
    // z holds the (Ho-1)·sh + 1 dilated rows followed by sh - 1 zero rows.
    const padTop = kh - 1 - top;
    const padLeft = kw - 1 - left;
    const padBottom = h + kh - 1 - padTop - ho * sh;
    const padRight = w + kw - 1 - padLeft - wo * sw;
    const zp = padOrCrop(backendName, backend, z, [padTop, padBottom, padLeft, padRight], tmp);
    // Flip spatially and swap channels: [KH, KW, Ci, Co] -> [KH, KW, Co, Ci].
    const ft = flipSwapFilter(backend, filter);
    tmp.push(ft);
    const out = run("Conv2D", backendName, backend, { x: zp, filter: ft }, {
      strides: [1, 1],
      pad: "valid",
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
    free(backend, tmp, [dy, filter]);
    return out;
  };
}
