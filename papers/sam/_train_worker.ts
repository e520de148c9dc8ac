/**
 * Worker entry of {@link TrainPool}: holds one model replica on its own TF.js backend and answers
 * each shard, at the weights it was sent, with its cost in bits and flat gradient.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../../tasks/engine/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";
import { costBits } from "../../datasets/synthetic/mod.ts";
import { createModel } from "./models.ts";
import type { SequenceModel } from "./model.ts";
import type { FromTrainWorker, ToTrainWorker } from "./train_pool.ts";
import { flatGrads, setFlatWeights } from "./flat_params.ts";

// Deno types a worker's `self` as the main thread's Window
const scope = self as unknown as Worker;
let model: SequenceModel | null = null;

function reply(msg: FromTrainWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

scope.onmessage = async (e: MessageEvent<ToTrainWorker>) => {
  const msg = e.data;
  try {
    if (msg.kind === "init") {
      await setupBackend(msg.backend as "wasm" | "cpu" | "webgpu");
      model = await createModel(msg.model, msg.sizes, new Rng(msg.seed));
      reply({ kind: "ready" });
      return;
    }
    if (!model) throw new Error("step before init");
    setFlatWeights(model.params, msg.weights);
    const res = model.run(msg.episode, true);
    const bits = costBits(msg.episode, res.probs);
    const grads = flatGrads(res.grads!);
    tf.dispose(res.grads!);
    reply({ kind: "result", bits, B: msg.episode.B, grads }, [grads.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
