/**
 * `deno task bench <name>`: benchmarks. `engine` times the TF.js engine on every available
 * backend against PyTorch (tasks/engine/bench.ts) and writes results/engine/bench.default.v1.json.
 *
 * Options: `--backends cpu,wasm,webgpu`, `--out DIR`, `--quick` (fewer reps, writes
 * bench.quick.v1.json), `--no-peer` (skip PyTorch).
 * @module
 */
import { parseArgs } from "node:util";
import { runEngineBench } from "./engine/bench.ts";

const BENCHES = ["engine"] as const;

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
  await runEngineBench({
    ...(values.backends ? { backends: values.backends.split(",") } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    quick: values.quick,
    noPeer: values["no-peer"],
  });
  return 0;
}

if (import.meta.main) Deno.exit(await benchMain(Deno.args));
