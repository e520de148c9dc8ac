/**
 * CPU time of the calling thread, for budgets that mean "equal compute" whatever else the
 * machine runs (a Web Worker is a thread, so each replica or model counts only its own work).
 * @module
 */
import process from "node:process";

/**
 * CPU time (user + system, ms) of the calling thread — `process.threadCpuUsage()` of
 * `node:process` (getrusage(RUSAGE_THREAD); no permission needed, unlike reading /proc, which Deno
 * allows only with --allow-all) — or NaN where the runtime lacks it.
 */
export function threadCpuMs(): number {
  const f = (process as { threadCpuUsage?: () => { user: number; system: number } })
    .threadCpuUsage;
  if (typeof f !== "function") return NaN;
  const u = f.call(process);
  return (u.user + u.system) / 1000;
}
