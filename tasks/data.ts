/**
 * `deno task data <name|all>`: make data sets available and sha256-verified on this machine.
 * Files already present (shared folder, npm package, Debian package or cache) are verified; missing
 * ones are downloaded into the cache (`$PAPERS_REPRO_CACHE`, default ~/.cache/papers-repro/data).
 *
 * `deno task data ensure-test-data` is the first step of `deno task test`: it checks the data sets
 * the tests read and downloads the missing ones; when it cannot, it prints one line naming them
 * and `deno task data all`, and exits 1 before any test runs.
 *
 * @module
 */
import {
  cacheRoot,
  datasetByName,
  DATASETS,
  ensureDataset,
  readVerified,
} from "../datasets/mod.ts";
import type { DatasetSpec } from "../datasets/mod.ts";

/** The data sets the tests read: every registered one. */
export const TEST_DATASETS: readonly DatasetSpec[] = DATASETS;

async function isPresent(spec: DatasetSpec): Promise<boolean> {
  for (const f of spec.files) {
    try {
      await readVerified(spec, f.name);
    } catch (e) {
      if (e instanceof Error && /not found/.test(e.message)) return false;
      throw e; // corrupt: named by readVerified, with its fix
    }
  }
  return true;
}

/**
 * Verify the tests' data sets and download the missing ones into the cache.
 * @returns the exit code and the one line to print (stdout on success, stderr on failure).
 */
export async function ensureTestData(
  specs: readonly DatasetSpec[] = TEST_DATASETS,
): Promise<{ code: number; line: string }> {
  const missing: DatasetSpec[] = [];
  try {
    for (const spec of specs) if (!(await isPresent(spec))) missing.push(spec);
  } catch (e) {
    return { code: 1, line: `error: test data: ${e instanceof Error ? e.message : e}` };
  }
  if (missing.length === 0) {
    return {
      code: 0,
      line: `test data: ${specs.map((s) => s.name).join(", ")} present, sha256 ok`,
    };
  }
  const failed: { name: string; why: string }[] = [];
  for (const spec of missing) {
    try {
      await ensureDataset(spec);
    } catch (e) {
      failed.push({ name: spec.name, why: e instanceof Error ? e.message : String(e) });
    }
  }
  if (failed.length > 0) {
    return {
      code: 1,
      line: `error: the tests need data sets that are not on this machine and could not be ` +
        `downloaded: ${failed.map((f) => f.name).join(", ")} (${failed[0]!.why}); run ` +
        `"deno task data all" with network access, or set PAPERS_REPRO_DATA to a folder holding them`,
    };
  }
  return {
    code: 0,
    line: `test data: downloaded ${missing.map((s) => s.name).join(", ")} into ${cacheRoot()}, ` +
      `sha256 ok`,
  };
}

async function main(args: string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith("-") && a !== "--help" && a !== "-h");
  if (flags.length > 0) {
    console.error(`error: unknown flag ${flags[0]}; usage: deno task data <name|all> [--help]`);
    return 2;
  }
  const names = args.filter((a) => !a.startsWith("-"));
  if (names.length === 1 && names[0] === "ensure-test-data" && !args.includes("--help")) {
    const { code, line } = await ensureTestData();
    if (code === 0) console.log(line);
    else console.error(line);
    return code;
  }
  if (names.length === 0 || args.includes("--help")) {
    console.log(
      `usage: deno task data <name|all|ensure-test-data>\ndata sets: ${
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
