/**
 * The curriculum of Figure 3 (Rae et al. 2016 §4.3, after Graves et al. 2016): a maximum level h
 * (copy: the sequence length; associative recall: the number of stored items) that doubles
 * whenever the mean training cost over the last `window` minibatches at the current h is below
 * `threshold`, capped at `maxLevel`; each minibatch draws its level from U(1, h). (The paper
 * writes U(0, h); level 0 is an empty task, so we start at 1. The paper gives neither the
 * threshold nor the window.)
 *
 * The window restarts after each doubling, so a new h must earn its own `window` minibatches
 * below the threshold before it doubles again.
 * @module
 */
import type { Rng } from "../../tasks/core/rng.ts";

/** Curriculum settings. */
export interface CurriculumOptions {
  /** Initial maximum level h (≥ 1). */
  start: number;
  /** Mean cost (bits per sequence) the window must fall below for h to double. */
  threshold: number;
  /** Minibatches averaged, all at the current h. */
  window: number;
  /** Cap on h. */
  maxLevel: number;
}

/** A change of h: after `episode` observed minibatches, h became `level`. */
export interface LevelChange {
  episode: number;
  level: number;
}

/** A doubling curriculum; feed it each minibatch's cost with `observe`. */
export class Curriculum {
  readonly options: Readonly<CurriculumOptions>;
  #level: number;
  #episodes = 0;
  #costs: number[] = [];
  #history: LevelChange[];

  constructor(o: CurriculumOptions) {
    const int = (v: number) => Number.isInteger(v) && v >= 1;
    if (!int(o.start) || !int(o.maxLevel) || o.start > o.maxLevel) {
      throw new RangeError(
        `curriculum: start ${o.start} and maxLevel ${o.maxLevel} must be integers, 1 ≤ start ≤ maxLevel`,
      );
    }
    if (!int(o.window)) {
      throw new RangeError(`curriculum: window ${o.window} must be an integer ≥ 1`);
    }
    if (!Number.isFinite(o.threshold)) {
      throw new RangeError(`curriculum: threshold ${o.threshold} must be finite`);
    }
    this.options = { ...o };
    this.#level = o.start;
    this.#history = [{ episode: 0, level: o.start }];
  }

  /** The current maximum level h. */
  get level(): number {
    return this.#level;
  }

  /** Minibatches observed so far. */
  get episodes(): number {
    return this.#episodes;
  }

  /** Every change of h, starting with (0, start). */
  get history(): readonly LevelChange[] {
    return this.#history;
  }

  /** A minibatch's level, uniform on 1..h. */
  sample(rng: Rng): number {
    return 1 + rng.int(this.#level);
  }

  /**
   * Record one minibatch's cost; returns true when this minibatch completed a window whose mean
   * is below the threshold and h doubled (to at most `maxLevel`).
   */
  observe(cost: number): boolean {
    if (!Number.isFinite(cost)) throw new RangeError(`curriculum: cost ${cost} is not finite`);
    this.#episodes++;
    const { window, threshold, maxLevel } = this.options;
    this.#costs.push(cost);
    if (this.#costs.length > window) this.#costs.shift();
    if (this.#costs.length < window) return false;
    // summed afresh each time: no drift from a running sum over a long run
    if (this.#costs.reduce((s, c) => s + c, 0) / window >= threshold) return false;
    if (this.#level >= maxLevel) return false;
    this.#level = Math.min(maxLevel, 2 * this.#level);
    this.#history.push({ episode: this.#episodes, level: this.#level });
    this.#costs = [];
    return true;
  }
}
