/**
 * One Worker of `GemmThreads` (gemm_threads.ts): instantiates the shared-memory GEMM on the pool's
 * memory, then waits on its control words for a new sequence number, runs its rows and sets its
 * done word (1, or −1 when the call threw); returns (ending its loop) when its quit word is set.
 * @module
 */
import { CTL_WORDS, QUIT } from "./gemm_threads.ts";

interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  slot: number;
}

const scope = self as unknown as Worker;

scope.onmessage = (e: MessageEvent<Start>) => {
  const { module, memory, ctl, slot } = e.data;
  let gemm: (...args: number[]) => void;
  try {
    gemm = (new WebAssembly.Instance(module, { env: { memory } }).exports as {
      gemm: (...args: number[]) => void;
    }).gemm;
  } catch (err) {
    scope.postMessage(String(err));
    return;
  }
  scope.postMessage("ready");
  const w = slot * CTL_WORDS;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, w, seen);
    seen = Atomics.load(ctl, w);
    if (Atomics.load(ctl, w + QUIT) === 1) break;
    const p = Array.from(ctl.subarray(w + 2, w + 14));
    let done = 1;
    try {
      if (p[0]! > 0) gemm(...p);
    } catch {
      done = -1;
    }
    Atomics.store(ctl, w + 1, done);
    Atomics.notify(ctl, w + 1);
  }
};
