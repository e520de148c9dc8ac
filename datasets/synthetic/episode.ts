/**
 * The shape every synthetic sequence task returns, and the NTM-style cost in bits.
 * @module
 */

/**
 * One minibatch of sequences, time-major and padded to the longest sequence.
 * - `input`: [T, B, X] (row-major, `input[(t * B + b) * X + i]`)
 * - `target`: [T, B, Y] binary targets (0/1)
 * - `mask`: [T, B], 1 where the target at (t, b) is scored, 0 elsewhere (input phase, padding)
 * - `loss`: how the Y outputs are scored — `"bits"` (the default: Y independent sigmoid bits) or
 *   `"classes"` (one softmax over Y classes, `target` one-hot at scored steps)
 */
export interface Episode {
  input: Float32Array;
  target: Float32Array;
  mask: Float32Array;
  /** Steps (after padding). */
  T: number;
  /** Batch size. */
  B: number;
  /** Input width. */
  X: number;
  /** Target width. */
  Y: number;
  /** Output kind (absent = `"bits"`). */
  loss?: "bits" | "classes";
}

/** Allocate a zero episode of the given sizes. */
export function emptyEpisode(T: number, B: number, X: number, Y: number): Episode {
  return {
    input: new Float32Array(T * B * X),
    target: new Float32Array(T * B * Y),
    mask: new Float32Array(T * B),
    T,
    B,
    X,
    Y,
  };
}

/**
 * NTM-style cost per sequence in bits: the binary cross-entropy (base 2) of the predicted bit
 * probabilities `prob` ([T, B, Y]) against the targets, summed over scored steps and bits and
 * averaged over the batch. Probabilities are clamped to [1e-7, 1 − 1e-7].
 * For a `"classes"` episode, the cross-entropy (base 2) of the predicted class distribution,
 * −log₂ p(target class), summed over scored steps and averaged over the batch.
 */
export function costBits(ep: Episode, prob: Float32Array): number {
  if (ep.loss === "classes") return costClassBits(ep, prob);
  const { T, B, Y } = ep;
  let total = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (ep.mask[t * B + b] === 0) continue;
      for (let j = 0; j < Y; j++) {
        const i = (t * B + b) * Y + j;
        const p = Math.min(1 - 1e-7, Math.max(1e-7, prob[i]!));
        total -= ep.target[i]! > 0.5 ? Math.log2(p) : Math.log2(1 - p);
      }
    }
  }
  return total / B;
}

function costClassBits(ep: Episode, prob: Float32Array): number {
  const { T, B, Y } = ep;
  let total = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (ep.mask[t * B + b] === 0) continue;
      const o = (t * B + b) * Y;
      for (let j = 0; j < Y; j++) {
        const q = ep.target[o + j]!;
        if (q > 0) total -= q * Math.log2(Math.max(1e-7, prob[o + j]!));
      }
    }
  }
  return total / B;
}
