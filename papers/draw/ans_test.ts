import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { Ans, MAX_PRECISION, messageBytes, parseMessage } from "./ans.ts";

/** A random distribution of `k` symbols at precision `prec` as cumulative starts (all freq ≥ 1). */
function randomDist(rng: Rng, k: number, prec: number): number[] {
  const M = 2 ** prec;
  const cuts = new Set<number>();
  while (cuts.size < k - 1) cuts.add(1 + rng.int(M - 1));
  return [0, ...[...cuts].sort((a, b) => a - b), M];
}

function popSymbol(ans: Ans, starts: number[], prec: number): number {
  const cf = ans.peek(prec);
  let s = 0;
  while (starts[s + 1]! <= cf) s++;
  ans.pop(starts[s]!, starts[s + 1]! - starts[s]!, prec);
  return s;
}

Deno.test("random symbols under random distributions round-trip exactly through a message", () => {
  const rng = new Rng(7);
  const symbols: { s: number; starts: number[]; prec: number }[] = [];
  const ans = new Ans(undefined, 3);
  for (let i = 0; i < 5000; i++) {
    const prec = 1 + rng.int(MAX_PRECISION);
    const k = 2 + rng.int(Math.min(2 ** prec - 1, 40));
    const starts = randomDist(rng, Math.min(k, 2 ** prec), prec);
    const s = rng.int(starts.length - 1);
    ans.push(starts[s]!, starts[s + 1]! - starts[s]!, prec);
    symbols.push({ s, starts, prec });
  }
  const dec = new Ans(parseMessage(messageBytes(ans.message())), 3);
  for (let i = symbols.length - 1; i >= 0; i--) {
    const { s, starts, prec } = symbols[i]!;
    assert.equal(popSymbol(dec, starts, prec), s, `symbol ${i}`);
  }
  assert.equal(dec.initialWordsDrawn, 0);
  assert.ok(Ans.isInitial(dec.message(), 3), "decoder ends on the fresh state");
});

Deno.test("the message length matches the information pushed to within the head's 47 bits", () => {
  const rng = new Rng(11);
  const ans = new Ans(undefined, 1);
  let info = 0;
  for (let i = 0; i < 20000; i++) {
    const f = 1 + rng.int(2 ** 16 - 1);
    ans.push(0, f, 16);
    info += -Math.log2(f / 2 ** 16);
  }
  const over = ans.bits() - info;
  assert.ok(over > 0 && over < 47 + 16 + 1, `overhead ${over.toFixed(1)} bits`);
});

Deno.test("edge frequencies: freq 1 and freq 2^prec − 1 at the maximum precision round-trip", () => {
  const M = 2 ** MAX_PRECISION;
  const ans = new Ans(undefined, 5);
  const seq: [number, number][] = [];
  for (let i = 0; i < 300; i++) {
    const sym: [number, number] = i % 3 === 0 ? [0, 1] : i % 3 === 1 ? [M - 1, 1] : [1, M - 1];
    ans.push(sym[0], sym[1], MAX_PRECISION);
    seq.push(sym);
  }
  const dec = new Ans(ans.message(), 5);
  for (let i = seq.length - 1; i >= 0; i--) {
    const [s, f] = seq[i]!;
    const cf = dec.peek(MAX_PRECISION);
    assert.ok(cf >= s && cf < s + f, `cf ${cf} in [${s}, ${s + f}) at ${i}`);
    dec.pop(s, f, MAX_PRECISION);
  }
  assert.ok(Ans.isInitial(dec.message(), 5));
});

Deno.test("pops from a fresh stack draw initial bits that a push-back returns exactly", () => {
  const ans = new Ans(undefined, 9);
  const popped = Array.from({ length: 200 }, () => ans.popUniform(12));
  assert.ok(ans.initialWordsDrawn > 100, `${ans.initialWordsDrawn} words drawn`);
  for (let i = popped.length - 1; i >= 0; i--) ans.pushUniform(popped[i]!, 12);
  const m = ans.message();
  assert.ok(Ans.isInitial(m, 9), "push-back restores the initial bits");
  assert.equal(m.tail.length, ans.initialWordsDrawn);
  assert.ok(!Ans.isInitial(m, 10), "another seed's initial bits differ");
  const bad = { head: m.head, tail: m.tail.slice() };
  bad.tail[0]! ^= 1;
  assert.ok(!Ans.isInitial(bad, 9), "a flipped bit is detected");
});

Deno.test("invalid symbols and malformed messages are refused with a RangeError", () => {
  const ans = new Ans(undefined, 1);
  assert.throws(() => ans.push(0, 0, 8), RangeError);
  assert.throws(() => ans.push(200, 100, 8), RangeError);
  assert.throws(() => ans.push(0, 1, MAX_PRECISION + 1), RangeError);
  assert.throws(() => ans.pop(ans.peek(8) + 1, 1, 8), RangeError);
  assert.throws(() => parseMessage(new Uint8Array(5)), RangeError);
  const b = messageBytes(ans.message());
  assert.throws(() => parseMessage(b.subarray(0, b.length - 1)), RangeError);
  assert.throws(() => new Ans({ head: 5, tail: new Uint16Array() }), RangeError);
});
