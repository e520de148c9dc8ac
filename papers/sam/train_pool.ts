/**
 * Data parallelism for the Figure 2 models on CPU backends: a pool of Web Workers, each with its
 * own TF.js backend (wasm runs one thread per instance, so each worker adds a core) and its own
 * replica of one model, built from the same seed as the trainer's. Every minibatch the trainer
 * sends the current weights and one batch shard (`splitEpisode`) to each worker and gets back the
 * shard's cost in bits and its flat gradient; the optimiser state lives only in the trainer, so
 * replicas never drift. (The same protocol as papers/draw's ReplicaPool, for sequence models.)
 * @module
 */
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { ModelName } from "./model.ts";
import type { ModelSizes } from "./models.ts";

/** What a worker returns for a shard. */
export interface ShardGrads {
  /** Cost in bits per sequence of the shard, and its batch size. */
  bits: number;
  B: number;
  /** Gradient of the shard's mean loss, PARAM_NAMES order, flattened. */
  grads: Float32Array;
}

/** Messages to a worker (`_train_worker.ts`). */
export type ToTrainWorker =
  | { kind: "init"; model: ModelName; sizes: ModelSizes; seed: number; backend: string }
  | { kind: "step"; weights: Float32Array; episode: Episode };

/** Messages from a worker. */
export type FromTrainWorker =
  | { kind: "ready" }
  | { kind: "result"; bits: number; B: number; grads: Float32Array }
  | { kind: "error"; message: string };

/** A started pool of replica workers; close it when done. */
export class TrainPool {
  readonly #workers: Worker[];
  #closed = false;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Start `n` workers, each building `model` with `sizes` (batch = the largest shard) from `seed`
   * on `backend` (as `tf.getBackend()` names it). Rejects, with every worker stopped, if one fails.
   */
  static async start(
    n: number,
    model: ModelName,
    sizes: ModelSizes,
    seed: number,
    backend: string,
  ): Promise<TrainPool> {
    const workers = Array.from(
      { length: n },
      () => new Worker(new URL("./_train_worker.ts", import.meta.url), { type: "module" }),
    );
    const pool = new TrainPool(workers);
    try {
      await Promise.all(
        workers.map((w) => ask(w, { kind: "init", model, sizes, seed, backend }, "ready")),
      );
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  /** Cost and flat gradient of shard i in worker i, all at `weights`. */
  async grads(weights: Float32Array, shards: Episode[]): Promise<ShardGrads[]> {
    if (this.#closed) throw new Error("train pool is closed");
    if (shards.length !== this.size) {
      throw new Error(`${shards.length} shards for ${this.size} workers`);
    }
    try {
      return await Promise.all(this.#workers.map(async (w, i) => {
        const r = await ask(w, { kind: "step", weights, episode: shards[i]! }, "result");
        return { bits: r.bits, B: r.B, grads: r.grads };
      }));
    } catch (e) {
      this.close(); // the others' late answers would be taken for the next request's
      throw e;
    }
  }

  /** Stop every worker (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
  }
}

/** Send one message and wait for the worker's reply of `kind`, or its error. */
function ask<K extends FromTrainWorker["kind"]>(
  w: Worker,
  msg: ToTrainWorker,
  kind: K,
): Promise<Extract<FromTrainWorker, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeEventListener("message", onMessage);
      w.removeEventListener("error", onError);
    };
    const onMessage = (e: MessageEvent<FromTrainWorker>) => {
      done();
      if (e.data.kind === kind) resolve(e.data as Extract<FromTrainWorker, { kind: K }>);
      else if (e.data.kind === "error") reject(new Error(`sam train worker: ${e.data.message}`));
      else reject(new Error(`sam train worker: expected ${kind}, got ${e.data.kind}`));
    };
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      done();
      reject(new Error(`sam train worker crashed: ${e.message}`));
    };
    w.addEventListener("message", onMessage);
    w.addEventListener("error", onError);
    w.postMessage(msg);
  });
}
