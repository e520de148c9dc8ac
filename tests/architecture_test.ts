/**
 * The import rules of ARCHITECTURE.md, checked on every non-test source file: each relative
 * import (static, dynamic, `export … from`, and Worker URLs) is resolved and judged by the floor
 * of the importing file. A broken rule fails with the file, the import and the rule's name.
 * @module
 */
import assert from "node:assert/strict";
import { architectureViolations, importsOf, sourceFiles } from "./_architecture.ts";

Deno.test("every non-test source file imports only what its floor allows", async () => {
  const violations = await architectureViolations(await sourceFiles());
  assert.deepEqual(violations, [], `\n${violations.join("\n")}`);
});

Deno.test("the import reader sees static, type, dynamic, re-export and Worker imports", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `export { c } from "./c/mod.ts";`,
    `export * from "./d.ts";`,
    `const m = await import("./e.ts");`,
    `new Worker(new URL("./f.ts", import.meta.url).href, { type: "module" });`,
    `import * as tf from "@tensorflow/tfjs";`,
    ` * import { inDoc } from "./doc_example.ts";`,
  ].join("\n");
  assert.deepEqual(importsOf(src), [
    "./a.ts",
    "../b.ts",
    "./c/mod.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
});

Deno.test("each rule catches the import it forbids", async () => {
  const cases: [string, string, RegExp][] = [
    ["tasks/core/rng.ts", "../harness/report.ts", /ground floor imports only tasks\/core/],
    ["tasks/engine/lstm.ts", "../harness/json.ts", /engine imports only tasks\/core/],
    ["tasks/harness/report.ts", "../../papers/sam/mod.ts", /harness never imports a paper/],
    ["tasks/harness/report.ts", "../engine/lstm.ts", /engine's public mod.ts/],
    ["datasets/mnist/mod.ts", "../../tasks/engine/mod.ts", /datasets import only tasks\/core/],
    ["papers/sam/sam.ts", "../../tasks/harness/plot.ts", /papers import tasks\/core/],
    ["papers/sam/sam.ts", "../bptt/mod.ts", /never imports another paper/],
    ["papers/sam/sam.ts", "../../datasets/synthetic/copy.ts", /datasets\/<name>\/mod.ts/],
    ["papers/sam/sam.ts", "../../tasks/engine/lstm_gates.ts", /engine's public mod.ts/],
    ["papers/sam/sam.ts", "../../datasets/_files.ts", /private file/],
    ["tasks/bptt.ts", "../papers/bptt/plan.ts", /entry points import a paper only through/],
    ["tasks/bptt.ts", "./engine/lstm.ts", /engine's public mod.ts/],
  ];
  for (const [file, spec, rule] of cases) {
    const got = await architectureViolations([{ path: file, text: `import "${spec}";` }]);
    assert.equal(got.length, 1, `${file} -> ${spec}: ${got}`);
    assert.match(got[0]!, rule);
    assert.ok(got[0]!.startsWith(`${file}: `), got[0]);
  }
});

Deno.test("allowed imports pass", async () => {
  const cases: [string, string][] = [
    ["tasks/engine/lstm.ts", "../core/rng.ts"],
    ["tasks/harness/runner.ts", "../engine/mod.ts"],
    ["papers/sam/sam.ts", "./_hnsw.ts"],
    ["papers/sam/experiments/figure1a_speed.ts", "../_hnsw.ts"],
    ["papers/sam/sam.ts", "../../datasets/synthetic/mod.ts"],
    ["papers/draw/data.ts", "../../datasets/mod.ts"],
    ["datasets/omniglot/mod.ts", "../_files.ts"],
    ["tasks/reproduce.ts", "../mod.ts"],
    ["tasks/bptt.ts", "../papers/bptt/mod.ts"],
    ["tasks/bench.ts", "./engine/bench.ts"],
  ];
  for (const [file, spec] of cases) {
    assert.deepEqual(await architectureViolations([{ path: file, text: `import "${spec}";` }]), []);
  }
});
