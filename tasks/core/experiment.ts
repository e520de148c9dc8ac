/**
 * The contract every reproduced experiment satisfies, and the shapes of what the harness writes.
 *
 * An experiment is split into *cells*: deterministic units of work (one seed of one model at one
 * size, say). The harness plans the cells, runs the ones this shard owns, checkpoints each
 * finished cell atomically (so a killed run resumes), and finally hands every cell's output to
 * `summarize`, which turns them into metrics and figures.
 *
 * @module
 */
import type { LinePlotSpec } from "./figure.ts";

/** The three scales every experiment can run at. */
export type ProfileName = "smoke" | "default" | "paper";

/** All profile names, in increasing scale. */
export const PROFILES: readonly ProfileName[] = ["smoke", "default", "paper"];

/** A value a config field may hold. `--set key=value` is parsed to the type of the default. */
export type ConfigValue = number | string | boolean | number[] | string[];

/** A flat, fully resolved experiment configuration. */
export type Config = Record<string, ConfigValue>;

/** Any JSON value (what cell outputs and metrics are made of). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One deterministic unit of work. `id` is unique within the experiment and stable across runs. */
export interface CellSpec {
  /** Stable id, e.g. `"sam_ann/N=65536/seed=1"`. Used for sharding and resume. */
  id: string;
  /** Seed of this cell (positive integer), if the cell is seeded. */
  seed?: number;
  /** Free-form parameters of the cell (model, size, ...). */
  params?: Record<string, Json>;
}

/** Progress reporter handed to a running cell. */
export interface ProgressReporter {
  /** Report that `done` of `total` steps are finished; `info` is shown after the bar. */
  update(done: number, total: number, info?: string): void;
  /** Log one line (goes to stderr; kept quiet-but-logged when not on a terminal). */
  log(message: string): void;
}

/** The backend the run uses, as recorded in provenance. */
export interface BackendInfo {
  /** TF.js backend name: `"webgpu" | "wasm" | "cpu"`. */
  name: string;
  /** What was asked for on the command line (`auto` or a name). */
  requested: string;
  /** GPU adapter description for webgpu, else null. */
  adapter: string | null;
  /** Why this backend was chosen. */
  reason: string;
}

/** What a cell run gets from the harness. */
export interface CellContext {
  cell: CellSpec;
  profile: ProfileName;
  backend: BackendInfo;
  progress: ProgressReporter;
}

/** A finished cell as checkpointed and handed to `summarize`. */
export interface CellRecord {
  id: string;
  seed: number | null;
  output: Json;
  wallSeconds: number;
}

/** Mean ± std of a scalar over seeds. */
export interface SeedStat {
  mean: number;
  std: number;
  n: number;
  perSeed: number[];
}

/**
 * A figure produced by an experiment: a line-plot spec that the harness renders to
 * `<name>.svg` and `<name>.png`, or ready PNG bytes (an image grid).
 */
export interface Figure {
  /** File stem, e.g. `"figure1a_speed"`; written beside the result file. */
  name: string;
  /** Caption used in REPORT.md. */
  caption: string;
  /** A line plot, rendered by the harness. */
  plot?: LinePlotSpec;
  /** PNG bytes (an image grid). */
  png?: Uint8Array;
}

/** What `summarize` returns. */
export interface Summary {
  /** Metrics: scalars, `SeedStat`s, or any JSON (e.g. `rows: [...]`). */
  metrics: Record<string, Json | SeedStat>;
  /** Experiment-level sample counts beyond cells (e.g. episodes planned vs done). */
  samples?: Record<string, { planned: number; done: number }>;
  figures?: Figure[];
  /** Free-text notes carried into the result file and report. */
  notes?: string[];
}

/** Context for `summarize`. */
export interface SummaryContext {
  profile: ProfileName;
  backend: BackendInfo;
}

/**
 * The valid values of one config field, declared beside the profiles and checked by the harness
 * for the resolved config of every profile and every `--set`, before any work.
 */
export interface FieldLimit {
  /** Smallest allowed value (of a number, or of each element of a number list). */
  min?: number;
  /** Largest allowed value (likewise). */
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** A list must hold at least one element. */
  nonEmpty?: boolean;
  /** Most elements a list may hold. */
  maxItems?: number;
  /** List elements must be distinct. */
  distinct?: boolean;
  /** The allowed values of a string or boolean field, or of each element of a list. */
  oneOf?: readonly (string | number | boolean)[];
}

/** One {@link FieldLimit} per config field. */
export type Limits<C extends Config = Config> = { readonly [K in keyof C]-?: FieldLimit };

/** What an experiment says about a finished cell's output (fresh or from a checkpoint). */
export interface CellInspection {
  /** Why the output does not fit this cell under this config, or null when it fits. */
  problem: string | null;
  /** Samples the output holds and the config plans, e.g. `{ episodes: { planned, done } }`. */
  samples?: Record<string, { planned: number; done: number }>;
}

/** One reproduced table/figure of a paper. */
export interface Experiment<C extends Config = Config> {
  /** snake_case id, unique within the paper, equal to its file name. */
  id: string;
  /** Bump on any change that can move a reported number (new result file name). */
  version: number;
  /** One-line human title. */
  title: string;
  /** What of the paper this reproduces, e.g. `"Figure 1a"`. */
  reproduces: string;
  /** Configs of the three profiles; smoke ⊂ default ⊂ paper in scale. */
  profiles: Readonly<Record<ProfileName, Readonly<C>>>;
  /** Default seeds per profile (positive integers). */
  seeds: Readonly<Record<ProfileName, readonly number[]>>;
  /** Deterministic list of cells for a config and seeds. */
  cells(config: C, seeds: readonly number[]): CellSpec[];
  /** Run one cell; returns JSON output that is checkpointed. */
  run(config: C, ctx: CellContext): Promise<Json>;
  /** Turn all cells' outputs into metrics and figures. */
  summarize(config: C, cells: CellRecord[], ctx: SummaryContext): Summary | Promise<Summary>;
  /** Valid values of every config field (see {@link FieldLimit}). */
  limits?: Limits<C>;
  /**
   * Check one cell's output against the cell and config, and count the samples it holds; a
   * checkpoint that fails is discarded and rerun, and the result's `samples` add these up.
   */
  inspect?(config: C, cell: CellSpec, output: Json): CellInspection;
}

/** A paper: its id, citation, and its experiments. */
export interface Paper {
  /** Folder name under `papers/`: `"sam" | "bptt" | "draw"`. */
  id: string;
  title: string;
  /** e.g. `"arXiv:1610.09027"`. */
  arxiv: string;
  // deno-lint-ignore no-explicit-any
  experiments: readonly Experiment<any>[];
  /** Published numbers (parsed `published.json`). */
  published: PublishedFile;
}

/** Direction of a metric: which way is better. `none` = should match. */
export type Direction = "higher" | "lower" | "none";

/** One published number with provenance. */
export interface PublishedRecord {
  experiment: string;
  /** Key in the result's `metrics` (a scalar or a SeedStat). */
  metric: string;
  value: number;
  unit: string;
  direction: Direction;
  /** Where it comes from, e.g. `"arXiv:1610.09027v1 Figure 1a, read off the plot ±30%"`. */
  source: string;
  /** Trust tag from the notes: `[text]`, `[fig≈]`, `[recalled]`, `[derived]`, ... */
  tag: string;
  /** Allowed deviation for "within tolerance". */
  tolerance: { rel?: number; abs?: number };
  /** What the number is, in words (shown in the report). */
  label?: string;
  /** Set when we knowingly cannot match it; shown as "known gap". */
  knownGap?: string;
  /** True when only published (no data/hardware to run it here). */
  publishedOnly?: string;
}

/** `papers/<id>/published.json`. */
export interface PublishedFile {
  paper: string;
  records: PublishedRecord[];
}

/** Current result file schema version. */
export const RESULT_SCHEMA = 1;

/** `results/<paper>/<experiment>.<profile>.v<version>.json`. */
export interface ResultFile {
  schema: number;
  paper: string;
  experiment: string;
  experimentVersion: number;
  title: string;
  reproduces: string;
  profile: ProfileName;
  config: Config;
  seeds: number[];
  metrics: Record<string, Json>;
  samples: Record<string, { planned: number; done: number }>;
  /** Figures written beside the result file (file names relative to it). */
  figures: FigureRef[];
  notes: string[];
  provenance: Provenance;
}

/** A written figure, as listed in a result file. */
export interface FigureRef {
  name: string;
  caption: string;
  svg: string | null;
  png: string | null;
}

/** Where and how a result was produced. Written, never compared. */
export interface Provenance {
  commit: string;
  dirty: boolean;
  deno: string;
  v8: string;
  tfjs: string;
  backend: BackendInfo;
  backendVersion: string;
  os: string;
  cpus: number;
  cpuModel: string;
  startedAt: string;
  wallSeconds: number;
  command: string;
  shards?: string[];
}
