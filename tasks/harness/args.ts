/**
 * Strict command-line parsing shared by the CLIs: unknown flags, a flag given twice (unless it
 * is declared `multiple`), an empty `--flag=` value and non-decimal numbers are usage errors.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../core/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `--verbose` (stack traces on faults) is accepted by every CLI. */
export const VERBOSE_OPTION = { verbose: { type: "boolean" } } as const;

/** Parse `args` strictly; throws {@link UsageError} with one line naming the problem. */
export function parseStrict<O extends Options>(args: string[], options: O) {
  const all = { ...options, ...VERBOSE_OPTION };
  let parsed;
  try {
    parsed = parseArgs({ args, options: all, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0]!;
    const flags = Object.keys(all).map((k) => `--${k}`).join(", ");
    throw new UsageError(`${msg}; valid flags: ${flags}`);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    const spec = all[t.name as keyof typeof all] as { multiple?: boolean } | undefined;
    if (!spec?.multiple && seen.has(t.name)) {
      throw new UsageError(`--${t.name} given more than once; give it once`);
    }
    seen.add(t.name);
  }
  const { values, positionals } = parsed;
  return { values, positionals };
}

/** A plain decimal number (`12`, `-0.5`, `1e-3`); hex, octal, binary, `Infinity`, `_` refused. */
export const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A plain decimal integer (`0`, `42`). */
export const DECIMAL_INTEGER = /^\d+$/;

/**
 * Validate `--out`: a non-empty path that is a directory or does not exist yet (it is created
 * when the run writes). Returns it without a trailing slash.
 */
export function checkOutDir(value: string, flag = "--out"): string {
  if (value.trim() === "") throw new UsageError(`${flag} must be a non-empty folder path`);
  const path = value.length > 1 ? value.replace(/\/+$/, "") : value;
  let info: Deno.FileInfo | null = null;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new UsageError(`${flag} ${value}: cannot be inspected (${(e as Error).message})`);
    }
  }
  if (info && !info.isDirectory) throw new UsageError(`${flag} ${value}: is a file, not a folder`);
  return path;
}
