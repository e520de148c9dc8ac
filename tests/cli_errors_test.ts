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
    /samples=many: expected a number/,
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
    ["tasks/report.ts", ["--nope"], /^error: .*--nope.*valid flags: --out, --merge, --help$/],
    ["tasks/bptt.ts", ["plan", "--t", "0", "--memory", "3", "--strategy", "hsm"], /^error: /],
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
