/**
 * The densities conv DRAW needs: diagonal Gaussians (posterior q_t and learned prior p_t), the
 * Bernoulli likelihood for binary images and a discretized logistic likelihood for 8-bit images.
 * All values are in nats.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * KL(N(μq, σq²) ‖ N(μp, σp²)) per unit, diagonal Gaussians, closed form:
 * log σp − log σq + (σq² + (μq − μp)²) / (2σp²) − ½.
 * @param muQ, logSigQ, muP, logSigP same shape, e.g. `[B, H, W, Cz]`
 * @returns KL per unit, same shape (sum it over every latent unit for KL_t).
 */
export function gaussianKl(
  muQ: tf.Tensor,
  logSigQ: tf.Tensor,
  muP: tf.Tensor,
  logSigP: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const varRatio = tf.exp(tf.mul(2, tf.sub(logSigQ, logSigP))); // σq²/σp²
    const meanTerm = tf.div(tf.square(tf.sub(muQ, muP)), tf.exp(tf.mul(2, logSigP)));
    return tf.add(tf.sub(logSigP, logSigQ), tf.mul(0.5, tf.sub(tf.add(varRatio, meanTerm), 1)));
  });
}

/**
 * −log Bernoulli(x | sigmoid(logits)) per pixel, stably: max(l,0) − l·x + log(1 + e^{−|l|}).
 * @param x targets in {0,1} (or [0,1])
 * @param logits same shape
 */
export function bernoulliNll(x: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
  );
}

/** softplus(v) = log(1 + e^v), stable. */
function softplus(v: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(v), tf.log1p(tf.exp(tf.neg(tf.abs(v)))));
}

/**
 * −log P(x) per pixel under a logistic(μ, s) discretized to the 256 levels k/255 (bin width 1/255;
 * the end bins take the tails), as in PixelCNN++.
 * @param x pixels k/255 in [0, 1]
 * @param mu location in [0, 1] (same shape)
 * @param logS log scale (same shape)
 */
export function discretizedLogisticNll(x: tf.Tensor, mu: tf.Tensor, logS: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const half = 0.5 / 255;
    const invS = tf.exp(tf.neg(logS));
    const c = tf.sub(x, mu);
    const plus = tf.mul(invS, tf.add(c, half));
    const minus = tf.mul(invS, tf.sub(c, half));
    const logCdfPlus = tf.sub(plus, softplus(plus)); // log σ(plus)
    const logOneMinusCdfMin = tf.neg(softplus(minus)); // log(1 − σ(minus))
    // log(σ(plus) − σ(minus)) = log σ(plus) + log σ(−minus) + log(1 − e^{−(plus − minus)}):
    // exact and stable without a data-dependent branch (tfjs has no gradient for Greater).
    const width = tf.mul(invS, 1 / 255); // plus − minus
    const inner = tf.add(
      tf.add(tf.neg(softplus(tf.neg(plus))), tf.neg(softplus(minus))),
      tf.log(tf.maximum(tf.sub(1, tf.exp(tf.neg(width))), 1e-12)),
    );
    const logP = tf.where(
      tf.less(x, 0.001),
      logCdfPlus,
      tf.where(tf.greater(x, 0.999), logOneMinusCdfMin, inner),
    );
    return tf.neg(logP);
  });
}
