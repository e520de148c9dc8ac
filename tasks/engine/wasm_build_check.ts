/**
 * What the byte-for-byte rebuild tests of the committed wasm binaries share (the engine's
 * `wasm/gemm.wasm` and `wasm/im2col.wasm`, SAM's `wasm/dense_access.wasm`): finding Debian's clang
 * 19, running a build script into a temporary folder and comparing its output with the committed
 * file, listing a binary's sections, and `wasmBuildTests`, which registers both tests of one
 * binary. Used by tests only; nothing in the engine imports it.
 * @module
 */
import assert from "node:assert/strict";

/** Debian's clang 19, where installed (the toolchain the build scripts use), else null. */
export function clang19(): string | null {
  for (const p of ["/usr/bin/clang-19", "/usr/lib/llvm-19/bin/clang"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return null;
}

/** True in CI, where a missing compiler is a failure rather than a skip. */
export const IN_CI = Deno.env.get("CI") === "true";

/**
 * Run `script OUT` (a `build_*.sh`) into a temporary folder and assert that OUT equals the
 * committed `committed` byte for byte.
 */
export async function assertRebuildsCommitted(script: string, committed: URL): Promise<void> {
  assert.ok(clang19(), "CI: clang-19 missing; .ci/run should have installed clang-19 and lld-19");
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/out.wasm`;
    const r = await new Deno.Command("bash", { args: [script, out], stderr: "piped" }).output();
    assert.equal(r.code, 0, `${script} failed: ${new TextDecoder().decode(r.stderr)}`);
    const built = await Deno.readFile(out), want = await Deno.readFile(committed);
    assert.equal(built.length, want.length, "rebuilt size differs from the committed one");
    assert.ok(built.every((x, i) => x === want[i]), "rebuilt bytes differ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Section ids of a wasm binary (LEB128 sizes). */
export function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++]!;
    let size = 0, shift = 0, byte: number;
    do {
      byte = bytes[p++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    p += size;
  }
  return ids;
}

/**
 * Registers the two tests of one committed binary: `script` rebuilds it byte for byte (skipped,
 * with a warning, where clang-19 is missing outside CI), and the binary imports only a memory,
 * exports exactly `exports` and has no data segment (data would land on the importer's heap at
 * instantiation).
 */
export function wasmBuildTests(script: string, wasm: URL, exports: string[]): void {
  const file = wasm.pathname.split("/").pop()!, name = script.split("/").pop()!;
  if (!clang19() && !IN_CI) {
    console.warn(
      `${name}: skipping the byte-for-byte rebuild: clang-19 is not installed ` +
        "(apt-get install -y clang-19 lld-19; .ci/run installs it)",
    );
  }
  Deno.test({
    name: `${name} rebuilds the committed ${file} byte for byte`,
    ignore: !clang19() && !IN_CI,
    fn: () => assertRebuildsCommitted(script, wasm),
  });
  Deno.test(`the committed ${file} imports only a memory, exports ${exports.join(", ")} and has no data`, async () => {
    const bytes = await Deno.readFile(wasm);
    const mod = new WebAssembly.Module(bytes);
    assert.deepEqual(WebAssembly.Module.imports(mod), [
      { module: "env", name: "memory", kind: "memory" },
    ]);
    assert.deepEqual(
      WebAssembly.Module.exports(mod).map((e) => e.name).sort(),
      [...exports].sort(),
    );
    // 11: data, 12: data count.
    const ids = sectionIds(bytes);
    assert.ok(!ids.includes(11) && !ids.includes(12), `sections ${ids}`);
  });
}
