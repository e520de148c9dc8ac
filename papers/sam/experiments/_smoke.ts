/**
 * Test helper: run an experiment's smoke profile in-process (all cells, then summarize) with a
 * silent progress reporter, the way the harness does.
 * @module
 */
import type {
  CellRecord,
  Config,
  Experiment,
  Jsonable,
  Summary,
} from "../../../tasks/core/experiment.ts";

/** Run every smoke cell of `e` and summarise. */
export async function runSmoke<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  e: Experiment<C, P, O>,
): Promise<Summary> {
  const config = e.profiles.smoke as C;
  const backend = { name: "wasm", requested: "wasm", adapter: null, reason: "test" };
  const records: CellRecord<O>[] = [];
  for (const cell of e.cells(config, e.seeds.smoke)) {
    const t0 = performance.now();
    const output = await e.run(config, {
      cell,
      profile: "smoke",
      backend,
      progress: { update() {}, log() {} },
    });
    records.push({
      id: cell.id,
      seed: cell.seed ?? null,
      output,
      wallSeconds: (performance.now() - t0) / 1e3,
    });
  }
  const summary = await e.summarize(config, records, { profile: "smoke", backend });
  return summary;
}
