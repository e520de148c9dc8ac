import assert from "node:assert/strict";
import type { Paper, ResultFile } from "../core/experiment.ts";
import { PAPERS } from "../../mod.ts";
import { renderReport } from "./report.ts";
import { paperVerdicts } from "./verdicts.ts";

Deno.test("REPORT.md opens with the claims table; project targets get their own section", () => {
  const draw = PAPERS.find((p) => p.id === "draw") as Paper;
  const text = renderReport(draw, new Map());
  const claims = text.indexOf("### Claims");
  const rows = text.indexOf("### Published numbers");
  const targets = text.indexOf("### Project targets");
  assert.ok(claims > 0 && claims < rows && rows < targets, "claims, then rows, then targets");
  for (const c of draw.published.claims ?? []) assert.ok(text.includes(c.claim), c.id);
  const rowTable = text.slice(rows, targets);
  assert.ok(!rowTable.includes("project target"), "no target in the row table");
});

Deno.test("a stale result is marked in the report", () => {
  const sam = PAPERS.find((p) => p.id === "sam") as Paper;
  const res = {
    metrics: {},
    config: {},
    samples: { cells: { planned: 1, done: 1 } },
    seeds: [1],
    notes: [],
    figures: [],
    experiment: "figure1a_speed",
    experimentVersion: 2,
    provenance: {
      backend: { name: "wasm", adapter: null },
      cpus: 2,
      cpuModel: "x",
      wallSeconds: 1,
      commit: "abc",
      dirty: false,
    },
  } as unknown as ResultFile;
  const results = new Map([["default" as const, new Map([["figure1a_speed", res]])]]);
  const stale = new Map([["default" as const, {
    figure1a_speed: {
      stale: true,
      reason: "stale: code changed since this result (papers/sam/sam.ts)",
      changed: ["papers/sam/sam.ts"],
    },
  }]]);
  const text = renderReport(sam, results, paperVerdicts(sam, results, stale));
  assert.match(text, /\*\*Stale results\*\*/);
  assert.match(
    text,
    /figure1a_speed: stale: code changed since this result \(papers\/sam\/sam\.ts\)/,
  );
});
