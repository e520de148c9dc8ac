/**
 * conv DRAW's lossless bits-back codec for binary images (papers/draw/bits_back.ts):
 *
 *   deno task draw compress <png-folder | binarized_mnist:test[:N]> <file> [--model KEY] [--json]
 *   deno task draw decompress <file> <folder>
 *   deno task draw measure <png-folder | binarized_mnist:test[:N]> [--model KEY]
 *
 * `measure` compresses and decompresses in memory and prints the rates beside the model's −ELBO
 * on the same images as JSON (`bitsBackBitsPerDim`, `elboBitsPerDim`, `roundTripExact`, …).
 *
 * The model comes from the weight cache (`deno task reproduce draw` trains it); the file names
 * it. Bad input prints one `error: ...` line and exits 2 with nothing written; a fault (a file
 * that cannot be written, a corrupt file) exits 1.
 *
 * @module
 */
import { parseStrict } from "./harness/args.ts";
import { Fault, UsageError } from "./core/errors.ts";
import {
  compressCommand,
  decompressCommand,
  measureCommand,
  readyBackend,
} from "../papers/draw/mod.ts";

const USAGE = "usage: deno task draw compress <png-folder|binarized_mnist:test[:N]> <file> " +
  "[--model KEY] [--json] | deno task draw decompress <file> <folder> | " +
  "deno task draw measure <png-folder|binarized_mnist:test[:N]> [--model KEY]";

/** Run the CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseStrict(args, {
      model: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [cmd, a, b, ...rest] = positionals;
    const arity = cmd === "measure" ? 1 : 2;
    if (
      !["compress", "decompress", "measure"].includes(cmd ?? "") ||
      positionals.length !== 1 + arity || rest.length > 0
    ) {
      throw new UsageError(USAGE);
    }
    await readyBackend("cpu"); // encoder and decoder must run the same float32 kernels
    if (cmd === "measure") {
      console.log(JSON.stringify(await measureCommand(a!, { model: values.model })));
    } else if (cmd === "compress") {
      const r = await compressCommand(a!, b!, { model: values.model });
      if (values.json) console.log(JSON.stringify(r));
      else {
        console.log(
          `${r.images} images → ${b}: ${r.fileBytes} bytes, ${r.fileBitsPerDim.toFixed(4)} ` +
            `bits/dim (net of the ${r.headerBytes}-byte header and ${r.initialBits} initial ` +
            `bits: ${r.netBitsPerDim.toFixed(4)}), model ${r.modelKey}`,
        );
      }
    } else {
      if (values.model !== undefined) throw new UsageError("--model: the file names its model");
      const r = await decompressCommand(a!, b!);
      console.log(`${r.images} images → ${b}/`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message.split("\n")[0]}`);
      return 2;
    }
    if (e instanceof Fault) {
      console.error(`error: ${e.message}\nhint: ${e.hint}`);
      return 1;
    }
    console.error(`error: ${(e as Error).message?.split("\n")[0] ?? e}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
