/**
 * The command line of the engine's by-hand kernel benchmarks (`gemm_bench.ts`,
 * `conv_gemm_bench.ts`): `--rounds N` (interleaved rounds, default 9) and `--no-peer` (skip
 * PyTorch). Bad input gets one line naming the bench and exit 2.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The parsed options of bench `name`. */
export function handBenchArgs(name: string, args = Deno.args): { rounds: number; noPeer: boolean } {
  let values: { rounds?: string; "no-peer"?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { rounds: { type: "string", default: "9" }, "no-peer": { type: "boolean" } },
      strict: true,
    }));
  } catch (e) {
    console.error(`${name}: ${(e as Error).message}`);
    Deno.exit(2);
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`${name}: --rounds must be a positive integer, got ${values.rounds}`);
    Deno.exit(2);
  }
  return { rounds, noPeer: values["no-peer"] ?? false };
}
