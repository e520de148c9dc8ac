// Issue 15, item 9: deno.json's tasks run with the narrowest permissions that work, and a
// missing permission stops the run before any work with the flag to add, instead of recording
// `commit: "unknown"` (no --allow-run) or ignoring $PAPERS_REPRO_DATA (no --allow-env).
import assert from "node:assert/strict";
import { listFiles, ROOT, runDenoArgs } from "./_cli.ts";

const deno = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
const task = (name: string): string => deno.tasks[name].command;

const run = (args: string[], cmd: string[] = ["task"]) => runDenoArgs([...cmd, ...args]);

Deno.test("only the test and bench tasks run with -A; only data has network access", () => {
  for (const [name, t] of Object.entries(deno.tasks as Record<string, { command: string }>)) {
    // `test` runs `deno test -A` after its data step (`tasks/data.ts ensure-test-data`, which
    // needs the network to fetch missing data sets)
    if (!t.command.startsWith("deno run") || name === "test") continue;
    if (name !== "bench") assert.doesNotMatch(t.command, / -A | --allow-all/, name);
    if (name !== "data" && name !== "bench") assert.doesNotMatch(t.command, /--allow-net/, name);
  }
  // git for provenance; python3 for the PyTorch peer of lstm_measured
  assert.match(task("reproduce"), /--allow-run=git,python3,\/usr\/bin\/python3 /);
  assert.match(task("reproduce"), /--allow-write=results,\$HOME\/\.cache\/papers-repro /);
  assert.equal(task("bptt"), "deno run tasks/bptt.ts");
});

Deno.test("deno task reproduce records the real commit under its narrowed permissions", async () => {
  const out = `results/_smoke/perm-${Deno.pid}`;
  const r = await run([
    "reproduce",
    "bptt",
    "--profile",
    "smoke",
    "--only",
    "cost_curves",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(
    await Deno.readTextFile(`${ROOT}${out}/bptt/cost_curves.smoke.v1.json`),
  );
  assert.match(result.provenance.commit, /^[0-9a-f]{40}$/);
  await Deno.remove(`${ROOT}${out}`, { recursive: true });
});

Deno.test("a missing permission stops the run before any work, naming the flag", async (t) => {
  const out = await Deno.makeTempDir();
  const reproduce = ["tasks/reproduce.ts", "bptt", "--profile", "smoke", "--only", "cost_curves"];
  const cases: [string, string[], string[], RegExp][] = [
    ["--out outside results/ under deno task", ["task"], [
      "reproduce",
      ...reproduce.slice(1),
      "--out",
      out,
    ], /--allow-write=/],
    [
      "no --allow-run",
      ["run", "--allow-read", `--allow-write=${out}`, "--allow-env"],
      [...reproduce, "--out", out],
      /--allow-run=git/,
    ],
    [
      "no --allow-env",
      ["run", "--allow-read", `--allow-write=${out}`, "--allow-run=git"],
      [...reproduce, "--out", out],
      /--allow-env=PAPERS_REPRO_DATA/,
    ],
  ];
  for (const [name, cmd, args, flag] of cases) {
    await t.step(name, async () => {
      const r = await run(args, cmd);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split("\n").filter((l) => /^(error|hint): /.test(l));
      assert.equal(lines.length, 2, r.stderr);
      assert.match(lines[0]!, /^error: missing permission for /);
      assert.match(lines[0]!, flag);
      assert.deepEqual(listFiles(out), []);
    });
  }
  await Deno.remove(out, { recursive: true });
});
