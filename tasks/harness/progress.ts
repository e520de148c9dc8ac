/**
 * Progress for long runs: a redrawn bar with cell, step and ETA on a terminal; on a pipe or in
 * CI, a plain log line at most every `intervalMs` (and at the end of each cell), so logs stay
 * short but complete.
 * @module
 */
import type { ProgressReporter } from "../core/experiment.ts";

/** Where progress goes; `isTerminal` decides bar vs log lines. */
export interface ProgressSink {
  write(text: string): void;
  isTerminal: boolean;
}

/** stderr, as the CLI uses it. */
export function stderrSink(): ProgressSink {
  const enc = new TextEncoder();
  return {
    write: (t) => Deno.stderr.writeSync(enc.encode(t)),
    isTerminal: Deno.stderr.isTerminal(),
  };
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Progress of one cell of one experiment. */
export class CellProgress implements ProgressReporter {
  #start = performance.now();
  #lastLog = performance.now();
  #drawn = false;
  #lastDraw = -Infinity;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly intervalMs = 30_000,
  ) {}

  update(done: number, total: number, info = ""): void {
    const elapsed = (performance.now() - this.#start) / 1000;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = frac > 0 ? elapsed * (1 - frac) / frac : Infinity;
    const pct = `${(frac * 100).toFixed(0).padStart(3)}%`;
    const tail = `${done}/${total} ${fmtSeconds(elapsed)} eta ${fmtSeconds(eta)}${
      info ? " " + info : ""
    }`;
    if (this.sink.isTerminal) {
      // Redraw at most 10 times a second (and always at the end).
      if (performance.now() - this.#lastDraw < 100 && done < total) return;
      this.#lastDraw = performance.now();
      const width = 24, fill = Math.round(frac * width);
      const bar = "#".repeat(fill) + "-".repeat(width - fill);
      this.sink.write(`\r\x1b[2K${this.label} [${bar}] ${pct} ${tail}`);
      this.#drawn = true;
    } else if (performance.now() - this.#lastLog >= this.intervalMs) {
      this.#lastLog = performance.now();
      this.sink.write(`${this.label} ${pct} ${tail}\n`);
    }
  }

  log(message: string): void {
    if (this.#drawn) this.sink.write("\r\x1b[2K");
    this.#drawn = false;
    this.sink.write(`${this.label} ${message}\n`);
  }

  /** End the cell: finish the bar line. */
  finish(message: string): void {
    this.log(message);
  }
}
