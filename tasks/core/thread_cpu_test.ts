import assert from "node:assert/strict";
import { threadCpuMs } from "./thread_cpu.ts";

Deno.test("threadCpuMs advances with this thread's work and not with its sleep", async () => {
  const c0 = threadCpuMs(), t0 = performance.now();
  let x = 0;
  while (performance.now() - t0 < 200) x += Math.sqrt(x + 1);
  const busy = threadCpuMs() - c0;
  assert.ok(x > 0 && busy > 100 && busy < 400, `busy 200 ms wall: ${busy} ms CPU`);
  const c1 = threadCpuMs();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(threadCpuMs() - c1 < 50, "a sleeping thread uses no CPU");
});
