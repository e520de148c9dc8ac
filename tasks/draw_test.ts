import assert from "node:assert/strict";
import { main } from "./draw.ts";

Deno.test("the draw codec CLI exits 2 on a missing argument, an unknown subcommand or flag", async () => {
  const err = console.error;
  const lines: string[] = [];
  console.error = (s: string) => lines.push(s);
  try {
    assert.equal(await main(["compress", "only-one-arg"]), 2);
    assert.equal(await main(["frobnicate", "a", "b"]), 2);
    assert.equal(await main(["decompress", "a", "b", "--bogus"]), 2);
    assert.equal(await main(["decompress", "a", "b", "--model", "k"]), 2);
    assert.equal(await main(["measure", "a", "b"]), 2);
  } finally {
    console.error = err;
  }
  assert.equal(lines.length, 5);
  assert.ok(lines.every((l) => l.startsWith("error: ") && !l.includes("\n")), lines.join(" | "));
});
