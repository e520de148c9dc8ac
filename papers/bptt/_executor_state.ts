/**
 * The executor's state while it runs a policy (`executor.ts`): the checkpoint store with its byte
 * accounting, the register (cursor step, its state, the fresh internal state) and the TF.js
 * memory high-water mark.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Bytes of float32 tensors. */
export const bytesOf = (ts: readonly tf.Tensor[]) => ts.reduce((s, t) => s + t.size * 4, 0);

/** Clones of `ts`, sharing their buffers (no copy). */
export const clone = (ts: readonly tf.Tensor[]) => ts.map((x) => tf.clone(x));

/** High-water mark of `tf.memory().numBytes` above its value when this was made. */
export class TfPeak {
  readonly #base = tf.memory().numBytes;
  bytes = 0;
  /** Takes one sample. */
  sample(): void {
    const b = tf.memory().numBytes - this.#base;
    if (b > this.bytes) this.bytes = b;
  }
}

/** Which of the policy's stores an op names. */
export type StoreKind = "hidden" | "internal";

/** The policy's checkpoints: hidden and internal states by step, and the bytes they hold. */
export class CheckpointStore {
  readonly #states: Record<StoreKind, Map<number, tf.Tensor[]>> = {
    hidden: new Map(),
    internal: new Map(),
  };
  #bytes = 0;
  /** The most bytes held at once. */
  peakBytes = 0;

  #account(delta: number): void {
    this.#bytes += delta;
    if (this.#bytes > this.peakBytes) this.peakBytes = this.#bytes;
  }

  /** Stores a clone of `ts` as the `kind` state of `step`. */
  put(kind: StoreKind, step: number, ts: readonly tf.Tensor[]): void {
    this.#states[kind].set(step, clone(ts));
    this.#account(bytesOf(ts));
  }

  /**
   * The `kind` state of `step`.
   * @throws {Error} naming `op` when it is not stored
   */
  get(kind: StoreKind, step: number, op: string): tf.Tensor[] {
    const ts = this.#states[kind].get(step);
    if (!ts) throw new Error(`${op} ${step}: not stored`);
    return ts;
  }

  /** The internal state of `step`, if stored. */
  internal(step: number): tf.Tensor[] | undefined {
    return this.#states.internal.get(step);
  }

  /**
   * Frees the `kind` state of `step`.
   * @throws {Error} naming `op` when it is not stored
   */
  drop(kind: StoreKind, step: number, op: string): void {
    const ts = this.get(kind, step, op);
    this.#account(-bytesOf(ts));
    tf.dispose(ts);
    this.#states[kind].delete(step);
  }

  /** Frees everything still stored. */
  dispose(): void {
    for (const m of Object.values(this.#states)) for (const ts of m.values()) tf.dispose(ts);
  }
}

/** The executor's register: the cursor step, its hidden state and, right after F_step, I_step. */
export class Register {
  step = 0;
  state: tf.Tensor[];
  fresh: tf.Tensor[] | null = null;

  constructor(state: tf.Tensor[]) {
    this.state = state;
  }

  /** Frees the state and the fresh internal state. */
  drop(): void {
    tf.dispose(this.state);
    if (this.fresh) tf.dispose(this.fresh);
    this.fresh = null;
  }
}
