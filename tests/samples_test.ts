// Issue 15, item 1: `samples` counts what the cells hold, and a cell trained under another config
// (figure2_learning: a curve to minibatch 300 under copyMinibatches=100) fails the experiment's check.
import assert from "node:assert/strict";
import { experiment as figure2 } from "../papers/sam/experiments/figure2_learning.ts";
import { cellSamples, checkpointProblem } from "../tasks/harness/runner.ts";
import type { AnyExperiment, CellRecord, Json } from "../tasks/core/experiment.ts";

const config = { ...figure2.profiles.smoke, copyMinibatches: 100, curveWindow: 2 };
const cells = figure2.cells(config, [1, 2]);
const curveTo = (n: number) =>
  Array.from(
    { length: n / 2 },
    (_, i) => ({ minibatch: 2 * i + 2, episode: (2 * i + 2) * config.batch, bits: 1 }),
  );
const output = (cell: (typeof cells)[number], episodes: number): Json => ({
  task: cell.params!.task!,
  model: cell.params!.model!,
  seed: cell.seed!,
  batch: config.batch,
  curve: curveTo(episodes),
  firstBits: 1,
  finalBits: 1,
  episodesToThreshold: null,
  msPerMinibatch: 1,
});

Deno.test("figure2_learning refuses a checkpoint whose curve runs to another episode count", () => {
  const cell = cells[0]!;
  const saved = {
    id: cell.id,
    seed: cell.seed,
    wallSeconds: 1,
    planKey: "k",
    output: output(cell, 300),
  };
  assert.equal(
    checkpointProblem(figure2, config, cell, "k", saved),
    "holds a curve to minibatch 300, the config plans 100",
  );
  assert.equal(
    checkpointProblem(figure2, config, cell, "k", { ...saved, output: output(cell, 100) }),
    null,
  );
  assert.equal(checkpointProblem(figure2, config, cell, "other", saved), "from another plan");
  assert.equal(
    checkpointProblem(figure2, config, cell, "k", { ...saved, output: output(cells[1]!, 100) }),
    `holds ${cells[1]!.params!.task}/${cells[1]!.params!.model}/seed=${cells[1]!.seed}`,
  );
});

Deno.test("samples.episodes adds up what the cells hold, not what the config says", () => {
  const records: CellRecord[] = cells.slice(0, cells.length - 1).map((c) => ({
    id: c.id,
    seed: c.seed!,
    wallSeconds: 1,
    output: output(c, 100),
  }));
  const s = cellSamples(figure2 as AnyExperiment, config, [1, 2], records);
  assert.deepEqual(s.episodes, { planned: 100 * cells.length, done: 100 * (cells.length - 1) });
});
