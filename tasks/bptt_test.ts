import assert from "node:assert/strict";

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./bptt.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("bptt plan --json prints the optimal HSM cost and a replayable op list", async () => {
  const r = await cli("plan", "--t", "1000", "--memory", "50", "--strategy", "hsm", "--json");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.cost, 2948);
  assert.equal(j.t, 1000);
  assert.equal(j.memory, 50);
  assert.equal(j.strategy, "hsm");
  assert.equal(j.alpha, 1);
  assert.ok(j.peakMemory <= 50);
  assert.equal(j.ops[0], "F0:" + j.ops[0].split(":")[1]);
});

Deno.test("bptt plan prints cost, cost per step, peak memory and the policy", async () => {
  const r = await cli(
    "plan",
    "--t",
    "1000",
    "--memory",
    "250",
    "--strategy",
    "msm",
    "--alpha",
    "5",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cost\s+1950 forward ops/);
  assert.match(r.stdout, /cost\/step\s+1\.9500/);
  assert.match(r.stdout, /peak memory\s+\d+ units/);
  assert.match(r.stdout, /policy\s+F0:/);
});

Deno.test("bptt plan rejects invalid input with one error line and exit code 2", async () => {
  const bad = [
    ["plan", "--t", "0", "--memory", "5", "--strategy", "hsm"],
    ["plan", "--t", "10", "--memory", "0", "--strategy", "hsm"],
    ["plan", "--t", "10", "--memory", "5", "--strategy", "ism", "--alpha", "0"],
    ["plan", "--t", "10.5", "--memory", "5", "--strategy", "hsm"],
    ["plan", "--t", "10", "--memory", "5", "--strategy", "xsm"],
    ["plan", "--t", "10", "--memory", "5"],
    ["plan", "--t", "10", "--memory", "5", "--strategy", "hsm", "--bogus"],
    ["frobnicate", "--t", "10"],
  ];
  for (const args of bad) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^error: /);
  }
});
