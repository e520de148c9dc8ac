/**
 * Gradients TF.js 4.22.0 does not register for indexing ops that memory-augmented networks use
 * (top-K reads, gather/scatter of rows by index):
 *
 * - `TopK`: dx = the value gradient scattered back to the selected positions.
 * - `GatherNd`: dparams = scatterND(indices, dy, params.shape) (duplicates accumulate).
 * - `ScatterNd`: dupdates = gatherND(dy, indices).
 * - `TensorScatterUpdate`: dtensor = dy with the overwritten positions zeroed (via a 0/1 mask);
 *   dupdates = gatherND(dy, indices).
 *
 * Index inputs get zero gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** dx for topK: x `[..., N]`, indices `[..., k]`, dValues `[..., k]` -> `[..., N]`. */
function topKGrad(x: tf.Tensor, indices: tf.Tensor, dValues: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  const k = indices.shape[indices.rank - 1]!;
  const rows = x.size / n;
  // Flat position of each selected element: row · N + index.
  const offsets = tf.mul(tf.range(0, rows, 1, "int32"), tf.scalar(n, "int32")).reshape([rows, 1]);
  const flat = tf.add(tf.reshape(indices, [rows, k]), offsets).reshape([-1]);
  const scattered = tf.unsortedSegmentSum(tf.reshape(dValues, [-1]), flat as tf.Tensor1D, x.size);
  return tf.reshape(scattered, x.shape);
}

/** Registers the four gradients (global: applies to every backend). */
export function registerIndexGradients(): void {
  tf.registerGradient({
    kernelName: "TopK",
    inputsToSave: ["x"],
    outputsToSave: [false, true],
    gradFunc: (dy, saved) => {
      const [x, indices] = saved as [tf.Tensor, tf.Tensor];
      const dValues = Array.isArray(dy) ? dy[0]! : dy;
      return { x: () => topKGrad(x, indices, dValues) };
    },
  });
  tf.registerGradient({
    kernelName: "GatherNd",
    inputsToSave: ["params", "indices"],
    gradFunc: (dy, saved) => {
      const [params, indices] = saved as [tf.Tensor, tf.Tensor];
      return {
        params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
        indices: () => tf.zerosLike(indices),
      };
    },
  });
  tf.registerGradient({
    kernelName: "ScatterNd",
    inputsToSave: ["indices"],
    gradFunc: (dy, saved) => {
      const [indices] = saved as [tf.Tensor];
      return {
        updates: () => tf.gatherND(dy as tf.Tensor, indices),
        indices: () => tf.zerosLike(indices),
      };
    },
  });
  tf.registerGradient({
    kernelName: "TensorScatterUpdate",
    inputsToSave: ["indices", "updates"],
    gradFunc: (dy, saved) => {
      const [indices, updates] = saved as [tf.Tensor, tf.Tensor];
      return {
        // A 0/1 mask rather than tensorScatterUpdate(dy, ...): the cpu kernel of TF.js 4.22.0
        // writes into its input's buffer, which would corrupt dy for the updates gradient.
        tensor: () =>
          tf.mul(
            dy as tf.Tensor,
            tf.tensorScatterUpdate(tf.onesLike(dy as tf.Tensor), indices, tf.zerosLike(updates)),
          ),
        updates: () => tf.gatherND(dy as tf.Tensor, indices),
        indices: () => tf.zerosLike(indices),
      };
    },
  });
}
