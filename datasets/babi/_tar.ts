/**
 * A reader for (uncompressed) tar archives: ustar headers, GNU long names (`L`) and pax `path`
 * records (`x`). Enough for the bAbI release archive; gunzip it first with `gunzip` from
 * `../_files.ts` (the web-standard DecompressionStream).
 *
 * @module
 */

const dec = new TextDecoder();

function field(block: Uint8Array, at: number, len: number): string {
  const raw = block.subarray(at, at + len);
  const end = raw.indexOf(0);
  return dec.decode(end < 0 ? raw : raw.subarray(0, end));
}

function octal(block: Uint8Array, at: number, len: number, where: string): number {
  const text = field(block, at, len).trim();
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar: bad size field "${text}" at ${where}`);
  return parseInt(text, 8);
}

function paxPath(body: Uint8Array): string | undefined {
  // records: "<len> key=value\n"
  for (const rec of dec.decode(body).split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(rec);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The regular files of a tar archive, by path.
 * @throws Error naming the offset when a header or size is malformed or the archive is cut short.
 */
export function untar(bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= bytes.length) {
    const block = bytes.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break; // end of archive
    const where = `offset ${at}`;
    const size = octal(block, 124, 12, where);
    const type = String.fromCharCode(block[156] ?? 0);
    const start = at + 512;
    if (start + size > bytes.length) throw new Error(`tar: entry at ${where} is cut short`);
    const body = bytes.subarray(start, start + size);
    at = start + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = field(body, 0, body.length);
      continue;
    }
    if (type === "x") {
      longName = paxPath(body) ?? longName;
      continue;
    }
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    longName = undefined;
    if (type === "0" || type === "\0") files.set(name, body);
  }
  return files;
}
