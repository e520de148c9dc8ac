/**
 * `deno task check <sam|bptt|draw|all> [--committed DIR] [--fresh DIR] [reproduce flags...]`:
 * reruns (or reads a fresh run) and compares it with the committed results, metric by metric;
 * exits 1 when a verdict changed.
 * @module
 */
import { PAPERS } from "../mod.ts";
import { checkMain } from "./harness/check_cli.ts";

if (import.meta.main) Deno.exit(await checkMain(Deno.args, PAPERS));
