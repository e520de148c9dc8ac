/**
 * Diagonal-Gaussian log densities and a log-mean-exp, for sampled (not closed-form) ELBO terms:
 * the log importance weights log p(x, z) − log q(z | x) of the importance-sampled
 * log-likelihood and of the IWAE bound. Values in nats.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log N(z; μ, σ²) per unit: −½((z − μ)/σ)² − log σ − ½ log 2π.
 * @param z, mu, logSig same shape
 */
export function gaussianLogPdf(z: tf.Tensor, mu: tf.Tensor, logSig: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.mul(tf.sub(z, mu), tf.exp(tf.neg(logSig)));
    return tf.sub(tf.neg(tf.add(tf.mul(0.5, tf.square(u)), logSig)), HALF_LOG_2PI);
  });
}

/** log N(z; 0, 1) per unit. */
export function standardNormalLogPdf(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(-0.5, tf.square(z)), HALF_LOG_2PI));
}

/**
 * log((1/k) Σ_j e^{a_j}) along axis 0 of `[k, B]`, stably: the k-sample bound per image `[B]`.
 */
export function logMeanExp(a: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.logSumExp(a, 0), Math.log(a.shape[0])) as tf.Tensor1D);
}
