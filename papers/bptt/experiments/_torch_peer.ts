/**
 * The peer a user would pick instead: PyTorch's `torch.utils.checkpoint` over √t segments
 * (reentrant and not) and two-level checkpointing on the same LSTM problem shape, run by
 * `torch_peer.py` when a Python with PyTorch is installed. Memory fraction and time ratio are
 * against PyTorch's own standard BPTT, from interleaved rounds in that one Python process.
 *
 * @module
 */

import {
  type IntervalMetric,
  medianInterval,
  ratioInterval,
} from "../../../tasks/core/interval.ts";
import type { LstmSize } from "./_lstm.ts";

const SCRIPT = new URL("./torch_peer.py", import.meta.url).pathname;

interface PeerOutput {
  torch: string;
  threads: number;
  segments: { sqrt: number; twoLevelInner: number };
  methods: Record<
    string,
    { peakRssBytes: number; wallMs: number[]; cpuMs: number[]; gradMaxAbsDiff: number }
  >;
}

/** One PyTorch scheme's row, beside ours in the result table. */
export interface TorchPeerRow {
  method: string;
  peakRssBytes: number;
  /** Peak RSS / PyTorch's standard BPTT's. */
  memoryFraction: number;
  wallMs: IntervalMetric;
  cpuMs: IntervalMetric;
  timeRatio: IntervalMetric;
  cpuTimeRatio: IntervalMetric;
  /** Largest gradient difference to PyTorch's standard BPTT. */
  gradMaxAbsDiff: number;
}

/** The peer's rows, or why it was not run. */
export type TorchPeerResult =
  | { skipped: string }
  | { torch: string; threads: number; segments: PeerOutput["segments"]; rows: TorchPeerRow[] };

/**
 * Run the PyTorch peer.
 * @returns rows (method `torch_<scheme>`, peak RSS bytes and fraction of PyTorch's standard BPTT,
 *   time ratio intervals) or `{ skipped }` with the reason when PyTorch is not installed
 * @throws {Error} naming the script when it fails
 */
export function torchPeer(size: LstmSize & { rounds: number }, seed: number): TorchPeerResult {
  const args = [SCRIPT, size.t, size.hidden, size.batch, size.rounds, seed].map(String);
  // Debian's python3-torch lives at /usr/bin/python3; a PATH python3 may lack it.
  for (const py of ["/usr/bin/python3", "python3"]) {
    let r: Deno.CommandOutput;
    try {
      r = new Deno.Command(py, { args, stdout: "piped", stderr: "piped" }).outputSync();
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        return { skipped: `not run: no permission to run ${py} (grant --allow-run=${py})` };
      }
      continue; // no such interpreter
    }
    const err = new TextDecoder().decode(r.stderr);
    if (!r.success && /No module named 'torch'/.test(err)) continue;
    if (!r.success) {
      throw new Error(`${SCRIPT} failed (exit ${r.code}): ${err.trim().split("\n").at(-1)}`);
    }
    return rowsOf(JSON.parse(new TextDecoder().decode(r.stdout)) as PeerOutput);
  }
  return { skipped: "PyTorch is not installed (apt-get install -y python3-torch)" };
}

function rowsOf(out: PeerOutput): TorchPeerResult {
  const base = out.methods["bptt"]!;
  const rows = Object.entries(out.methods).map(([name, m]) => ({
    method: `torch_${name}`,
    peakRssBytes: m.peakRssBytes,
    memoryFraction: m.peakRssBytes / base.peakRssBytes,
    wallMs: medianInterval(m.wallMs),
    cpuMs: medianInterval(m.cpuMs),
    timeRatio: ratioInterval(m.wallMs, base.wallMs),
    cpuTimeRatio: ratioInterval(m.cpuMs, base.cpuMs),
    gradMaxAbsDiff: m.gradMaxAbsDiff,
  }));
  return { torch: out.torch, threads: out.threads, segments: out.segments, rows };
}
