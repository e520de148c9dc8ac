/**
 * Worker entry of {@link ReplicaPool}: holds one conv DRAW replica on its own TF.js backend and
 * answers each shard, at the weights it was sent, with its mean loss and flat gradient (`step`)
 * or its summed ELBO terms (`elbo`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../../tasks/engine/mod.ts";
import { ConvDraw } from "./conv_draw.ts";
import type { FromWorker, ToWorker } from "./replica_pool.ts";
import { assignFlat, elboSums, lossAndFlatGrads } from "./train.ts";

// Deno types `self` as the main thread's Window; this module only runs as a Web Worker
const scope = self as unknown as Worker;
let model: ConvDraw | null = null;

function reply(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

scope.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    if (msg.kind === "init") {
      await setupBackend(msg.backend as "wasm" | "cpu" | "webgpu");
      model = new ConvDraw(msg.modelConfig);
      reply({ kind: "ready" });
      return;
    }
    if (!model) throw new Error("step before init");
    const m = model;
    assignFlat(m, msg.weights);
    const { pixels, shape, seed } = msg.shard;
    const x = tf.tensor4d(pixels, shape);
    try {
      if (msg.kind === "step") {
        const { loss, grads } = lossAndFlatGrads(m, x, seed);
        reply({ kind: "result", loss, grads }, [grads.buffer as ArrayBuffer]);
      } else {
        const sums = elboSums(m, x, seed);
        reply({ kind: "sums", sums }, [sums.buffer as ArrayBuffer]);
      }
    } finally {
      x.dispose();
    }
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
