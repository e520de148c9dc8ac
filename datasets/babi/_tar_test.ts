import assert from "node:assert/strict";
import { untar } from "./_tar.ts";

const enc = new TextEncoder();

/** A ustar header for one entry (checksum left blank: the reader does not check it). */
function header(name: string, size: number, type = "0"): Uint8Array {
  const h = new Uint8Array(512);
  h.set(enc.encode(name.slice(0, 100)), 0);
  h.set(enc.encode(size.toString(8).padStart(11, "0")), 124);
  h.set(enc.encode(type), 156);
  h.set(enc.encode("ustar"), 257);
  return h;
}

function pad(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(b.length / 512) * 512);
  out.set(b);
  return out;
}

function archive(entries: [string, string, string?][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, text, type] of entries) {
    const body = enc.encode(text);
    parts.push(header(name, body.length, type), pad(body));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

Deno.test("untar() returns each regular file's bytes by path, skipping folders", () => {
  const files = untar(
    archive([["d/", "", "5"], ["d/a.txt", "hello"], ["d/b.txt", "x".repeat(700)]]),
  );
  assert.deepEqual([...files.keys()], ["d/a.txt", "d/b.txt"]);
  assert.equal(new TextDecoder().decode(files.get("d/a.txt")), "hello");
  assert.equal(files.get("d/b.txt")!.length, 700);
});

Deno.test("untar() takes a GNU long name and a pax path for the entry after them", () => {
  const long = `${"l".repeat(120)}.txt`;
  const files = untar(archive([
    ["././@LongLink", long, "L"],
    ["truncated", "one"],
    ["PaxHeader", `${12 + 5} path=p.txt\n`, "x"],
    ["ignored", "two"],
  ]));
  assert.deepEqual([...files.keys()], [long, "p.txt"]);
});

Deno.test("untar() names the offset of an entry cut short", () => {
  const whole = archive([["a.txt", "x".repeat(600)]]);
  assert.throws(() => untar(whole.subarray(0, 700)), /tar: entry at offset 0 is cut short/);
});
