import assert from "node:assert/strict";

const BENCH = new URL("./conv_gemm_bench.ts", import.meta.url).pathname;

for (const args of [["--rounds", "0"], ["--rounds", "x"], ["--bogus"]]) {
  Deno.test(`conv_gemm_bench ${args.join(" ")} prints one line and exits 2`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", BENCH, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim().split("\n")
      .filter((l) => !l.includes("tfjs-node")); // TF.js's own hint on load
    assert.equal(out.code, 2);
    assert.equal(err.length, 1, err.join("\n"));
    assert.match(err[0]!, /^conv_gemm_bench: /);
  });
}
