/**
 * Payload bytes of encoded image files: the entropy-coded data only, every header and marker
 * excluded, one parser per format. At 28×28 the headers are as large as the paper's lowest
 * budgets, so the rate–distortion comparison counts these bytes (and whole files beside them).
 *
 * - JPEG: the bytes of every scan (SOS segment end to the next marker that is not RSTn), up to
 *   EOI; RST markers are not counted, stuffed zero bytes are (they are part of the coded data).
 * - JPEG 2000 (raw J2K codestream): the bodies of every tile-part (SOD marker end to the tile-part
 *   end given by Psot, or to EOC when Psot = 0).
 * - WebP (lossy): the `VP8 ` chunk's data less its 10-byte uncompressed frame header (frame tag,
 *   start code, dimensions); both bool-coded partitions are counted.
 * - AVIF: the primary item's AV1 data (found through `pitm` and `iloc`), counting the payloads of
 *   its frame, frame-header and tile-group OBUs; sequence headers, temporal delimiters, metadata,
 *   padding and every OBU header and size field are left out.
 *
 * @module
 */

function reader(file: Uint8Array, format: string) {
  const at = (k: number): number => {
    const b = file[k];
    if (b === undefined) {
      throw new Error(`${format}: file ends at byte ${file.length}, reading ${k}`);
    }
    return b;
  };
  const be = (k: number, n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + at(k + i);
    return v;
  };
  return { at, be };
}

/** Entropy-coded bytes of a baseline or progressive JPEG (every scan, RST markers excluded). */
export function jpegPayloadBytes(file: Uint8Array): number {
  const { at, be } = reader(file, "JPEG");
  if (at(0) !== 0xff || at(1) !== 0xd8) throw new Error("JPEG: no SOI marker");
  let payload = 0;
  let scans = 0;
  let i = 2;
  for (;;) {
    if (at(i) !== 0xff) throw new Error(`JPEG: expected a marker at byte ${i}`);
    const marker = at(i + 1);
    if (marker === 0xff) { // fill byte before a marker
      i++;
      continue;
    }
    if (marker === 0xd9) {
      if (scans === 0) throw new Error("JPEG: EOI before any SOS");
      return payload;
    }
    const len = be(i + 2, 2);
    i += 2 + len;
    if (marker !== 0xda) continue;
    scans++;
    // entropy-coded data up to the next marker other than RSTn (FF00 is a stuffed byte)
    for (;;) {
      const b = at(i);
      if (b !== 0xff) {
        payload++;
        i++;
        continue;
      }
      const next = at(i + 1);
      if (next === 0x00) {
        payload += 2;
        i += 2;
      } else if (next >= 0xd0 && next <= 0xd7) i += 2;
      else break;
    }
  }
}

/** Tile-part body bytes of a raw J2K codestream (SOC … EOC). */
export function j2kPayloadBytes(file: Uint8Array): number {
  const { at, be } = reader(file, "J2K");
  if (be(0, 2) !== 0xff4f) throw new Error("J2K: no SOC marker");
  let i = 2;
  let payload = 0;
  let tileParts = 0;
  for (;;) {
    const marker = be(i, 2);
    if (marker === 0xffd9) {
      if (tileParts === 0) throw new Error("J2K: EOC before any tile-part");
      return payload;
    }
    if (at(i) !== 0xff) throw new Error(`J2K: expected a marker at byte ${i}`);
    if (marker !== 0xff90) { // a main-header marker segment
      i += 2 + be(i + 2, 2);
      continue;
    }
    const start = i;
    const psot = be(i + 6, 4);
    i += 2 + be(i + 2, 2);
    while (be(i, 2) !== 0xff93) i += 2 + be(i + 2, 2); // tile-part header segments
    const bodyStart = i + 2;
    let end: number;
    if (psot === 0) {
      if (be(file.length - 2, 2) !== 0xffd9) throw new Error("J2K: Psot = 0 without a final EOC");
      end = file.length - 2;
    } else end = start + psot;
    if (end < bodyStart || end > file.length) throw new Error(`J2K: tile-part ends at ${end}`);
    payload += end - bodyStart;
    tileParts++;
    i = end;
  }
}

/** Bool-coded partition bytes of a lossy WebP (`VP8 ` chunk less its 10-byte frame header). */
export function webpPayloadBytes(file: Uint8Array): number {
  const { at, be } = reader(file, "WebP");
  const fourcc = (k: number) => String.fromCharCode(at(k), at(k + 1), at(k + 2), at(k + 3));
  if (fourcc(0) !== "RIFF" || fourcc(8) !== "WEBP") throw new Error("WebP: no RIFF/WEBP header");
  const le32 = (k: number) => at(k) + 256 * (at(k + 1) + 256 * (at(k + 2) + 256 * at(k + 3)));
  void be;
  let i = 12;
  while (i + 8 <= file.length) {
    const size = le32(i + 4);
    if (fourcc(i) === "VP8 ") {
      if (size < 10) throw new Error(`WebP: VP8 chunk of ${size} bytes`);
      return size - 10;
    }
    if (fourcc(i) === "VP8L") throw new Error("WebP: lossless (VP8L) file, no lossy payload");
    i += 8 + size + (size & 1);
  }
  throw new Error("WebP: no VP8 chunk");
}

interface Box {
  type: string;
  start: number; // of the box's content
  end: number;
}

function boxes(file: Uint8Array, from: number, to: number): Box[] {
  const { at, be } = reader(file, "AVIF");
  const out: Box[] = [];
  let i = from;
  while (i + 8 <= to) {
    let size = be(i, 4);
    const type = String.fromCharCode(at(i + 4), at(i + 5), at(i + 6), at(i + 7));
    let header = 8;
    if (size === 1) {
      size = be(i + 8, 8);
      header = 16;
    } else if (size === 0) size = to - i;
    if (size < header || i + size > to) throw new Error(`AVIF: box ${type} at ${i} overruns`);
    out.push({ type, start: i + header, end: i + size });
    i += size;
  }
  return out;
}

/** Byte ranges `[offset, length]` of the primary item's data, from `pitm` and `iloc`. */
function primaryItemExtents(file: Uint8Array): [number, number][] {
  const { at, be } = reader(file, "AVIF");
  const meta = boxes(file, 0, file.length).find((b) => b.type === "meta");
  if (!meta) throw new Error("AVIF: no meta box");
  const children = boxes(file, meta.start + 4, meta.end); // meta is a full box
  const pitm = children.find((b) => b.type === "pitm");
  const iloc = children.find((b) => b.type === "iloc");
  if (!pitm || !iloc) throw new Error("AVIF: no pitm or iloc box");
  const primary = at(pitm.start) === 0 ? be(pitm.start + 4, 2) : be(pitm.start + 4, 4);
  const version = at(iloc.start);
  let k = iloc.start + 4;
  const offsetSize = at(k) >> 4, lengthSize = at(k) & 15;
  const baseSize = at(k + 1) >> 4, indexSize = version > 0 ? at(k + 1) & 15 : 0;
  k += 2;
  const count = version < 2 ? be(k, 2) : be(k, 4);
  k += version < 2 ? 2 : 4;
  for (let n = 0; n < count; n++) {
    const id = version < 2 ? be(k, 2) : be(k, 4);
    k += version < 2 ? 2 : 4;
    let method = 0;
    if (version > 0) {
      method = be(k, 2) & 15;
      k += 2;
    }
    k += 2; // data_reference_index
    const base = be(k, baseSize);
    k += baseSize;
    const extents = be(k, 2);
    k += 2;
    const ranges: [number, number][] = [];
    for (let e = 0; e < extents; e++) {
      k += indexSize;
      const off = be(k, offsetSize);
      k += offsetSize;
      const len = be(k, lengthSize);
      k += lengthSize;
      ranges.push([base + off, len]);
    }
    if (id === primary) {
      if (method !== 0) throw new Error(`AVIF: primary item uses construction method ${method}`);
      return ranges;
    }
  }
  throw new Error(`AVIF: primary item ${primary} not in iloc`);
}

/** AV1 OBU types whose payload is coded image data (frame header, tile group, frame). */
const CODED_OBUS = new Set([3, 4, 6]);

/** Coded bytes of an AVIF's primary item: payloads of its frame, frame-header and tile-group OBUs. */
export function avifPayloadBytes(file: Uint8Array): number {
  const { at } = reader(file, "AVIF");
  let payload = 0;
  let coded = 0;
  for (const [off, len] of primaryItemExtents(file)) {
    if (off + len > file.length) throw new Error(`AVIF: item extent ends past the file`);
    let i = off;
    while (i < off + len) {
      const h = at(i);
      const type = (h >> 3) & 15;
      const ext = (h >> 2) & 1, hasSize = (h >> 1) & 1;
      i += 1 + ext;
      let size = 0;
      if (hasSize) {
        for (let shift = 0;; shift += 7) {
          const b = at(i++);
          size += (b & 127) * 2 ** shift;
          if (!(b & 128)) break;
        }
      } else size = off + len - i;
      if (i + size > off + len) throw new Error(`AVIF: OBU at ${i} overruns its item`);
      if (CODED_OBUS.has(type)) {
        payload += size;
        coded++;
      }
      i += size;
    }
  }
  if (coded === 0) throw new Error("AVIF: no frame OBU in the primary item");
  return payload;
}
