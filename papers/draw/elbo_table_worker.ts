/**
 * Worker entry of the ELBO table: sets up its own TF.js backend, runs one {@link TableJob} and
 * posts its progress and result (see `elbo_table_pool.ts` for the messages).
 *
 * @module
 */
import { setupBackend } from "../../tasks/engine/mod.ts";
import type { TableFromWorker, TableToWorker } from "./elbo_table_pool.ts";
import { runTableJob } from "./elbo_table_job.ts";

// Deno types `self` as the main thread's Window; this module only runs as a Web Worker
const scope = self as unknown as Worker;

function reply(msg: TableFromWorker): void {
  scope.postMessage(msg);
}

scope.onmessage = async (e: MessageEvent<TableToWorker>) => {
  try {
    const { job, backend } = e.data;
    await setupBackend(backend);
    let last = 0;
    const result = await runTableJob(job, (step, loss, seconds) => {
      if (seconds - last < 2) return;
      last = seconds;
      reply({ kind: "progress", step, loss, seconds });
    });
    reply({ kind: "done", result });
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
