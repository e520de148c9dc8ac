// Issue 15, item 10: the README's Slurm recipe on a real scheduler. A private one-node cluster
// (munged + slurmctld + slurmd, 2 CPUs; tests/slurm/cluster.sh) runs the README's script as
// `sbatch --array=1-4` over SAM Figure 2 smoke shards sharing one --out; shard 2's process is
// SIGKILLed after its first checkpoint and the shard requeued, then `deno task report --merge` combines the shards. The
// merged result equals an unsharded run, provenance and wall-clock timings aside.
import assert from "node:assert/strict";
import { listFiles, ROOT } from "./_cli.ts";

function have(cmd: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const isRoot = Deno.uid() === 0;
const missing = ["sbatch", "slurmctld", "slurmd", "munged", "scontrol"].filter((c) => !have(c));
const SKIP = !isRoot || missing.length > 0;
if (SKIP) {
  console.error(
    `slurm_test skipped: ${!isRoot ? "needs root" : `missing ${missing.join(", ")}`} ` +
      `(apt-get install slurm-wlm munge; .ci/run installs them)`,
  );
}

const dec = new TextDecoder();
function sh(cmd: string, env: Record<string, string>): string {
  const o = new Deno.Command("bash", {
    args: ["-c", cmd],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .outputSync();
  if (!o.success) throw new Error(`${cmd}: ${dec.decode(o.stderr)}`);
  return dec.decode(o.stdout).trim();
}

/** The README's Slurm script: the ```sh block that holds `#SBATCH`. */
async function readmeScript(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) =>
    b.includes("#SBATCH")
  );
  assert.ok(block, "README has no Slurm script");
  return block;
}

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TIMING = /msPerMinibatch$/;
function deterministic(metrics: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => !TIMING.test(k)));
}

Deno.test({
  name:
    "the README's Slurm array (4 shards, one killed and requeued) merges to the unsharded result",
  ignore: SKIP,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tag = `slurm-${Deno.pid}`;
    const cluster = await Deno.makeTempDir({ prefix: "slurm-cluster-" });
    // deno task may write only under results/: results/_smoke/ is git-ignored.
    const out = `results/_smoke/${tag}`, whole = `results/_smoke/${tag}-whole`;
    const conf = `${cluster}/slurm.conf`;
    const env: Record<string, string> = {
      ...Deno.env.toObject(),
      NO_COLOR: "1",
      SLURM_CONF: conf,
      PAPER: "sam",
      PROFILE: "smoke",
      OUT: out,
      EXTRA: "--only figure2_learning --seeds 1,2,3,4 --set copyMinibatches=40 --backend cpu",
    };
    sh(`tests/slurm/cluster.sh start ${cluster}`, env);
    try {
      const script = `${cluster}/shards.sbatch`;
      await Deno.writeTextFile(script, await readmeScript());
      const job = sh(
        `sbatch --parsable --array=1-4 --cpus-per-task=1 --open-mode=append ` +
          `--output=${cluster}/shard-%a.log ${script}`,
        env,
      );
      // Kill shard 2 once its first cell is checkpointed (its second cell takes seconds).
      const partial = `${ROOT}${out}/sam/.partial/figure2_learning.smoke.v2.shard-2-of-4`;
      await until(
        () => listFiles(partial).some((f) => f.startsWith("copy") && f.endsWith(".json")),
        120_000,
        "shard 2's first checkpoint",
      );
      // SIGKILL the shard's deno process (its pid is in the lock), as an OOM kill or a crash
      // would; `scancel --signal=KILL` kills only the batch shell and leaves deno running (the
      // lock then refuses the requeued copy, which is right but not what this test is about).
      const holder = JSON.parse(await Deno.readTextFile(`${partial}/lock`));
      Deno.kill(holder.pid, "SIGKILL");
      await until(
        () => /JobState=(FAILED|CANCELLED)/.test(sh(`scontrol show job ${job}_2`, env)),
        60_000,
        "shard 2 to die",
      );
      assert.ok(!listFiles(`${ROOT}${out}/sam/shards`).some((f) => f.includes("shard-2-of-4")));
      // Requeued jobs wait ~2 min by default; slurmd refuses to relaunch a job id it killed
      // seconds ago ("already killed"), so the test asks for a start 5 s from now.
      sh(`scontrol requeue ${job}_2 && scontrol update jobid=${job}_2 StartTime=now+5`, env);
      const requeued = sh(`scontrol show job ${job}_2`, env);
      assert.match(requeued, /Restarts=1/, requeued);
      await until(() => sh(`squeue -h -j ${job}`, env) === "", 240_000, "the array to finish");
      const log2 = await Deno.readTextFile(`${cluster}/shard-2.log`);
      assert.match(
        log2,
        /\(1 cells run, 1 resumed\)/,
        log2 + sh(`scontrol show job ${job}_2`, env),
      );
      for (const i of [1, 3, 4]) {
        assert.match(
          await Deno.readTextFile(`${cluster}/shard-${i}.log`),
          /\(2 cells run, 0 resumed\)/,
        );
      }
      sh(`deno task report --merge ${out}/sam/shards`, env);
      sh(`deno task reproduce sam --profile smoke --out ${whole} ${env.EXTRA}`, env);
      const merged = JSON.parse(
        await Deno.readTextFile(`${ROOT}${out}/sam/figure2_learning.smoke.v2.json`),
      );
      const single = JSON.parse(
        await Deno.readTextFile(`${ROOT}${whole}/sam/figure2_learning.smoke.v2.json`),
      );
      assert.deepEqual(deterministic(merged.metrics), deterministic(single.metrics));
      assert.deepEqual(merged.samples, single.samples);
      assert.deepEqual(merged.samples.episodes, { planned: 320, done: 320 });
      assert.equal(merged.provenance.shards.length, 4);
      assert.ok(listFiles(`${ROOT}${out}/sam`).includes("REPORT.md"));
      assert.ok(
        !listFiles(`${ROOT}${out}`).some((f) => f.includes(".partial") || f.endsWith(".tmp")),
      );
    } finally {
      sh(`tests/slurm/cluster.sh stop ${cluster}`, env);
      await Deno.remove(`${ROOT}${out}`, { recursive: true }).catch(() => {});
      await Deno.remove(`${ROOT}${whole}`, { recursive: true }).catch(() => {});
      if (!Deno.env.get("KEEP_SLURM")) {
        await Deno.remove(cluster, { recursive: true }).catch(() => {});
      }
    }
  },
});
