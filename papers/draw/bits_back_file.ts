/**
 * The compressed-file format of the bits-back codec (little-endian):
 * ```
 * "CDBB"            magic (4 bytes)
 * u8 version (1), u8 latentBits, u8 posteriorBits, u8 pixelBits
 * u16 height, u16 width, u32 images, u32 initial-bits seed, u32 weight checksum (FNV-1a)
 * u16 key length, key (UTF-8): the model's weight-cache key
 * the ANS message (ans.ts messageBytes: 6-byte head, u32 word count, 16-bit words)
 * ```
 *
 * @module
 */
import { type AnsMessage, MAX_PRECISION, messageBytes, parseMessage } from "./ans.ts";
import type { CodecPrecision } from "./bits_back_codecs.ts";
import type { ConvDraw } from "./conv_draw.ts";

const MAGIC = "CDBB";
const VERSION = 1;

/** Everything a decoder needs besides the model's weights. */
export interface BitsBackHeader {
  precision: CodecPrecision;
  height: number;
  width: number;
  images: number;
  seed: number;
  /** FNV-1a of the model's float32 weights (see {@link weightChecksum}). */
  checksum: number;
  /** Weight-cache key of the model. */
  modelKey: string;
}

/** FNV-1a (32-bit) over the model's float32 weights, variable by variable in role order. */
export function weightChecksum(model: ConvDraw): number {
  let h = 0x811c9dc5;
  for (const v of Object.values(model.vars)) {
    const bytes = new Uint8Array((v.dataSync() as Float32Array).slice().buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h;
}

/** Serialise a header and message. */
export function fileBytes(h: BitsBackHeader, m: AnsMessage): Uint8Array {
  const key = new TextEncoder().encode(h.modelKey);
  const msg = messageBytes(m);
  const head = new Uint8Array(26 + key.length);
  const dv = new DataView(head.buffer);
  head.set(new TextEncoder().encode(MAGIC), 0);
  dv.setUint8(4, VERSION);
  dv.setUint8(5, h.precision.latentBits);
  dv.setUint8(6, h.precision.posteriorBits);
  dv.setUint8(7, h.precision.pixelBits);
  dv.setUint16(8, h.height, true);
  dv.setUint16(10, h.width, true);
  dv.setUint32(12, h.images, true);
  dv.setUint32(16, h.seed, true);
  dv.setUint32(20, h.checksum, true);
  dv.setUint16(24, key.length, true);
  head.set(key, 26);
  const out = new Uint8Array(head.length + msg.length);
  out.set(head, 0);
  out.set(msg, head.length);
  return out;
}

/** Bytes of the header alone (everything before the ANS message). */
export function headerBytes(h: BitsBackHeader): number {
  return 26 + new TextEncoder().encode(h.modelKey).length;
}

/** Parse {@link fileBytes}; throws a RangeError naming what is wrong. */
export function parseFile(b: Uint8Array): { header: BitsBackHeader; message: AnsMessage } {
  if (b.length < 26 || new TextDecoder().decode(b.subarray(0, 4)) !== MAGIC) {
    throw new RangeError("not a conv DRAW bits-back file (bad magic)");
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint8(4) !== VERSION) throw new RangeError(`unsupported version ${dv.getUint8(4)}`);
  const precision = {
    latentBits: dv.getUint8(5),
    posteriorBits: dv.getUint8(6),
    pixelBits: dv.getUint8(7),
  };
  const { latentBits: lb, posteriorBits: pb, pixelBits: xb } = precision;
  if (lb < 1 || pb > MAX_PRECISION || pb < lb + 1 || xb < 1 || xb > MAX_PRECISION) {
    throw new RangeError(`invalid precisions ${lb}/${pb}/${xb}`);
  }
  const keyLen = dv.getUint16(24, true);
  if (b.length < 26 + keyLen) throw new RangeError("truncated header");
  const header: BitsBackHeader = {
    precision,
    height: dv.getUint16(8, true),
    width: dv.getUint16(10, true),
    images: dv.getUint32(12, true),
    seed: dv.getUint32(16, true),
    checksum: dv.getUint32(20, true),
    modelKey: new TextDecoder().decode(b.subarray(26, 26 + keyLen)),
  };
  return { header, message: parseMessage(b.subarray(26 + keyLen)) };
}
