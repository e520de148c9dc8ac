import assert from "node:assert/strict";
import { listFiles, ROOT } from "./_cli.ts";

const ARGS = ["run", "-A", "tests/fixtures/toy_cli.ts", "reproduce", "toy", "--backend", "cpu"];
// Enough work per cell (~0.3-1 s) that a kill lands between cells.
const SLOW = ["--set", "samples=15000000", "--set", "batches=3", "--seeds", "1,2"];

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function spawn(out: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...ARGS, ...SLOW, "--out", out],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function collect(child: Deno.ChildProcess) {
  const o = await child.output();
  return { code: o.code, stderr: new TextDecoder().decode(o.stderr) };
}

Deno.test("a run killed with SIGKILL resumes from its finished cells and leaves no partial file", async () => {
  const out = await Deno.makeTempDir();
  const checkpoints = () =>
    listFiles(`${out}/toy`).filter((f) =>
      f.startsWith(".partial/") && f.includes("seed=") && f.endsWith(".json")
    );
  const child = spawn(out);
  await waitFor(() => checkpoints().length >= 1, 60_000);
  child.kill("SIGKILL");
  await collect(child);
  const before = checkpoints().length;
  assert.ok(before >= 1 && before < 6, `checkpoints after kill: ${before}`);
  // A kill may land mid-write: a temp file may remain inside the checkpoint folder (the rerun
  // removes it), but never a result file or anything outside .partial/.
  assert.ok(
    !listFiles(out).some((f) =>
      (f.endsWith(".tmp") && !f.startsWith("toy/.partial/")) || f === "toy/pi.default.v1.json"
    ),
  );

  const rerun = await collect(spawn(out));
  assert.equal(rerun.code, 0, rerun.stderr);
  const resumed = rerun.stderr.match(/resumed from checkpoint/g)?.length ?? 0;
  assert.equal(resumed, before, rerun.stderr);
  const result = JSON.parse(await Deno.readTextFile(`${out}/toy/pi.default.v1.json`));
  assert.deepEqual(result.samples.cells, { planned: 6, done: 6 });
  assert.equal(result.metrics.cellsSeen, 6);
  assert.ok(!listFiles(out).some((f) => f.startsWith("toy/.partial") || f.endsWith(".tmp")));

  // The resumed result equals a clean run's metrics exactly (deterministic seeds).
  const clean = await Deno.makeTempDir();
  assert.equal((await collect(spawn(clean))).code, 0);
  const fresh = JSON.parse(await Deno.readTextFile(`${clean}/toy/pi.default.v1.json`));
  assert.deepEqual(result.metrics, fresh.metrics);
  await Deno.remove(out, { recursive: true });
  await Deno.remove(clean, { recursive: true });
});

Deno.test("a checkpoint from another plan is discarded, not mixed in", async () => {
  const out = await Deno.makeTempDir();
  const child = spawn(out);
  await waitFor(
    () => listFiles(`${out}/toy`).some((f) => f.includes("seed=") && f.endsWith(".json")),
    60_000,
  );
  child.kill("SIGKILL");
  await collect(child);
  const other = await new Deno.Command(Deno.execPath(), {
    args: [...ARGS, "--set", "samples=1000", "--set", "batches=3", "--seeds", "1,2", "--out", out],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(other.stderr);
  assert.equal(other.code, 0, err);
  assert.match(err, /checkpoint from another plan; discarded, rerunning the cell/);
  assert.doesNotMatch(err, /resumed from checkpoint/);
  await Deno.remove(out, { recursive: true });
});
