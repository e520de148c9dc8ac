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

/**
 * A {@link Jsonable} value as {@link Json}: an interface lacks the index signature `Json`'s
 * object form needs, while `Jsonable` has already checked each of its fields.
 */
export function jsonValue<T extends Jsonable<T>>(value: T): Json {
  return value as unknown as Json;
}

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
  /** Valid values of every config field (see {@link FieldLimit}). */
  limits?: Limits<C>;
  /**
   * Check one cell's output against the cell and config, and count the samples it holds; a
   * checkpoint that fails is discarded and rerun, and the result's `samples` add these up.
   */
  inspect?(config: C, cell: CellSpec<P>, output: Json): CellInspection;
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

/**
 * What a published number is, which decides what verdict it can get:
 * - `paper-measured`: a number the paper reports from its own runs (text or table);
 * - `read-off-plot`: a number read off one of the paper's figures (±30% or so);
 * - `hardware-bound`: an absolute time or size that depends on the paper's machine: shown for
 *   context, never given a pass/fail verdict;
 * - `computed-from-model`: a number computed from the paper's model by an independent
 *   implementation (not printed in the paper);
 * - `project-target`: a target this project set itself; reported in its own section and never
 *   counted as a reproduction.
 */
export type RecordKind =
  | "paper-measured"
  | "read-off-plot"
  | "hardware-bound"
  | "computed-from-model"
  | "project-target";

/** All record kinds. */
export const RECORD_KINDS: readonly RecordKind[] = [
  "paper-measured",
  "read-off-plot",
  "hardware-bound",
  "computed-from-model",
  "project-target",
];

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
  /** What the number is; decides which verdicts it can get (see {@link RecordKind}). */
  kind: RecordKind;
  /** Allowed deviation for "within tolerance". */
  tolerance: { rel?: number; abs?: number };
  /**
   * True when ours being better than published beyond the tolerance counts as reproduced (the
   * claim is a bound: "at most 7.8 MiB", "one third more time at most"). Otherwise a better
   * value is shown as "better than published" and not counted.
   */
  betterIsPass?: boolean;
  /**
   * True for a timing ratio that a single measurement cannot decide on a shared machine: the
   * metric must be an interval (`{median, lo, hi, rounds, level}`), else the verdict is
   * "inconclusive (noise)".
   */
  needsInterval?: boolean;
  /** What the number is, in words (shown in the report). */
  label?: string;
  /**
   * Set when we knowingly cannot match it; shown as "known gap". A template: `{config.steps}`,
   * `{metrics.params}`, `{metrics.rows[method=bptt].peakBytes}` are filled in from the result
   * file, so the reason quotes the run it explains.
   */
  knownGap?: string;
  /** True when only published (no data/hardware to run it here). */
  publishedOnly?: string;
}

/** A reference from a claim to the published records (and so the result rows) that test it. */
export interface ClaimTest {
  experiment: string;
  metric: string;
  /** Picks one record when several share the metric (e.g. one per published model). */
  label?: string;
}

/** One of the paper's own claims, quoted, with what tests it. */
export interface Claim {
  /** Short stable id, e.g. `"speed-1000x"`. */
  id: string;
  /** The claim in a few words. */
  claim: string;
  /** The paper's words. */
  quote: string;
  /** Where the quote is: `"abstract"`, `"§4.1"`, ... */
  source: string;
  /** Trust tag of the quote (as in the paper notes). */
  tag: string;
  /** Records whose rows test the claim; empty when nothing here tests it. */
  tests: ClaimTest[];
  /** Which part of the claim the tests cover, when they cover only a part. */
  scope?: string;
  /** Measured context shown beside the verdict: templates over `<experiment>.config.x` etc. */
  evidence?: string[];
  /** Set when no experiment here tests it yet: the verdict is "not run: <this>". */
  notRun?: string;
  /** Set when it cannot be tested here: the verdict is "cannot run here: <this>". */
  cannotRun?: string;
}

/** `papers/<id>/published.json`. */
export interface PublishedFile {
  paper: string;
  /** The paper's own claims, each linked to the records that test it. */
  claims?: Claim[];
  records: PublishedRecord[];
}

/** Hash of the source files an experiment runs, recorded in its result file. */
export interface CodeHash {
  /** sha256 over the sorted (path, file hash) list. */
  hash: string;
  /** Repo-relative path → first 16 hex digits of the file's sha256. */
  files: Record<string, string>;
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
  /** Hash of the experiment's source files when it ran (absent in files written before). */
  code?: CodeHash;
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
