/**
 * Text templates filled in from a result file, so that a reason or a note quotes the run it
 * explains instead of a number that goes stale: `{config.steps} Adam steps of batch
 * {config.batch}` becomes "3,400 Adam steps of batch 16".
 *
 * A field is a dotted path into the JSON (`config.steps`, `metrics.testNelboNats.mean`,
 * `samples.cells.done`); a segment may pick an array element by index (`rows.0`) or by a field
 * (`rows[method=bptt]`). Numbers are formatted compactly (integers with thousands separators);
 * arrays of numbers are joined with ", ".
 * @module
 */

/** The text with every field filled in, and the fields the data lacks. */
export interface Rendered {
  text: string;
  missing: string[];
}

const FIELD = /\{([A-Za-z_][\w.=\[\]-]*)\}/g;

/** The field paths a template names. */
export function templateFields(template: string): string[] {
  return [...template.matchAll(FIELD)].map((m) => m[1]!);
}

function segments(path: string): string[] {
  return path.split(/\.(?![^\[]*\])/).flatMap((s) => {
    const m = s.match(/^([^\[]+)(\[[^\]]+\])$/);
    return m ? [m[1]!, m[2]!] : [s];
  });
}

/** The value at a field path, or undefined. */
export function lookup(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const seg of segments(path)) {
    if (cur === null || typeof cur !== "object") return undefined;
    const pick = seg.match(/^\[([^=\]]+)=([^\]]*)\]$/);
    if (pick) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((e) =>
        e !== null && typeof e === "object" &&
        String((e as Record<string, unknown>)[pick[1]!]) === pick[2]
      );
    } else {
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** Format a value for prose. */
export function formatValue(v: unknown): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
    return String(Number(v.toPrecision(4)));
  }
  if (Array.isArray(v)) return v.map(formatValue).join(", ");
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** Fill in a template from `data`; a missing field renders as `‹path: missing›`. */
export function renderTemplate(template: string, data: unknown): Rendered {
  const missing: string[] = [];
  const text = template.replace(FIELD, (_, path: string) => {
    const v = lookup(data, path);
    if (v === undefined || v === null) {
      missing.push(path);
      return `‹${path}: missing›`;
    }
    return formatValue(v);
  });
  return { text, missing };
}
