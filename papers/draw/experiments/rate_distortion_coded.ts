/**
 * conv DRAW's measured rate–distortion points: for each quantisation step and prior variant, one
 * conceptual-codec file (`conceptual_codec.ts`) per k = 0..T holding all the test images, written
 * to disk (a temporary folder under the model cache) and read back; the rate is that file's bytes (payload = file − header) and the
 * distortion is measured on what the decoder returns from the bytes read.
 *
 * @module
 */
import type { ProgressReporter } from "../../../tasks/core/experiment.ts";
import { psnr, ssimGrey } from "../codecs.ts";
import {
  decodeFile,
  encodeFile,
  firstIterations,
  headerBytes,
  payloadBytes,
  quantiseLatents,
  sendAll,
} from "../conceptual_codec.ts";
import type { ConvDraw, PriorVariant } from "../conv_draw.ts";
import { modelCacheDir } from "../model_cache.ts";
import { gaussianKl } from "../distributions.ts";
import type { ImageSet } from "../../../datasets/binarized_mnist/mod.ts";
import { batchTensor } from "../train.ts";
import * as tf from "@tensorflow/tfjs";
import type { RdRow } from "./rate_distortion_sweeps.ts";

/** What the coded sweep reads from the config. */
export type CodedConfig = {
  rdImages: number;
  /** Quantisation steps Δ (units of the prior's σ; multiples of 1/256) with prior-mean completion. */
  codedSteps: number[];
  /** Steps also decoded with prior-sample completion. */
  codedSampleSteps: number[];
  /** Steps (prior mean) at which only the selected channels are sent (see {@link selectChannels}). */
  codedSelectedSteps: number[];
  /** A channel of an iteration is selected when it carries this share of that iteration's KL. */
  codedChannelShare: number;
};

/** The measured rows, and whether every file gave back exactly the bins that were coded. */
export interface CodedResult {
  rows: RdRow[];
  binsExact: boolean;
  files: number;
  headerBytes: number;
  /** The selected channels' mask `[T·C]` and the KL shares it came from. */
  selected: { sent: number[]; shares: number[][] };
}

/** The method name of a coded conv DRAW curve. */
export function codedMethod(variant: PriorVariant, step: number, selected = false): string {
  return `conv DRAW coded Δ=${step}σ${selected ? ", selected channels" : ""} (prior ${variant})`;
}

/** Images of the training split the channel selection reads (the last ones: unseen in training). */
export const SELECTION_IMAGES = 500;

/**
 * The sent mask `[T·C]`: channel c of iteration t is sent when its mean KL on the last
 * {@link SELECTION_IMAGES} training images (all of them when fewer) is at least `share` of that iteration's KL (never
 * chosen on the test images). Also returns the per-channel KL shares it read.
 */
export async function selectChannels(
  model: ConvDraw,
  train: ImageSet,
  share: number,
): Promise<{ sent: Uint8Array; shares: number[][] }> {
  const { iterations: T, zChannels: C } = model.cfg;
  const total = train.n;
  const kl = Array.from({ length: T }, () => new Array<number>(C).fill(0));
  for (let a = Math.max(0, total - SELECTION_IMAGES); a < total; a += 100) {
    const idx = Array.from({ length: Math.min(100, total - a) }, (_, i) => a + i);
    const x = batchTensor(train, idx);
    const perChannel = tf.tidy(() => {
      const e = model.elbo(x, 1, true);
      return tf.stack(
        e.trace!.map((s) => tf.sum(gaussianKl(s.muQ, s.logSigQ, s.muP, s.logSigP), [0, 1, 2])),
      );
    });
    const v = await perChannel.array() as number[][];
    tf.dispose([x, perChannel]);
    v.forEach((row, t) => row.forEach((k, c) => (kl[t]![c]! += k)));
  }
  const shares = kl.map((row) => {
    const sum = row.reduce((p, q) => p + q, 0);
    return row.map((k) => k / sum);
  });
  const sent = Uint8Array.from(
    { length: T * C },
    (_, i) => shares[Math.floor(i / C)]![i % C]! >= share ? 1 : 0,
  );
  return { sent, shares };
}

function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Encode, write, read and decode every file of the sweep: all channels at `codedSteps` (prior
 * mean) and `codedSampleSteps` (prior sample), the selected channels at `codedSelectedSteps`.
 * k = 0 files hold no latents and do not depend on Δ or the mask: one per variant.
 * @param images pixels k/255 of the first `rdImages` test images `[n·H·W]`
 * @param orig the same images as 8-bit bytes
 * @param train the training split (for {@link selectChannels})
 */
export async function codedRows(
  model: ConvDraw,
  images: Float32Array,
  orig: Uint8Array,
  train: ImageSet,
  config: CodedConfig,
  progress?: ProgressReporter,
): Promise<CodedResult> {
  const n = config.rdImages, { height: H, width: W, iterations: T } = model.cfg, D = H * W;
  const U = model.latentUnits();
  const all = sendAll(model);
  const selected = config.codedSelectedSteps.length
    ? await selectChannels(model, train, config.codedChannelShare)
    : { sent: all, shares: [] };
  type Job = { step: number; variant: PriorVariant; sel: boolean };
  const jobs: Job[] = [
    ...config.codedSteps.map((step): Job => ({ step, variant: "mean", sel: false })),
    ...config.codedSampleSteps.map((step): Job => ({ step, variant: "sample", sel: false })),
    ...config.codedSelectedSteps.map((step): Job => ({ step, variant: "mean", sel: true })),
  ];
  // under the model cache: a folder the harness may write (removed when done)
  await Deno.mkdir(modelCacheDir(), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: modelCacheDir(), prefix: "conceptual_files_" });
  const rows: RdRow[] = [];
  const k0 = new Map<PriorVariant, { p: number; s: number }>();
  let binsExact = true, files = 0;
  try {
    for (const [ji, { step, variant, sel }] of jobs.entries()) {
      const sent = sel ? selected.sent : all;
      const idx = quantiseLatents(model, images, n, step, sent);
      for (let k = 0; k <= T; k++) {
        const bins = firstIterations(idx, n, T, U, k);
        const path = `${dir}/job${ji}_k${k}.cdrw`;
        await Deno.writeFile(
          path,
          encodeFile(model, bins, { variant, k, step, images: n, seed: 1, sent }),
        );
        const file = await Deno.readFile(path);
        await Deno.remove(path);
        let q = k === 0 ? k0.get(variant) : undefined;
        if (!q) {
          files++;
          const dec = decodeFile(model, file);
          if (dec.bins.length !== bins.length || dec.bins.some((b, i) => b !== bins[i])) {
            binsExact = false;
          }
          const p: number[] = [], s: number[] = [];
          for (let i = 0; i < n; i++) {
            const o = orig.subarray(i * D, (i + 1) * D);
            const d = dec.images.subarray(i * D, (i + 1) * D);
            p.push(psnr(o, d));
            s.push(ssimGrey(o, d, W, H));
          }
          q = { p: meanOf(p), s: meanOf(s) };
          if (k === 0) k0.set(variant, q);
        }
        rows.push({
          codec: "conv DRAW",
          method: codedMethod(variant, step, sel),
          setting: k,
          bpdPayload: (8 * payloadBytes(model, file)) / (n * D),
          bpdTotal: (8 * file.length) / (n * D),
          psnr: q.p,
          ssim: q.s,
          measuredBytes: true,
        });
      }
      progress?.update(ji + 1, jobs.length, `conv DRAW files (Δ=${step}, ${variant})`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return {
    rows,
    binsExact,
    files,
    headerBytes: headerBytes(T, model.cfg.zChannels),
    selected: { sent: Array.from(selected.sent), shares: selected.shares },
  };
}
