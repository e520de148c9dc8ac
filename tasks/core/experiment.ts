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

/** Any JSON value (what metrics are made of; the default cell output). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One field of a {@link Jsonable} type: JSON, or `undefined` (an absent optional field). */
type JsonField<T> = T extends string | number | boolean | null | undefined ? T
  : T extends (...args: never[]) => unknown ? never
  : T extends readonly (infer U)[] ? readonly JsonField<U>[]
  : T extends object ? { [K in keyof T]: JsonField<T[K]> }
  : never;

/**
 * `T` with every part checked to be JSON: objects, arrays, strings, numbers, booleans, null,
 * optional fields. Constrain a type parameter with it as `O extends Jsonable<O>`: unlike
 * {@link Json}, interfaces qualify (they have no index signature); typed arrays, Dates, Maps,
 * functions and objects with methods do not. So what the checkpoints store reads back with the
 * same type (absent optional fields stay absent; as in any JSON, a NaN or ±Infinity number reads
 * back as null).
 */
export type Jsonable<T> = { [K in keyof T]: JsonField<T[K]> };

/** Cell parameters of an experiment that does not declare their type. */
export type CellParams = Record<string, Json>;

/** Cell parameters of an experiment whose cells differ only by seed (`params: {}`). */
export type NoParams = Record<string, never>;

/**
 * One deterministic unit of work. `id` is unique within the experiment and stable across runs.
 * @typeParam P the experiment's cell parameters (model, size, ...)
 */
export interface CellSpec<P extends Jsonable<P> = CellParams> {
  /** Stable id, e.g. `"sam_ann/N=65536/seed=1"`. Used for sharding and resume. */
  id: string;
  /** Seed of this cell (positive integer), if the cell is seeded. */
  seed?: number;
  /** Parameters of the cell (model, size, ...), typed by the experiment. */
  params: P;
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
export interface CellContext<P extends Jsonable<P> = CellParams> {
  cell: CellSpec<P>;
  profile: ProfileName;
  backend: BackendInfo;
  progress: ProgressReporter;
}

/**
 * A finished cell as checkpointed and handed to `summarize`.
 * @typeParam O the experiment's cell output
 */
export interface CellRecord<O extends Jsonable<O> = Json> {
  id: string;
  seed: number | null;
  output: O;
  wallSeconds: number;
}

/** Mean ± std of a scalar over seeds (a type alias, so it is also {@link Json}). */
export type SeedStat = {
  mean: number;
  std: number;
  n: number;
  perSeed: number[];
};

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
 * One reproduced table/figure of a paper.
 * @typeParam C its config (one per profile, overridable with `--set`)
 * @typeParam P the parameters of one cell (what `cells` plans and `run` reads)
 * @typeParam O the output of one cell (what `run` returns, the checkpoint stores and
 *   `summarize` reads); JSON, so a resumed run reads back what was written
 */
export interface Experiment<
  C extends Config = Config,
  P extends Jsonable<P> = CellParams,
  O extends Jsonable<O> = Json,
> {
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
  cells(config: C, seeds: readonly number[]): CellSpec<P>[];
  /** Run one cell; returns its output, which is checkpointed. */
  run(config: C, ctx: CellContext<P>): Promise<O>;
  /** Turn all cells' outputs into metrics and figures. */
  summarize(config: C, cells: CellRecord<O>[], ctx: SummaryContext): Summary | Promise<Summary>;
}

/**
 * An experiment with its types erased: what a {@link Paper} lists, so one registry holds
 * experiments of different config, cell-parameter and cell-output types. The one place the types
 * are erased; the harness takes it back to `Experiment<C, P, O>` at each call, so an experiment's
 * own `cells`, `run` and `summarize` stay typed.
 */
// deno-lint-ignore no-explicit-any
export type AnyExperiment = Experiment<any, any, any>;

/** A paper: its id, citation, and its experiments. */
export interface Paper {
  /** Folder name under `papers/`: `"sam" | "bptt" | "draw"`. */
  id: string;
  title: string;
  /** e.g. `"arXiv:1610.09027"`. */
  arxiv: string;
  experiments: readonly AnyExperiment[];
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
