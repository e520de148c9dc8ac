/**
 * `deno task report [sam|bptt|draw|all] [--out DIR]` regenerates REPORT.md;
 * `deno task report --merge [PATH...]` first combines `--shard i/n` outputs into result files.
 * @module
 */
import { PAPERS } from "../mod.ts";
import { reportMain } from "./harness/report_cli.ts";

if (import.meta.main) Deno.exit(await reportMain(Deno.args, PAPERS));
