/**
 * Run several ELBO-table jobs at once, one Web Worker (one core, its own TF.js backend) each;
 * resolves with every result in order, or rejects with the first failure (stopping the others).
 *
 * @module
 */
import type { BackendChoice } from "../../tasks/engine/mod.ts";
import type { TableJob, TableJobResult } from "./elbo_table_job.ts";

/** The message a worker gets: one job and the backend to run it on. */
export interface TableToWorker {
  job: TableJob;
  backend: BackendChoice;
}

/** Messages from a worker. */
export type TableFromWorker =
  | { kind: "progress"; step: number; loss: number; seconds: number }
  | { kind: "done"; result: TableJobResult }
  | { kind: "error"; message: string };

/** Progress of job `i`. */
export type JobProgress = (i: number, step: number, loss: number, seconds: number) => void;

/** Run `jobs` concurrently in workers on `backend`. */
export async function runTableJobs(
  jobs: TableJob[],
  backend: BackendChoice,
  onProgress: JobProgress = () => {},
): Promise<TableJobResult[]> {
  const workers = jobs.map(() =>
    new Worker(new URL("./elbo_table_worker.ts", import.meta.url), { type: "module" })
  );
  try {
    return await Promise.all(jobs.map((job, i) =>
      new Promise<TableJobResult>((resolve, reject) => {
        const w = workers[i]!; // one worker per job
        w.onmessage = (e: MessageEvent<TableFromWorker>) => {
          const m = e.data;
          if (m.kind === "progress") onProgress(i, m.step, m.loss, m.seconds);
          else if (m.kind === "done") resolve(m.result);
          else reject(new Error(`ELBO table, ${job.spec.model}: ${m.message}`));
        };
        w.onmessageerror = () => {
          reject(new Error(`ELBO table, ${job.spec.model}: a worker message could not be read`));
        };
        w.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          reject(new Error(`ELBO table, ${job.spec.model}: worker crashed: ${e.message}`));
        };
        w.postMessage({ job, backend } satisfies TableToWorker);
      })
    ));
  } finally {
    for (const w of workers) w.terminate();
  }
}
