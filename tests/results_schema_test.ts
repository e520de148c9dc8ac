import assert from "node:assert/strict";
import { PAPERS } from "../mod.ts";
import { PROFILES, RESULT_SCHEMA, type ResultFile } from "../tasks/core/experiment.ts";
import { stableJson } from "../tasks/core/json.ts";
import { experimentCodeHash, staleness } from "../tasks/harness/code_hash.ts";
import { renderTemplate } from "../tasks/harness/template.ts";
import { listFiles } from "./_cli.ts";

const RESULTS = new URL("../results/", import.meta.url).pathname;

/**
 * Committed result files: results/<paper>/<experiment>.<profile>.v<n>.json; benchmark files
 * (`bench.<profile>.v<n>.json`, written by tasks/harness/bench_result.ts) have their own checks.
 */
function resultFiles(): string[] {
  return listFiles(RESULTS).filter((f) =>
    /^[a-z_]+\/[a-z0-9_]+\.(smoke|default|paper)\.v\d+\.json$/.test(f) &&
    !f.startsWith("engine/") && !/\/bench\.[a-z]+\.v\d+\.json$/.test(f)
  );
}

/** Check one result file against the schema and the registry; returns the problems found. */
export function validateResult(rel: string, text: string): string[] {
  const problems: string[] = [];
  const r = JSON.parse(text) as ResultFile;
  const [paperId, name] = rel.split("/") as [string, string];
  const paper = PAPERS.find((p) => p.id === paperId);
  const exp = paper?.experiments.find((e) => e.id === r.experiment);
  if (r.schema !== RESULT_SCHEMA) problems.push(`schema ${r.schema}`);
  if (!paper || r.paper !== paperId) problems.push(`paper ${r.paper} not registered`);
  if (!exp) return [...problems, `experiment ${r.experiment} not registered`];
  if (name !== `${exp.id}.${r.profile}.v${r.experimentVersion}.json`) problems.push("file name");
  if (r.experimentVersion !== exp.version) {
    problems.push(`stale: v${r.experimentVersion} but the code is v${exp.version}`);
  }
  if (!PROFILES.includes(r.profile)) problems.push(`profile ${r.profile}`);
  const keys = Object.keys(exp.profiles.default).sort();
  if (JSON.stringify(Object.keys(r.config).sort()) !== JSON.stringify(keys)) {
    problems.push("config keys differ from the experiment's");
  }
  if (!r.seeds.every((s) => Number.isSafeInteger(s) && s > 0)) problems.push("seeds");
  const cells = r.samples?.cells;
  if (!cells || cells.done > cells.planned || cells.done < 1) problems.push("samples.cells");
  if (typeof r.metrics !== "object" || Object.keys(r.metrics).length === 0) {
    problems.push("metrics");
  }
  const p = r.provenance;
  for (const f of ["commit", "deno", "tfjs", "startedAt", "backendVersion", "command"] as const) {
    if (typeof p?.[f] !== "string") problems.push(`provenance.${f}`);
  }
  if (typeof p?.dirty !== "boolean" || typeof p?.wallSeconds !== "number") {
    problems.push("provenance.dirty/wallSeconds");
  }
  if (typeof p?.backend?.name !== "string") problems.push("provenance.backend");
  if (
    r.code !== undefined &&
    (!/^[0-9a-f]{16}$/.test(r.code.hash) || typeof r.code.files !== "object" ||
      !Object.values(r.code.files).every((h) => /^[0-9a-f]{16}$/.test(h)))
  ) problems.push("code hash");
  for (const f of r.figures) {
    for (const file of [f.svg, f.png]) {
      if (file && !listFiles(`${RESULTS}${paperId}`).includes(file)) {
        problems.push(`figure ${file} missing`);
      }
    }
  }
  if (stableJson(r) !== text) problems.push("not in stable form (sorted keys, 2 spaces, newline)");
  return problems;
}

Deno.test("every committed result file matches the schema and the registry", () => {
  const files = resultFiles();
  for (const rel of files) {
    const problems = validateResult(rel, Deno.readTextFileSync(`${RESULTS}${rel}`));
    assert.deepEqual(problems, [], `${rel}: ${problems.join("; ")}`);
  }
});

Deno.test("every registered experiment has a committed default result", () => {
  const files = new Set(resultFiles());
  const missing = PAPERS.flatMap((p) =>
    p.experiments
      .map((e) => `${p.id}/${e.id}.default.v${e.version}.json`)
      .filter((f) => !files.has(f))
  );
  assert.deepEqual(missing, []);
});

Deno.test("the schema check catches a truncated or stale file", () => {
  const rel = resultFiles()[0];
  if (!rel) return;
  const r = JSON.parse(Deno.readTextFileSync(`${RESULTS}${rel}`));
  r.samples.cells.done = r.samples.cells.planned + 1;
  assert.ok(validateResult(rel, stableJson(r)).includes("samples.cells"));
  r.samples.cells.done = 1;
  r.experimentVersion += 1;
  assert.ok(validateResult(rel, stableJson(r)).some((p) => p.startsWith("stale")));
});

Deno.test("committed engine bench files have one complete row per case and backend", () => {
  const benches = listFiles(`${RESULTS}engine`).filter((f) =>
    /^bench\.[a-z]+\.v\d+\.json$/.test(f)
  );
  for (const f of benches) {
    const b = JSON.parse(Deno.readTextFileSync(`${RESULTS}engine/${f}`));
    assert.ok(Number.isInteger(b.cores) && b.cores > 0, `${f}: cores`);
    assert.equal(typeof b.provenance?.commit, "string", `${f}: provenance`);
    const cases = new Set<string>();
    for (const r of b.rows) {
      cases.add(r.case);
      assert.equal(typeof r.backend, "string", `${f}: backend`);
      assert.ok(r.msMedian > 0, `${f}: ${r.case}/${r.backend} msMedian`);
      assert.ok(r.gflops === null || r.gflops > 0, `${f}: gflops`);
      for (const k of ["peerMsMedian", "ratioToPeer"]) assert.ok(k in r, `${f}: ${k}`);
    }
    for (const c of ["matmul1024", "lstmStep", "convLstmStep"]) {
      assert.ok(cases.has(c), `${f}: ${c}`);
    }
    assert.equal(
      stableJson(b),
      Deno.readTextFileSync(`${RESULTS}engine/${f}`),
      `${f}: stable form`,
    );
  }
});

function committed(paperId: string, experiment: string): ResultFile | null {
  const paper = PAPERS.find((p) => p.id === paperId)!;
  const exp = paper.experiments.find((e) => e.id === experiment)!;
  try {
    const text = Deno.readTextFileSync(
      `${RESULTS}${paperId}/${exp.id}.default.v${exp.version}.json`,
    );
    return JSON.parse(text) as ResultFile;
  } catch {
    return null;
  }
}

Deno.test("every known-gap and evidence template names fields the committed results have", () => {
  const problems: string[] = [];
  for (const p of PAPERS) {
    for (const r of p.published.records) {
      const res = r.knownGap ? committed(p.id, r.experiment) : null;
      if (!res) continue;
      const { missing } = renderTemplate(r.knownGap!, res);
      if (missing.length) {
        problems.push(`${p.id}/${r.experiment}/${r.metric}: ${missing.join(", ")}`);
      }
    }
    const all = Object.fromEntries(
      p.experiments.map((e) => [e.id, committed(p.id, e.id)]).filter(([, r]) => r !== null),
    );
    for (const c of p.published.claims ?? []) {
      for (const t of c.evidence ?? []) {
        const { missing } = renderTemplate(t, all);
        if (missing.length) problems.push(`${p.id} claim ${c.id}: ${missing.join(", ")}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("committed results whose code changed since are reported as stale (not a failure)", async () => {
  const stale: string[] = [];
  for (const rel of resultFiles()) {
    const r = JSON.parse(Deno.readTextFileSync(`${RESULTS}${rel}`)) as ResultFile;
    const s = staleness(r, await experimentCodeHash(r.paper, r.experiment));
    if (s.stale) stale.push(`${rel}: ${s.reason}`);
  }
  // Reported, not failed: committed results are rerun from a clean checkout at the end.
  if (stale.length) {
    console.warn(`${stale.length} stale committed result(s):\n  ${stale.join("\n  ")}`);
  }
  // The check itself must be able to see a change: a recorded hash that differs is stale.
  const rel = resultFiles()[0];
  if (!rel) return;
  const r = JSON.parse(Deno.readTextFileSync(`${RESULTS}${rel}`)) as ResultFile;
  const now = await experimentCodeHash(r.paper, r.experiment);
  assert.ok(now, `${rel}: its experiment module has a code hash`);
  assert.equal(staleness({ ...r, code: now }, now).stale, false);
  const old = { hash: "0".repeat(16), files: { ...now.files, "gone.ts": "0".repeat(16) } };
  assert.equal(staleness({ ...r, code: old }, now).stale, true);
});

Deno.test("the committed SAM training bench has every model, both paths and clean provenance", () => {
  const b = JSON.parse(Deno.readTextFileSync(`${RESULTS}sam/bench.default.v1.json`));
  assert.equal(b.provenance.dirty, false);
  assert.deepEqual(
    b.rows.map((r: { model: string }) => r.model).sort(),
    ["dam", "lstm", "ntm", "sam_ann", "sam_linear"],
  );
  for (const r of b.rows) {
    assert.ok(r.old.episodesPerSecond > 0 && r.new.episodesPerSecond > 0, r.model);
    assert.ok(r.ratioMin <= r.ratioMedian && r.ratioMedian <= r.ratioMax, r.model);
  }
});
