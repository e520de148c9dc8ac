/**
 * Shared vocabulary of the memory-efficient BPTT planner: strategies, the op list a policy
 * compiles to, and its compact text form.
 *
 * Cost model (Gruslys et al. 2016, §3; see `papers/bptt/README.md`):
 * - A *hidden state* `h_s` takes 1 memory unit; an *internal state* `I_s` (every activation the
 *   backward op `B_s` needs, including `h_s`) takes `α` units.
 * - Cost = number of forward ops `F_s`, **including the first forward pass**. Backward ops are
 *   always exactly `t` and are not counted.
 * - The budget `m` **counts the slot holding the start state `h_0`** ("inclusive"), so
 *   `C(t, 1) = t(t+1)/2` and BPTT-HSM reaches its floor `2t − 1` at `m ≥ t`.
 * - The transient "register" (current hidden state, the internal state just produced by the
 *   last forward op, the running gradient) is free.
 *
 * @module
 */

/** Which kinds of state a policy may store. */
export type Strategy = "hsm" | "ism" | "msm";

/** All strategies, for validation. */
export const STRATEGIES: readonly Strategy[] = ["hsm", "ism", "msm"];

/**
 * One operation of an executable policy. Steps are 1-based: `F_s` maps `h_{s−1}` to `h_s`
 * and produces `I_s`; `B_s` consumes `I_s`. `h_0` is the initial state (stored at the start).
 */
export type Op =
  /** Run `F_{from+1} .. F_{to}` from the cursor (which must sit at `h_from`). */
  | { op: "forward"; from: number; to: number }
  /** Store the cursor's hidden state `h_step` (1 unit). */
  | { op: "storeHidden"; step: number }
  /** Store the internal state `I_step` just produced by the last forward op (α units). */
  | { op: "storeInternal"; step: number }
  /** Free a stored hidden state. */
  | { op: "dropHidden"; step: number }
  /** Free a stored internal state. */
  | { op: "dropInternal"; step: number }
  /** Move the cursor to the stored `h_step` (free). */
  | { op: "restoreHidden"; step: number }
  /** Move the cursor to `h_step` inside the stored `I_step` (free). */
  | { op: "restoreInternal"; step: number }
  /** Run `B_step`, using the fresh `I_step` in the register or a stored `I_step`. */
  | { op: "backward"; step: number };

const CODES: Record<Exclude<Op["op"], "forward">, string> = {
  storeHidden: "SH",
  storeInternal: "SI",
  dropHidden: "DH",
  dropInternal: "DI",
  restoreHidden: "RH",
  restoreInternal: "RI",
  backward: "B",
};

/**
 * Compact text form of an op list, as printed by `deno task bptt plan --json`:
 * `F0:5` = forward from `h_0` to `h_5` (5 forward ops), `SH5`/`SI5` = store hidden/internal
 * state of step 5, `DH5`/`DI5` = drop it, `RH5`/`RI5` = restore the cursor to it, `B5` = `B_5`.
 *
 * @param ops the policy
 * @returns one token per op
 */
export function formatOps(ops: readonly Op[]): string[] {
  return ops.map((o) => o.op === "forward" ? `F${o.from}:${o.to}` : `${CODES[o.op]}${o.step}`);
}

/**
 * Inverse of {@link formatOps}.
 *
 * @param tokens compact tokens
 * @returns the op list
 * @throws {SyntaxError} on an unknown token
 */
export function parseOps(tokens: readonly string[]): Op[] {
  const byCode = new Map(Object.entries(CODES).map(([k, v]) => [v, k]));
  return tokens.map((tok) => {
    const f = /^F(\d+):(\d+)$/.exec(tok);
    if (f) return { op: "forward", from: Number(f[1]), to: Number(f[2]) };
    const m = /^([A-Z]{1,2})(\d+)$/.exec(tok);
    const name = m ? byCode.get(m[1]!) : undefined;
    if (!m || !name) throw new SyntaxError(`Cannot parse op "${tok}"`);
    return { op: name, step: Number(m[2]) } as Op;
  });
}

/** Number of forward ops in an op list. */
export function forwardCount(ops: readonly Op[]): number {
  let n = 0;
  for (const o of ops) if (o.op === "forward") n += o.to - o.from;
  return n;
}
