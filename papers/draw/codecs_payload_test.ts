import assert from "node:assert/strict";
import {
  avifPayloadBytes,
  j2kPayloadBytes,
  jpegPayloadBytes,
  webpPayloadBytes,
} from "./codecs_payload.ts";

const bytes = (...parts: (number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => [...p]));
const seg = (
  marker: number,
  body: number[],
) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
const filler = (n: number, v = 0x11) => Array.from({ length: n }, () => v);

Deno.test("jpegPayloadBytes() counts every scan's coded bytes and no marker or header", () => {
  // SOI, APP0, DQT, SOF2, DHT, SOS + 7 coded bytes (one stuffed FF00, one RST0), DHT, SOS + 5, EOI
  const file = bytes(
    [0xff, 0xd8],
    seg(0xe0, filler(14)),
    seg(0xdb, filler(65)),
    seg(0xc2, filler(9)),
    seg(0xc4, filler(30)),
    seg(0xda, filler(8)),
    [1, 2, 0xff, 0x00, 3, 0xff, 0xd0, 4, 5],
    seg(0xc4, filler(20)),
    seg(0xda, filler(6)),
    [6, 7, 8, 9, 10],
    [0xff, 0xd9],
  );
  assert.equal(jpegPayloadBytes(file), 7 + 5);
  assert.throws(() => jpegPayloadBytes(file.slice(0, file.length - 2)), /ends/);
});

Deno.test("j2kPayloadBytes() counts the bodies of every tile-part, headers excluded", () => {
  const sot = (
    psot: number,
  ) => [
    0xff,
    0x90,
    0,
    10,
    0,
    0,
    psot >>> 24,
    (psot >> 16) & 255,
    (psot >> 8) & 255,
    psot & 255,
    0,
    2,
  ];
  const part1 = [...sot(12 + 6 + 2 + 9), ...seg(0x64, filler(2)), 0xff, 0x93, ...filler(9, 0x22)];
  const part2 = [...sot(0), 0xff, 0x93, ...filler(4, 0x33)];
  const file = bytes([0xff, 0x4f], seg(0x51, filler(39)), seg(0x52, filler(10)), part1, part2, [
    0xff,
    0xd9,
  ]);
  assert.equal(j2kPayloadBytes(file), 9 + 4);
});

Deno.test("webpPayloadBytes() counts the VP8 chunk less its 10-byte frame header", () => {
  const le = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const vp8 = [...ascii("VP8 "), ...le(10 + 37), ...filler(10), ...filler(37, 0x44), 0];
  const exif = [...ascii("EXIF"), ...le(3), 1, 2, 3, 0];
  const body = [...ascii("WEBP"), ...exif, ...vp8];
  assert.equal(webpPayloadBytes(bytes(ascii("RIFF"), le(body.length), body)), 37);
});

Deno.test("avifPayloadBytes() counts the primary item's frame OBU payloads only", () => {
  const be = (n: number, k: number) =>
    Array.from({ length: k }, (_, i) => (n >>> (8 * (k - 1 - i))) & 255);
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const box = (
    type: string,
    body: number[],
  ) => [...be(body.length + 8, 4), ...ascii(type), ...body];
  // item 1's data: temporal delimiter, sequence header (9), frame OBU (23 payload bytes, 2-byte leb128 size? no: 1)
  const obu = (type: number, payload: number[]) => [type << 3 | 2, payload.length, ...payload];
  const item = [
    ...obu(2, []),
    ...obu(1, filler(9)),
    ...obu(6, filler(23, 0x55)),
    ...obu(15, filler(4)),
  ];
  const other = filler(11, 0x66); // item 2 (not primary)
  const ftyp = box("ftyp", ascii("avifmif1"));
  const pitm = box("pitm", [0, 0, 0, 0, ...be(1, 2)]);
  const hdlr = box("hdlr", filler(25, 0));
  const ilocLen = 8 + 4 + 2 + 2 + 2 * (2 + 2 + 2 + 4 + 4);
  const metaLen = 8 + 4 + hdlr.length + pitm.length + ilocLen;
  const mdatStart = ftyp.length + metaLen + 8;
  const iloc = box("iloc", [
    0,
    0,
    0,
    0,
    0x44,
    0x00,
    ...be(2, 2),
    ...be(2, 2),
    ...be(0, 2),
    ...be(1, 2),
    ...be(mdatStart + item.length, 4),
    ...be(other.length, 4),
    ...be(1, 2),
    ...be(0, 2),
    ...be(1, 2),
    ...be(mdatStart, 4),
    ...be(item.length, 4),
  ]);
  assert.equal(iloc.length, ilocLen);
  const meta = box("meta", [0, 0, 0, 0, ...hdlr, ...pitm, ...iloc]);
  const file = bytes(ftyp, meta, box("mdat", [...item, ...other]));
  assert.equal(avifPayloadBytes(file), 23);
});
