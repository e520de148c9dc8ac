// Issue 15, items 1, 3 and 4: checkpoints bound to their plan, shards and concurrent runs that
// share an --out without mixing, clobbering or crashing. Child processes, killed with SIGKILL.
import assert from "node:assert/strict";
import { collect, listFiles, runDeno, spawnDeno, waitFor } from "./_cli.ts";

const TOY = "tests/fixtures/toy_cli.ts";
const RUN = ["reproduce", "toy", "--backend", "cpu", "--seeds", "1,2", "--set", "batches=3"];
// Enough work per cell (~0.3-1 s) that a kill lands between cells.
const SLOW = [...RUN, "--set", "samples=15000000"];

const checkpoints = (out: string, folder: string) =>
  listFiles(`${out}/toy/.partial/${folder}`).filter((f) =>
    f.startsWith("seed=") && f.endsWith(".json")
  );

async function killedRun(out: string, args: string[], folder: string, atLeast: number) {
  const child = spawnDeno(TOY, [...args, "--out", out]);
  await waitFor(() => checkpoints(out, folder).length >= atLeast, 60_000);
  child.kill("SIGKILL");
  await collect(child);
  return checkpoints(out, folder);
}

Deno.test("a checkpoint from another config is discarded even when plan.json is gone", async () => {
  const out = await Deno.makeTempDir();
  const done = await killedRun(out, SLOW, "pi.default.v1", 2);
  assert.ok(done.length >= 2 && done.length < 6, `checkpoints: ${done.length}`);
  // The repro deleted plan.json; checkpoints no longer depend on it.
  await Deno.remove(`${out}/toy/.partial/pi.default.v1/plan.json`).catch(() => {});
  const r = await runDeno(TOY, [...RUN, "--set", "samples=1000", "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/checkpoint from another plan; discarded/g)?.length, done.length);
  assert.doesNotMatch(r.stderr, /resumed from checkpoint/);
  const result = JSON.parse(await Deno.readTextFile(`${out}/toy/pi.default.v1.json`));
  assert.deepEqual(result.samples.draws, { planned: 6000, done: 6000 });
  await Deno.remove(out, { recursive: true });
});

Deno.test("a well-formed but wrong checkpoint is discarded and its cell rerun", async () => {
  const out = await Deno.makeTempDir();
  const dir = `${out}/toy/.partial/pi.default.v1`;
  const done = await killedRun(out, SLOW, "pi.default.v1", 2);
  assert.deepEqual(done.slice(0, 2), ["seed=1~2fbatch=0.json", "seed=1~2fbatch=1.json"]);
  const key = JSON.parse(await Deno.readTextFile(`${dir}/${done[0]}`)).planKey;
  // The forgery (no plan key), and one with the right key but an output that does not
  // fit the config (fewer samples than planned).
  await Deno.writeTextFile(
    `${dir}/${done[0]}`,
    JSON.stringify({ id: "seed=1/batch=0", output: {}, seed: 1, wallSeconds: 1 }),
  );
  await Deno.writeTextFile(
    `${dir}/${done[1]}`,
    JSON.stringify({
      id: "seed=1/batch=1",
      seed: 1,
      wallSeconds: 1,
      planKey: key,
      output: { inside: 3, samples: 4 },
    }),
  );
  const r = await collect(spawnDeno(TOY, [...SLOW, "--out", out]));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /seed=1\/batch=0\] checkpoint carries no plan key; discarded/);
  assert.match(
    r.stderr,
    /seed=1\/batch=1\] checkpoint holds 4 samples, the config plans 15000000; discarded/,
  );
  const result = JSON.parse(await Deno.readTextFile(`${out}/toy/pi.default.v1.json`));
  assert.deepEqual(result.samples.draws, { planned: 6 * 15_000_000, done: 6 * 15_000_000 });
  // Equal to a clean run (deterministic seeds): nothing of the forgeries is left in.
  const clean = await Deno.makeTempDir();
  assert.equal((await runDeno(TOY, [...SLOW, "--out", clean])).code, 0);
  const fresh = JSON.parse(await Deno.readTextFile(`${clean}/toy/pi.default.v1.json`));
  assert.deepEqual(result.metrics, fresh.metrics);
  await Deno.remove(out, { recursive: true });
  await Deno.remove(clean, { recursive: true });
});

Deno.test("shards sharing an --out keep their own checkpoints: a killed shard resumes its cells", async () => {
  const out = await Deno.makeTempDir();
  const folder = "pi.default.v1.shard-2-of-2";
  const done = await killedRun(out, [...SLOW, "--shard", "2/2"], folder, 2);
  assert.ok(done.length >= 2 && done.length < 3, `checkpoints: ${done.length}`);
  const first = await runDeno(TOY, [...SLOW, "--shard", "1/2", "--out", out]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(checkpoints(out, folder), done, "shard 1 must not touch shard 2's checkpoints");
  const second = await runDeno(TOY, [...SLOW, "--shard", "2/2", "--out", out]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(`\\(${3 - done.length} cells run, ${done.length} resumed\\)`),
  );
  assert.ok(!listFiles(out).some((f) => f.includes(".partial") || f.endsWith(".tmp")));
  await Deno.remove(out, { recursive: true });
});

Deno.test("two identical runs started together: one runs, the other refuses with one clear line", async () => {
  const out = await Deno.makeTempDir();
  const a = spawnDeno(TOY, [...SLOW, "--out", out]);
  const lock = `${out}/toy/.partial/pi.default.v1/lock`;
  await waitFor(() => {
    try {
      return Deno.readTextFileSync(lock).includes("pid");
    } catch {
      return false;
    }
  }, 60_000);
  const b = await collect(spawnDeno(TOY, [...SLOW, "--out", out]));
  assert.equal(b.code, 1, b.stderr);
  assert.match(
    b.stderr,
    /^error: another run \(pid \d+ on \S+, started .*\) is writing this plan \(.*pi\.default\.v1\)$/m,
  );
  assert.match(b.stderr, /^hint: wait for it to finish/m);
  assert.doesNotMatch(b.stderr, /Uncaught|at .*\.ts:\d+/);
  const ra = await collect(a);
  assert.equal(ra.code, 0, ra.stderr);
  const result = JSON.parse(await Deno.readTextFile(`${out}/toy/pi.default.v1.json`));
  assert.deepEqual(result.samples.cells, { planned: 6, done: 6 });
  await Deno.remove(out, { recursive: true });
});

Deno.test("a killed run's lock is taken over, and another live run's temp files are kept", async () => {
  const out = await Deno.makeTempDir();
  const done = await killedRun(out, SLOW, "pi.default.v1", 1);
  assert.ok(listFiles(`${out}/toy/.partial/pi.default.v1`).includes("lock"));
  // A temp file of a live writer (this test process) beside the result: cleanup must keep it.
  const live = `${out}/toy/REPORT.md.${Deno.pid}.0123abcd.tmp`;
  await Deno.writeTextFile(live, "in progress");
  const r = await runDeno(TOY, [...SLOW, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /took over from a run that was killed \(pid \d+\)/);
  assert.equal(r.stderr.match(/resumed from checkpoint/g)?.length, done.length);
  assert.equal(await Deno.readTextFile(live), "in progress");
  await Deno.remove(out, { recursive: true });
});

Deno.test("report --merge writes beside the shards when --out is not given", async () => {
  const out = await Deno.makeTempDir();
  const smoke = ["reproduce", "toy", "--backend", "cpu", "--profile", "smoke"];
  for (const i of [1, 2]) {
    const r = await runDeno(TOY, [...smoke, "--shard", `${i}/2`, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
  }
  const m = await runDeno(TOY, ["report", "--merge", `${out}/toy/shards`]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, new RegExp(`merged ${out}/toy/pi\\.smoke\\.v1\\.json`));
  assert.ok(listFiles(`${out}/toy`).includes("pi.smoke.v1.json"));
  assert.ok(listFiles(`${out}/toy`).includes("REPORT.md"));
  assert.ok(!listFiles(out).some((f) => f.includes(".partial")));
  await Deno.remove(out, { recursive: true });
});
