// Issue 15, item 7: a runtime fault is one `error: <what> (<path>)` line plus a `hint:` line,
// exit 1, no stack unless --verbose or DEBUG=1; full and read-only folders name the path; no
// xdg-* folder is left in the temp directory.
import assert from "node:assert/strict";
import { listFiles, ROOT, runDeno } from "./_cli.ts";

const TOY = "tests/fixtures/toy_cli.ts";
const RUN = ["reproduce", "toy", "--backend", "cpu", "--profile", "smoke"];

/** Mount a tmpfs of `size` at a fresh folder (root only); null where it cannot be mounted. */
function mountTmpfs(size: string, readOnly = false): string | null {
  const dir = Deno.makeTempDirSync({ prefix: "tmpfs-" });
  try {
    const opts = `size=${size}${readOnly ? ",ro" : ""}`;
    const r = new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", opts, "tmpfs", dir] })
      .outputSync();
    if (r.success) return dir;
  } catch { /* no mount binary */ }
  Deno.removeSync(dir);
  return null;
}

function unmount(dir: string): void {
  new Deno.Command("umount", { args: [dir] }).outputSync();
  Deno.removeSync(dir, { recursive: true });
}

const probe = mountTmpfs("16k");
if (probe) unmount(probe);
const NO_TMPFS = probe === null;
if (NO_TMPFS) console.error("faults_test: cannot mount a tmpfs here (needs root); CI runs it");

function assertFault(r: { code: number; stderr: string }, what: RegExp, hint: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n").filter((l) =>
    l.startsWith("error:") || l.startsWith("hint:")
  );
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0]!, what);
  assert.match(lines[1]!, hint);
  assert.doesNotMatch(r.stderr, /Uncaught|^ {4}at /m, "no stack without --verbose");
}

Deno.test({
  name: "a full --out is one line naming the path, exit 1 (tmpfs of 16 KiB)",
  ignore: NO_TMPFS,
  async fn() {
    const dir = mountTmpfs("16k")!;
    try {
      const r = await runDeno(TOY, [...RUN, "--out", dir]);
      assertFault(
        r,
        new RegExp(`^error: cannot write: No space left on device.* \\(${dir}/toy/.+\\)$`),
        /^hint: free space/,
      );
    } finally {
      unmount(dir);
    }
  },
});

Deno.test({
  name: "a read-only --out is one line naming the path, exit 1 (read-only tmpfs)",
  ignore: NO_TMPFS,
  async fn() {
    const dir = mountTmpfs("1m", true)!;
    try {
      const r = await runDeno(TOY, [...RUN, "--out", dir]);
      assertFault(
        r,
        new RegExp(`^error: .*Read-only file system.* \\(${dir}/toy/.+\\)$`),
        /^hint: that folder is read-only/,
      );
    } finally {
      unmount(dir);
    }
  },
});

Deno.test("a corrupt shard file and a corrupt result file are faults naming the file", async () => {
  const out = await Deno.makeTempDir();
  await Deno.mkdir(`${out}/toy/shards`, { recursive: true });
  const shard = `${out}/toy/shards/pi.smoke.v1.shard-1-of-2.json`;
  await Deno.writeTextFile(shard, "{ half");
  assertFault(
    await runDeno(TOY, ["report", "--merge", `${out}/toy/shards`]),
    new RegExp(`^error: not valid JSON \\(${shard}\\)$`),
    /^hint: delete or replace that file/,
  );
  await Deno.writeTextFile(shard, '{"kind":"result"}');
  assertFault(
    await runDeno(TOY, ["report", "--merge", `${out}/toy/shards`]),
    new RegExp(`^error: not a shard file \\(${shard}\\)$`),
    /^hint: delete it, or rerun that shard/,
  );
  await Deno.writeTextFile(`${out}/toy/pi.smoke.v1.json`, "{ half");
  const r = await runDeno(TOY, ["report", "toy", "--out", out]);
  assertFault(r, /^error: not valid JSON \(.*pi\.smoke\.v1\.json\)$/, /^hint: delete or replace/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("--verbose and DEBUG=1 add the stack to a fault", async () => {
  const out = await Deno.makeTempDir();
  await Deno.mkdir(`${out}/toy`, { recursive: true });
  await Deno.writeTextFile(`${out}/toy/pi.smoke.v1.json`, "{ half");
  const verbose = await runDeno(TOY, ["report", "toy", "--out", out, "--verbose"]);
  assert.equal(verbose.code, 1);
  assert.match(verbose.stderr, /^error: not valid JSON/m);
  assert.match(verbose.stderr, /^ {4}at .*json\.ts:\d+/m);
  const debug = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOY, "report", "toy", "--out", out],
    cwd: ROOT,
    env: { NO_COLOR: "1", DEBUG: "1" },
    stderr: "piped",
  }).output();
  assert.match(new TextDecoder().decode(debug.stderr), /^ {4}at .*json\.ts:\d+/m);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a run leaves no xdg-* folder in the temp directory", async () => {
  const tmp = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOY, "reproduce", "toy", "--profile", "smoke", "--out", out],
    cwd: ROOT,
    env: { NO_COLOR: "1", TMPDIR: tmp, XDG_RUNTIME_DIR: "" },
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  assert.ok(listFiles(out).includes("toy/pi.smoke.v1.json"));
  await Deno.remove(tmp, { recursive: true });
  await Deno.remove(out, { recursive: true });
});

Deno.test("a corrupt data file's hint names the folder that holds it", async () => {
  const data = await Deno.makeTempDir();
  await Deno.mkdir(`${data}/binarized_mnist`, { recursive: true });
  for (
    const f of [
      "binarized_mnist_train.bin",
      "binarized_mnist_valid.bin",
      "binarized_mnist_test.bin",
    ]
  ) {
    await Deno.writeTextFile(`${data}/binarized_mnist/${f}`, "corrupt\n");
  }
  const out = await Deno.makeTempDir();
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tasks/reproduce.ts",
      "draw",
      "--profile",
      "smoke",
      "--only",
      "elbo_mnist",
      "--backend",
      "cpu",
      "--out",
      out,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", PAPERS_REPRO_DATA: data, PAPERS_REPRO_CACHE: `${data}/cache` },
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assertFault(
    { code: r.code, stderr: err },
    /^error: .*is corrupt/,
    new RegExp(`^hint: the corrupt file is in ${data}/binarized_mnist: delete or replace it there`),
  );
  await Deno.remove(data, { recursive: true });
  await Deno.remove(out, { recursive: true });
});
