/**
 * Memory-efficient BPTT planner CLI (Gruslys et al. 2016).
 *
 *   deno task bptt plan --t 1000 --memory 50 --strategy hsm
 *   deno task bptt plan --t 1000 --memory 250 --strategy msm --alpha 5 --json [--exact]
 *
 * Memory is in hidden-state units and counts the slot of `h_0`; cost is forward ops including
 * the first pass. Invalid input (a repeated flag, a non-decimal number, t, memory or alpha beyond
 * {@link PLANNER_LIMITS}) prints one `error: ...` line and exits with code 2.
 *
 * @module
 */

import { parseStrict } from "./harness/args.ts";
import { formatOps, plan, type Strategy, validatePlanRequest } from "../papers/bptt/mod.ts";

const USAGE =
  "usage: deno task bptt plan --t T --memory M --strategy hsm|ism|msm [--alpha A] [--json] [--exact]";

/**
 * What the planner solves within about a second and half a gigabyte on one core (measured:
 * t = 100,000 with memory 30,000, MSM, alpha 5: 0.5 s, 0.17 GB; HSM at t = 10^6 takes 8 s and
 * 1.3 GB, so larger t is refused).
 */
export const PLANNER_LIMITS = { t: 100_000, memory: 100_000, alpha: 100 } as const;

/** Parse a strict positive decimal integer option within the planner's limit. */
function intOption(
  name: keyof typeof PLANNER_LIMITS,
  value: string | undefined,
  fallback?: number,
): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new RangeError(`missing --${name}`);
  }
  if (!/^[0-9]+$/.test(value)) throw new RangeError(`--${name} must be an integer, got "${value}"`);
  const max = PLANNER_LIMITS[name];
  if (value.replace(/^0+/, "").length > String(max).length || Number(value) > max) {
    throw new RangeError(
      `--${name} ${value} is above the planner's limit of ${max} (what it solves in about a ` +
        `second and half a gigabyte)`,
    );
  }
  return Number(value);
}

/**
 * Run the CLI.
 *
 * @param args command-line arguments
 * @returns exit code
 */
export function main(args: string[]): number {
  try {
    const { values, positionals } = parseStrict(args, {
      t: { type: "string" },
      memory: { type: "string" },
      strategy: { type: "string" },
      alpha: { type: "string" },
      json: { type: "boolean" },
      exact: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== "plan") {
      throw new RangeError(`expected the subcommand "plan"; ${USAGE}`);
    }
    const req = {
      t: intOption("t", values.t),
      memory: intOption("memory", values.memory),
      strategy: (values.strategy ?? "") as Strategy,
      alpha: intOption("alpha", values.alpha, 1),
      exact: values.exact ?? false,
    };
    if (values.strategy === undefined) throw new RangeError("missing --strategy (hsm|ism|msm)");
    validatePlanRequest(req);
    const p = plan(req);
    const ops = formatOps(p.ops);
    if (values.json) {
      console.log(JSON.stringify({
        t: p.t,
        memory: p.memory,
        strategy: p.strategy,
        alpha: p.alpha,
        exact: p.exact,
        cost: p.cost,
        peakMemory: p.peakMemory,
        ops,
      }));
    } else {
      console.log(
        `BPTT-${p.strategy.toUpperCase()}${
          p.exact ? " (exact form)" : ""
        }: t = ${p.t}, memory = ${p.memory} units (incl. h0), alpha = ${p.alpha}`,
      );
      console.log(`cost        ${p.cost} forward ops (incl. the first pass)`);
      console.log(`cost/step   ${(p.cost / p.t).toFixed(4)}`);
      console.log(`peak memory ${p.peakMemory} units`);
      console.log(`policy      ${ops.join(" ")}`);
    }
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(main(Deno.args));
