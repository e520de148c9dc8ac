import assert from "node:assert/strict";
import { listFiles, runDeno } from "./_cli.ts";

const TOY = "tests/fixtures/toy_cli.ts";

const CASES: [string, string[], RegExp][] = [
  ["unknown paper", ["reproduce", "nope"], /unknown paper "nope"; valid: toy, all/],
  ["no paper", ["reproduce"], /expected one paper \(toy, all\), got 0/],
  [
    "unknown experiment",
    ["reproduce", "toy", "--only", "pi,zeta"],
    /unknown experiment "zeta"; valid: pi/,
  ],
  ["unknown flag", ["reproduce", "toy", "--nope"], /Unknown option '--nope'.*valid flags: --only/],
  [
    "unknown profile",
    ["reproduce", "toy", "--profile", "huge"],
    /unknown profile "huge"; valid: smoke, default, paper/,
  ],
  [
    "unknown backend",
    ["reproduce", "toy", "--backend", "tpu"],
    /unknown backend "tpu"; valid: auto, webgpu, wasm, cpu/,
  ],
  [
    "unknown config key",
    ["reproduce", "toy", "--set", "sampels=3"],
    /unknown key; valid keys: batches, label, samples/,
  ],
  [
    "wrong value type",
    ["reproduce", "toy", "--set", "samples=many"],
    /samples=many: expected a \(decimal\) number/,
  ],
  [
    "non-integer for an integer key",
    ["reproduce", "toy", "--set", "samples=2.5"],
    /expected an integer/,
  ],
  ["seed 0", ["reproduce", "toy", "--seeds", "1,0"], /seeds must be positive integers/],
  [
    "bad shard",
    ["reproduce", "toy", "--shard", "3/2"],
    /--shard 3\/2: expected i\/n with 1 ≤ i ≤ n/,
  ],
  ["report of unknown paper", ["report", "nope"], /unknown paper "nope"; valid: toy, all/],
  ["merge with nothing to merge", ["report", "--merge", "/nonexistent-dir"], /does not exist/],
  // Issue 15, item 5: values of the right type but out of range are refused before any work.
  [
    "a negative count",
    ["reproduce", "toy", "--set", "samples=-5"],
    /^error: --set samples=-5: -5 is below 1; samples must be an integer in \[1, 100000000\]$/,
  ],
  ["a zero count", ["reproduce", "toy", "--set", "samples=0"], /samples=0: 0 is below 1/],
  ["a huge count", ["reproduce", "toy", "--set", "samples=1e12"], /1000000000000 is above/],
  ["a value not in the set", ["reproduce", "toy", "--set", "label=e"], /"e" is not allowed/],
  ["a hex number", ["reproduce", "toy", "--set", "samples=0x10"], /expected a \(decimal\)/],
  ["Infinity", ["reproduce", "toy", "--set", "samples=Infinity"], /expected a \(decimal\)/],
  ["hex seeds", ["reproduce", "toy", "--seeds", "0x10"], /seeds must be positive integers/],
  ["exponent seeds", ["reproduce", "toy", "--seeds", "1e1"], /seeds must be positive integers/],
  // Item 6: a repeated flag is an error, not "the last one wins".
  [
    "a repeated --profile",
    ["reproduce", "toy", "--profile", "smoke", "--profile", "paper"],
    /--profile given more than once/,
  ],
  [
    "a repeated --set key",
    ["reproduce", "toy", "--set", "samples=5", "--set", "samples=6"],
    /--set samples given more than once/,
  ],
  ["a repeated report --out", ["report", "--out", "a", "--out", "b"], /--out given more than once/],
  // Item 8: an empty --only runs nothing, so it is refused.
  ["an empty --only", ["reproduce", "toy", "--only", ","], /--only names no experiment/],
];

Deno.test("bad input is a one-line error with exit code 2 and writes nothing", async (t) => {
  for (const [name, args, message] of CASES) {
    await t.step(name, async () => {
      const out = await Deno.makeTempDir();
      const r = await runDeno(TOY, [...args, "--out", out]);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^error: /);
      assert.match(lines[0]!, message);
      assert.deepEqual(listFiles(out), []);
      await Deno.remove(out, { recursive: true });
    });
  }
});

Deno.test("the real reproduce task names every paper on an unknown one", async () => {
  const r = await runDeno("tasks/reproduce.ts", ["nope"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^error: unknown paper "nope"; valid: bptt, sam, draw, all$/);
});

Deno.test("the other task entry points refuse bad input with exit code 2 and one line", async (t) => {
  const cases: [string, string[], RegExp][] = [
    [
      "tasks/data.ts",
      ["bogus"],
      /^error: unknown data set "bogus"; valid: .*binarized_mnist.*, all$/,
    ],
    ["tasks/data.ts", ["--nope"], /^error: unknown flag --nope/],
    ["tasks/report.ts", ["nope"], /^error: unknown paper "nope"; valid: bptt, sam, draw, all$/],
    [
      "tasks/report.ts",
      ["--nope"],
      /^error: .*--nope.*valid flags: --out, --merge, --help, --verbose$/,
    ],
    ["tasks/bptt.ts", ["plan", "--t", "0", "--memory", "3", "--strategy", "hsm"], /^error: /],
    [
      "tasks/bptt.ts",
      ["plan", "--t", "100", "--t", "200", "--memory", "3", "--strategy", "hsm"],
      /^error: --t given more than once/,
    ],
    [
      "tasks/bptt.ts",
      ["plan", "--t", "1000000000", "--memory", "30", "--strategy", "hsm"],
      /^error: --t 1000000000 is above the planner's limit of /,
    ],
    [
      "tasks/bptt.ts",
      ["plan", "--t", "99999999999999999999999", "--memory", "30", "--strategy", "msm"],
      /^error: --t 99999999999999999999999 is above the planner's limit of /,
    ],
  ];
  for (const [script, args, message] of cases) {
    await t.step(`${script} ${args.join(" ")}`, async () => {
      const r = await runDeno(script, args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    });
  }
});

Deno.test("--out must be a non-empty folder path: --out= and a file are refused", async (t) => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  const cases: [string[], RegExp][] = [
    [
      ["reproduce", "toy", "--profile", "smoke", "--out="],
      /^error: --out must be a non-empty folder path$/,
    ],
    [["report", "toy", "--out="], /^error: --out must be a non-empty folder path$/],
    [
      ["reproduce", "toy", "--profile", "smoke", "--out", `${dir}/file`],
      /is a file, not a folder$/,
    ],
    [["report", "--merge", "--out", `${dir}/file`], /is a file, not a folder$/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await runDeno(TOY, args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    });
  }
  assert.deepEqual(listFiles(dir), ["file"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("report with no result files is an error, not an empty page", async () => {
  const empty = await Deno.makeTempDir();
  const r = await runDeno(TOY, ["report", "toy", "--out", `${empty}/nonexistent`]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), /^error: no result files under .*nonexistent\/toy\/; run/);
  assert.deepEqual(listFiles(empty), []);
  await Deno.remove(empty, { recursive: true });
});
