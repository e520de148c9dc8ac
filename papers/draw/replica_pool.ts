/**
 * Data parallelism for conv DRAW on CPU backends: a pool of Web Workers, each with its own TF.js
 * backend (wasm runs one thread per instance, so each worker adds a core) and its own model
 * replica. Every training step the trainer sends the current weights and one batch shard to each
 * worker and gets back that shard's mean loss and flat gradient; the optimizer state lives only
 * in the trainer, so replicas never drift. Evaluation sends whole test batches and gets back
 * their summed ELBO terms.
 *
 * @module
 */
import type { ConvDrawConfig } from "./conv_draw.ts";

/** One batch shard for a worker: `[n, H, W, 1]` pixels and its noise seed. */
export interface Shard {
  pixels: Float32Array;
  shape: [number, number, number, number];
  seed: number;
}

/** What a worker returns for a shard. */
export interface ShardResult {
  loss: number;
  grads: Float32Array;
}

/** Messages to a worker (`replica_worker.ts`). */
export type ToWorker =
  | { kind: "init"; modelConfig: ConvDrawConfig; backend: string }
  | { kind: "step"; weights: Float32Array; shard: Shard }
  | { kind: "elbo"; weights: Float32Array; shard: Shard };

/** Messages from a worker. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "result"; loss: number; grads: Float32Array }
  | { kind: "sums"; sums: Float32Array }
  | { kind: "error"; message: string };

/** A started pool of replica workers; close it when done. */
export class ReplicaPool {
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
   * Start `n` workers that build `modelConfig` replicas on `backend` (as `tf.getBackend()` names
   * it). Resolves when every worker is ready; rejects (and stops them all) if one fails.
   */
  static async start(n: number, modelConfig: ConvDrawConfig, backend: string) {
    const workers = Array.from(
      { length: n },
      () => new Worker(new URL("./replica_worker.ts", import.meta.url), { type: "module" }),
    );
    const pool = new ReplicaPool(workers);
    try {
      await Promise.all(
        workers.map((w) => ask(w, { kind: "init", modelConfig, backend }, "ready")),
      );
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  /** Loss and flat gradient of shard w in worker w, all at the given weights. */
  grads(weights: Float32Array, shards: Shard[]): Promise<ShardResult[]> {
    if (this.#closed) return Promise.reject(new Error("replica pool is closed"));
    if (shards.length !== this.#workers.length) {
      return Promise.reject(new Error(`${shards.length} shards for ${this.size} workers`));
    }
    return this.#all(shards.map(async (shard, i) => {
      const r = await ask(this.#workers[i]!, { kind: "step", weights, shard }, "result"); // lengths equal
      return { loss: r.loss, grads: r.grads };
    }));
  }

  /**
   * ELBO terms of shard w in worker w at the given weights: `[Σ recon, Σ KL_1, …, Σ KL_T]` over
   * the shard's images (nats), from one posterior sample with the shard's seed. Fewer shards
   * than workers is fine.
   */
  elboSums(weights: Float32Array, shards: Shard[]): Promise<Float32Array[]> {
    if (this.#closed) return Promise.reject(new Error("replica pool is closed"));
    if (shards.length > this.#workers.length) {
      return Promise.reject(new Error(`${shards.length} shards for ${this.size} workers`));
    }
    return this.#all(shards.map(async (shard, i) => {
      const r = await ask(this.#workers[i]!, { kind: "elbo", weights, shard }, "sums"); // checked above
      return r.sums;
    }));
  }

  /**
   * All answers, or the first failure; a failure closes the pool, since the other workers' late
   * answers would otherwise be taken for the next request's.
   */
  async #all<T>(answers: Promise<T>[]): Promise<T[]> {
    try {
      return await Promise.all(answers);
    } catch (e) {
      this.close(); // the others' answers never come now; Promise.all already handles them
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
function ask<K extends FromWorker["kind"]>(
  w: Worker,
  msg: ToWorker,
  kind: K,
): Promise<Extract<FromWorker, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeEventListener("message", onMessage);
      w.removeEventListener("error", onError);
    };
    const onMessage = (e: MessageEvent<FromWorker>) => {
      done();
      if (e.data.kind === kind) resolve(e.data as Extract<FromWorker, { kind: K }>);
      else if (e.data.kind === "error") reject(new Error(`replica worker: ${e.data.message}`));
      else reject(new Error(`replica worker: expected ${kind}, got ${e.data.kind}`));
    };
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      done();
      reject(new Error(`replica worker crashed: ${e.message}`));
    };
    w.addEventListener("message", onMessage);
    w.addEventListener("error", onError);
    w.postMessage(msg);
  });
}
