/**
 * `deno task bench <name>`: benchmarks. `engine` times the TF.js engine on every available
 * backend against PyTorch (tasks/engine/bench.ts) and writes results/engine/bench.default.v1.json.
 * `sam` times SAM-paper training (Figure 2 sizes; old path vs new, papers/sam/train_bench.ts) and
 * writes results/sam/bench.default.v1.json.
 *
 * Options: `--backends cpu,wasm,webgpu`, `--out DIR` (results root; the file goes to DIR/engine/), `--quick` (fewer reps, writes
 * bench.quick.v1.json), `--no-peer` (skip PyTorch).
 * @module
 */
import { parseArgs } from "node:util";
// The bench, not mod.ts: it measures and is never part of a result's code hash.
import { runEngineBench } from "./engine/bench.ts";
import { runSamTrainBench } from "../papers/sam/mod.ts";
import { writeBenchResult } from "./harness/bench_result.ts";

const BENCHES = ["engine", "sam"] as const;

/** Parses the command line and runs one benchmark; returns the exit code. */
export async function benchMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      backends: { type: "string" },
      out: { type: "string" },
      quick: { type: "boolean", default: false },
      "no-peer": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const name = positionals[0];
  if (values.help || !name || !(BENCHES as readonly string[]).includes(name)) {
    console.error(
      `usage: deno task bench <${BENCHES.join("|")}> [--backends cpu,wasm,webgpu] [--out DIR] ` +
        `[--quick] [--no-peer]`,
    );
    return values.help ? 0 : 2;
  }
  const startedAt = new Date();
  const result = name === "sam"
    ? await runSamTrainBench({ quick: values.quick })
    : await runEngineBench({
      ...(values.backends ? { backends: values.backends.split(",") } : {}),
      quick: values.quick,
      noPeer: values["no-peer"],
    });
  const path = await writeBenchResult(
    values.out ?? "results",
    name,
    values.quick ? "quick" : "default",
    1,
    result,
    {
      startedAt,
      wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
      command: ["deno task bench", ...args].join(" "),
    },
  );
  console.error(`wrote ${path}`);
  return 0;
}

if (import.meta.main) Deno.exit(await benchMain(Deno.args));
