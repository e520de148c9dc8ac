/**
 * One live process per checkpoint folder: an exclusive OS file lock (`flock`) on `<dir>/lock`,
 * which also holds the owner's pid, host and start time for messages. The kernel drops the lock
 * when its process dies (even by SIGKILL, even as an unreaped zombie), so a killed run's lock is
 * taken over without guessing from pids — and without reading `/proc`, which Deno allows only
 * under `--allow-all`. A second run of the same plan refuses with one line naming the holder.
 * @module
 */
import { Fault, fileFault } from "../core/errors.ts";

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** A held lock; `release()` removes the lock file and drops the OS lock. */
export interface Lock {
  path: string;
  /** The previous owner, when a dead process's lock was taken over. */
  tookOver: Holder | null;
  release(): Promise<void>;
}

async function readHolder(file: Deno.FsFile): Promise<Holder | null> {
  await file.seek(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(4096);
  const n = await file.read(buf);
  if (!n) return null;
  try {
    const h = JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
    return typeof h?.pid === "number" ? h as Holder : null;
  } catch {
    return null;
  }
}

/** Resolve to true when the exclusive lock is taken within `ms`, else false. */
async function lockWithin(file: Deno.FsFile, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([file.lock(true).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Take the lock of `dir` (created if missing), waiting up to `waitMs` for a live holder, else
 * throw a {@link Fault} naming it.
 */
export async function acquireLock(dir: string, waitMs = 500): Promise<Lock> {
  const path = `${dir}/lock`;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fileFault("create the checkpoint folder", dir, e);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true, write: true, create: true });
    } catch (e) {
      throw fileFault("take the lock", path, e);
    }
    if (!(await lockWithin(file, waitMs))) {
      const h = await readHolder(file).catch(() => null);
      // The pending lock request is dropped when this process exits with the fault.
      throw new Fault(
        h
          ? `another run (pid ${h.pid} on ${h.host}, started ${h.startedAt}) is writing this plan`
          : "another run is writing this plan",
        dir,
        "wait for it to finish (or stop it); a killed run's lock is taken over automatically",
      );
    }
    // The file may have been removed (a finished owner's release) between open and lock.
    const same = await Deno.stat(path).then((s) => s.ino).catch(() => null);
    if (same === null || same !== (await file.stat()).ino) {
      file.close();
      continue;
    }
    const previous = await readHolder(file);
    const me: Holder = { pid: Deno.pid, host: hostName(), startedAt: new Date().toISOString() };
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(JSON.stringify(me) + "\n"));
    return {
      path,
      tookOver: previous,
      async release() {
        await Deno.remove(path).catch(() => {});
        try {
          file.close(); // drops the OS lock
        } catch { /* closed */ }
      },
    };
  }
  throw new Fault("could not take the lock (it kept changing hands)", dir, "rerun");
}
