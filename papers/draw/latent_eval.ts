/**
 * Test-set numbers of any {@link LatentModel}: the single-sample negative ELBO with its parts,
 * and the k-sample bound −log (1/k) Σ_j w_j (k = 5: the IWAE bound; k = 100 or more: an
 * importance-sampled estimate of −log p(x), approached from above as k grows), each a mean over
 * images with its standard error.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSet } from "../../datasets/binarized_mnist/mod.ts";
import { kSampleBound, type LatentModel } from "./latent_model.ts";

/** A mean over images (nats/image) with its standard error. */
export interface ImageMean {
  images: number;
  mean: number;
  stdErr: number;
}

/** The single-sample negative ELBO and its parts. */
export interface NelboResult extends ImageMean {
  recon: number;
  kl: number;
}

/** The images `[from, to)` of a set as a `[n, H, W, 1]` tensor. */
function slice(data: ImageSet, from: number, to: number): tf.Tensor4D {
  const d = data.h * data.w;
  return tf.tensor4d(data.x.subarray(from * d, to * d), [to - from, data.h, data.w, 1]);
}

function meanOf(values: number[]): ImageMean {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { images: n, mean, stdErr: Math.sqrt(v / n) };
}

/**
 * Single-sample negative ELBO over the first `limit` images, batches of `batch`, noise seed
 * `seed + b` for batch b.
 */
export function evaluateNelbo(
  model: LatentModel,
  data: ImageSet,
  limit: number,
  seed: number,
  batch = 250,
): NelboResult {
  const n = Math.min(limit, data.n);
  const per: number[] = [];
  let recon = 0, kl = 0;
  for (let b = 0, from = 0; from < n; b++, from += batch) {
    const to = Math.min(n, from + batch);
    const [r, k] = tf.tidy(() => {
      const t = model.elbo(slice(data, from, to), seed + b);
      return [t.recon.arraySync(), tf.addN(t.kl).arraySync()];
    });
    r.forEach((ri, i) => {
      per.push(ri + k[i]!);
      recon += ri;
      kl += k[i]!;
    });
  }
  return { ...meanOf(per), recon: recon / n, kl: kl / n };
}

/**
 * The mean negative k-sample bound over the first `limit` images, `imagesPerBatch` images (so
 * `k · imagesPerBatch` samples) per forward pass, noise seed `seed + b` for batch b.
 */
export function evaluateBound(
  model: LatentModel,
  data: ImageSet,
  limit: number,
  k: number,
  seed: number,
  imagesPerBatch = Math.max(1, Math.floor(500 / k)),
): ImageMean {
  const n = Math.min(limit, data.n);
  const per: number[] = [];
  for (let b = 0, from = 0; from < n; b++, from += imagesPerBatch) {
    const to = Math.min(n, from + imagesPerBatch);
    const bound = tf.tidy(() =>
      kSampleBound(model, slice(data, from, to), k, seed + b).arraySync()
    );
    per.push(...bound.map((v) => -v));
  }
  return meanOf(per);
}
