import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { updateLinks } from "./dnc.ts";
import { SdncAccess, sdncIfaceSize, type SdncSpec } from "./sdnc.ts";

await tf.setBackend("cpu");
await tf.ready();

const SPEC: SdncSpec = { N: 12, W: 4, R: 2, K: 2, KL: 3, delta: 0.005 };

/** Fill every word with N(0, 1) values (no ties between similarities). */
function prefill(acc: SdncAccess, seed: number): void {
  const rng = new Rng(seed), { N, W } = acc.spec;
  for (let b = 0; b < acc.B; b++) {
    for (let i = 0; i < N * W; i++) acc.mem.data[b]![i] = rng.normal();
    for (let i = 0; i < N; i++) acc.mem.setRow(b, i, acc.mem.data[b]!, i * W);
  }
}

/** Loss of a T-step pass: Σ_t ⟨r_t, c_t⟩ + ⟨w_t, d_t⟩ over random raw interfaces x [T·B·I]. */
function lossOf(acc: SdncAccess, T: number, coef: Float32Array) {
  const { R, W, K } = acc.spec, B = acc.B, I = sdncIfaceSize(acc.spec), O = R * W + R * 3 * K;
  return (x: tf.Tensor): tf.Scalar => {
    let w = acc.initialReadWeights(), total: tf.Tensor = tf.scalar(0);
    for (let t = 0; t < T; t++) {
      const it = tf.reshape(tf.slice(x, [t * B * I], [B * I]), [B, I]) as tf.Tensor2D;
      const packed = acc.step(it, w);
      w = acc.unpack(packed).w;
      const c = tf.tensor2d(coef.subarray(t * B * O, (t + 1) * B * O), [B, O]);
      total = tf.add(total, tf.sum(tf.mul(packed, c)));
    }
    return total as tf.Scalar;
  };
}

function randoms(seed: number, n: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

function state(acc: SdncAccess): string {
  const links = acc.links.map((l) =>
    [...l.rows].map(([i, r]) => [i, [...r].sort((a, b) => a[0] - b[0])]).sort((a, b) =>
      (a[0] as number) - (b[0] as number)
    )
  );
  return JSON.stringify({
    data: acc.mem.data.map((d) => Array.from(new Uint32Array(d.buffer))),
    norms: acc.mem.norms.map((d) => Array.from(new Uint32Array(d.buffer))),
    links,
    precedence: acc.links.map((l) => [...l.precedence].sort((a, b) => a[0] - b[0])),
  });
}

Deno.test("Sparse DNC gradients of a 4-step loss agree with central finite differences (selections and link values held fixed)", () => {
  const acc = new SdncAccess(SPEC, 2);
  prefill(acc, 1);
  const T = 4, I = sdncIfaceSize(SPEC), O = SPEC.R * SPEC.W + SPEC.R * 3 * SPEC.K;
  const x = randoms(2, T * 2 * I), coef = randoms(3, T * 2 * O);
  const f = lossOf(acc, T, coef);
  const before = tf.memory().numTensors;
  const g = tf.tidy(() => tf.grad(f)(tf.tensor1d(x)).dataSync());
  // Finite differences of the same piecewise-constant function: the selections and the link
  // values (no gradient flows through them, as in the paper) frozen at the unperturbed pass.
  const trace = acc.trace;
  assert.ok(trace.slice(1).some((t) => t.fwd.some((v) => v > 0)), "forward links are read");
  assert.ok(trace.slice(1).some((t) => t.bwd.some((v) => v > 0)), "backward links are read");
  acc.endSequence();
  acc.replay = trace;
  const at = (v: Float32Array) => {
    const l = tf.tidy(() => f(tf.tensor1d(v)).dataSync()[0]!);
    acc.endSequence();
    return l;
  };
  const eps = 3e-3;
  for (let k = 0; k < x.length; k++) {
    const up = x.slice(), down = x.slice();
    up[k]! += eps, down[k]! -= eps;
    const fd = (at(up) - at(down)) / (2 * eps);
    const err = Math.abs(g[k]! - fd) / (1e-2 + Math.abs(fd));
    assert.ok(err < 0.03, `d/dx[${k}] (step ${Math.floor(k / (2 * I))}): ${g[k]} vs ${fd}`);
  }
  assert.ok(g.filter((v) => Math.abs(v) > 1e-3).length > x.length / 4, "gradients are not trivial");
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
});

Deno.test("after a forward+backward pass, or a forward pass and endSequence, the memory and links are bit for bit where they started", () => {
  const acc = new SdncAccess({ ...SPEC, N: 32 }, 2);
  prefill(acc, 4);
  const T = 6, I = sdncIfaceSize(SPEC), O = SPEC.R * SPEC.W + SPEC.R * 3 * SPEC.K;
  const f = lossOf(acc, T, randoms(5, T * 2 * O));
  const x = randoms(6, T * 2 * I);
  // Start from non-empty links: a pass whose changes are kept (no rollback).
  tf.tidy(() => f(tf.tensor1d(randoms(7, T * 2 * I))));
  acc.commitSequence();
  const start = state(acc);
  assert.ok(acc.links.every((l) => l.entryCount() > 0), "links are not empty");
  const tensors = tf.memory().numTensors;
  tf.dispose(tf.tidy(() => tf.grads(f)([tf.tensor1d(x)])));
  acc.endSequence();
  assert.equal(state(acc), start, "after forward+backward");
  tf.tidy(() => {
    f(tf.tensor1d(x));
  });
  assert.notEqual(state(acc), start, "a forward pass changes the memory");
  acc.endSequence();
  assert.equal(state(acc), start, "after forward + endSequence");
  assert.equal(tf.memory().numTensors, tensors, "no tensor leaks");
});

/** A raw interface per batch element (large logits for gates and modes). */
function iface(
  parts: { q?: number[]; a?: number[]; alpha: number; gamma: number; mode: 0 | 1 | 2 },
  s: SdncSpec,
): number[] {
  const v: number[] = [];
  for (let h = 0; h < s.R; h++) v.push(...(parts.q ?? new Array(s.W).fill(0)));
  v.push(...new Array(s.R).fill(20)); // β ≈ 21
  v.push(...(parts.a ?? new Array(s.W).fill(0)), parts.alpha, parts.gamma);
  for (let h = 0; h < s.R; h++) v.push(...[0, 1, 2].map((k) => (k === parts.mode ? 20 : -20)));
  return v;
}

Deno.test("words written in turn to the LRU word are linked: a content read of the first, then forward reads, return the rest in order, and a backward read goes back", () => {
  const s: SdncSpec = { N: 16, W: 4, R: 1, K: 2, KL: 8, delta: 0.005 };
  const acc = new SdncAccess(s, 1);
  const words = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const reads = tf.tidy(() => {
    let w = acc.initialReadWeights();
    const run = (p: Parameters<typeof iface>[0]) => {
      const out = acc.unpack(acc.step(tf.tensor2d(iface(p, s), [1, sdncIfaceSize(s)]), w));
      w = out.w;
      return Array.from(out.r.dataSync());
    };
    for (const a of words) run({ a, alpha: 20, gamma: -20, mode: 0 });
    return [
      run({ q: words[0], alpha: -20, gamma: 0, mode: 0 }),
      run({ alpha: -20, gamma: 0, mode: 1 }),
      run({ alpha: -20, gamma: 0, mode: 1 }),
      run({ alpha: -20, gamma: 0, mode: 2 }),
    ];
  });
  acc.endSequence();
  const want = [words[0], words[1], words[2], words[1]];
  reads.forEach((r, t) => {
    r.forEach((v, j) => assert.ok(Math.abs(v - want[t]![j]!) < 0.02, `read ${t}: ${r}`));
  });
  assert.ok(acc.mem.data[0]!.every((v) => v === 0), "rolled back to the empty memory");
});

Deno.test("what a step keeps for the backward pass does not grow with N", () => {
  const T = 5, I = sdncIfaceSize(SPEC), O = SPEC.R * SPEC.W + SPEC.R * 3 * SPEC.K;
  const x = randoms(8, T * 2 * I), coef = randoms(9, T * 2 * O);
  const bytes = [64, 1 << 14].map((N) => {
    const acc = new SdncAccess({ ...SPEC, N }, 2);
    tf.tidy(() => {
      lossOf(acc, T, coef)(tf.tensor1d(x));
    });
    const n = acc.recordBytes();
    acc.endSequence();
    return n;
  });
  assert.ok(bytes[0]! > 0);
  assert.equal(bytes[1], bytes[0], `N = 64: ${bytes[0]} B, N = 16384: ${bytes[1]} B`);
});

Deno.test("with K_L ≥ N the access's sparse links equal the dense DNC's links fed the same write weights", () => {
  const spec: SdncSpec = { ...SPEC, N: 10, KL: 10 };
  const acc = new SdncAccess(spec, 2);
  prefill(acc, 10);
  const T = 6, I = sdncIfaceSize(spec), O = spec.R * spec.W + spec.R * 3 * spec.K;
  tf.tidy(() => {
    lossOf(acc, T, randoms(11, T * 2 * O))(tf.tensor1d(randoms(12, T * 2 * I)));
  });
  const N = spec.N;
  tf.tidy(() => {
    let L = tf.zeros([2, N, N]) as tf.Tensor3D, p = tf.zeros([2, N]) as tf.Tensor2D;
    for (const step of acc.trace) {
      const w = new Float32Array(2 * N);
      step.writeWeights.forEach((m, b) => m.forEach((v, i) => (w[b * N + i] = v)));
      ({ L, p } = updateLinks(L, p, tf.tensor2d(w, [2, N])));
    }
    const Ld = L.dataSync();
    for (let b = 0; b < 2; b++) {
      assert.ok(acc.links[b]!.entryCount() > N, "links are not trivially sparse");
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const got = acc.links[b]!.get(i, j), want = Ld[(b * N + i) * N + j]!;
          assert.ok(Math.abs(got - want) < 1e-6, `b ${b} L[${i},${j}]: ${got} vs ${want}`);
        }
      }
    }
  });
  acc.endSequence();
});
