/**
 * `deno task reproduce <sam|bptt|draw|all> [--only e1,e2] [--profile smoke|default|paper]
 * [--backend auto|webgpu|wasm|cpu] [--seeds 1,2,3] [--set key=value] [--out DIR] [--shard i/n]`
 * @module
 */
import { PAPERS } from "../mod.ts";
import { reproduceMain } from "./harness/cli.ts";

if (import.meta.main) Deno.exit(await reproduceMain(Deno.args, PAPERS));
