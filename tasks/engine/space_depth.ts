/**
 * Space-to-depth (which TF.js lacks), depth-to-space (TF.js's own kernel) and the gradient of
 * `tf.depthToSpace` (which TF.js lacks), NHWC, following TensorFlow's layout:
 *
 *   depthToSpace: y[n, h·b + i, w·b + j, c] = x[n, h, w, (i·b + j)·C + c]
 *   spaceToDepth is its inverse, so each is the other's gradient (both are permutations).
 *
 * Both accept a block size of 1 (the identity), as conv DRAW's `s2d = 1` needs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function checkBlock(op: string, b: number): void {
  if (!Number.isInteger(b) || b < 1) {
    throw new Error(`${op}: block size ${b} is not an integer ≥ 1`);
  }
}

/**
 * Moves `blockSize × blockSize` spatial blocks into channels.
 * @param x `[N, H·b, W·b, C]`
 * @param blockSize b ≥ 1 (1 returns `x` itself)
 * @returns `[N, H, W, b·b·C]`, channel order (i, j, c); differentiable (reshape + transpose)
 */
export function spaceToDepth(x: tf.Tensor4D, blockSize: number): tf.Tensor4D {
  checkBlock("spaceToDepth", blockSize);
  if (blockSize === 1) return x;
  const [n, hb, wb, c] = x.shape;
  const b = blockSize;
  if (hb % b !== 0 || wb % b !== 0) {
    throw new Error(`spaceToDepth: spatial dims ${hb}x${wb} not divisible by ${b}`);
  }
  const h = hb / b, w = wb / b;
  return tf.tidy(() => {
    const r = tf.reshape(x, [n, h, b, w, b, c]); // [N, H, i, W, j, C]
    const t = tf.transpose(r, [0, 1, 3, 2, 4, 5]); // [N, H, W, i, j, C]
    return tf.reshape(t, [n, h, w, b * b * c]);
  });
}

/**
 * Moves channels into `blockSize × blockSize` spatial blocks, the inverse of
 * {@link spaceToDepth}: `tf.depthToSpace` (NHWC), whose gradient `installEngine` registers.
 * @param x `[N, H, W, b·b·C]`
 * @param blockSize b ≥ 1 (1 returns `x` itself)
 * @returns `[N, H·b, W·b, C]`
 */
export function depthToSpace(x: tf.Tensor4D, blockSize: number): tf.Tensor4D {
  checkBlock("depthToSpace", blockSize);
  if (blockSize === 1) return x;
  return tf.depthToSpace(x, blockSize, "NHWC");
}

/** Registers the `DepthToSpace` gradient: dx = spaceToDepth(dy). */
export function registerDepthToSpaceGradient(): void {
  tf.registerGradient({
    kernelName: "DepthToSpace",
    gradFunc: (dy, _saved, attrs) => {
      const { blockSize, dataFormat } = attrs as { blockSize: number; dataFormat?: string };
      if (dataFormat !== undefined && dataFormat !== "NHWC") {
        throw new Error(`DepthToSpace gradient: only NHWC, got ${dataFormat}`);
      }
      return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize) };
    },
  });
}
