import assert from "node:assert/strict";
import { CellProgress, type ProgressSink } from "./progress.ts";

function capture(isTerminal: boolean): ProgressSink & { text: string } {
  const sink = { text: "", isTerminal, write: (t: string) => (sink.text += t) };
  return sink;
}

Deno.test("CellProgress draws a bar with ETA on a terminal", () => {
  const sink = capture(true);
  const p = new CellProgress(sink, "[1/4 sam/speed]");
  p.update(5, 10, "loss=0.5");
  assert.ok(sink.text.startsWith("\r\x1b[2K[1/4 sam/speed] [############------------]  50% 5/10 "));
  assert.match(sink.text, /\d+s eta \d+s loss=0\.5$/);
  const before = sink.text.length;
  p.update(6, 10); // within 100 ms of the last draw: skipped
  assert.equal(sink.text.length, before);
  p.update(10, 10); // the end is always drawn
  assert.match(sink.text, /100% 10\/10 /);
});

Deno.test("CellProgress logs plain, rate-limited lines when not on a terminal", () => {
  const sink = capture(false);
  const quiet = new CellProgress(sink, "cell", 60_000);
  for (let i = 1; i <= 100; i++) quiet.update(i, 100);
  assert.equal(sink.text, ""); // nothing within the interval
  const chatty = new CellProgress(sink, "cell", 0);
  chatty.update(50, 100);
  chatty.finish("done");
  assert.ok(!sink.text.includes("\x1b"));
  assert.match(sink.text, /^cell {2}50% 50\/100 \d+s eta \d+s\ncell done\n$/);
});
