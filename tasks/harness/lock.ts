/**
 * One live process per checkpoint folder: `<dir>/lock` holds the owner's pid and host. A second
 * run of the same plan refuses with a clear line; a lock left by a killed process on this host
 * (its pid no longer alive) is taken over.
 * @module
 */
import { Fault, fileFault } from "../core/errors.ts";
import { pidAlive } from "../core/json.ts";

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    try {
      return Deno.readTextFileSync("/etc/hostname").trim();
    } catch {
      return "unknown";
    }
  }
}

/** A held lock; `release()` removes it if it is still ours. */
export interface Lock {
  path: string;
  /** Set when a dead process's lock was taken over. */
  tookOver: Holder | null;
  release(): Promise<void>;
}

async function readHolder(path: string): Promise<Holder | null> {
  try {
    const h = JSON.parse(await Deno.readTextFile(path));
    return typeof h?.pid === "number" ? h as Holder : null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    return { pid: -1, host: "?", startedAt: "?" }; // unreadable: treated as a dead owner's
  }
}

/** Take the lock of `dir` (created if missing), or throw a {@link Fault} naming the holder. */
export async function acquireLock(dir: string): Promise<Lock> {
  const path = `${dir}/lock`;
  const me: Holder = { pid: Deno.pid, host: hostName(), startedAt: new Date().toISOString() };
  const text = JSON.stringify(me) + "\n";
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fileFault("create the checkpoint folder", dir, e);
  }
  let tookOver: Holder | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    // Write the whole lock to a temp file, then hard-link it into place: atomic, fails if held.
    const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      await Deno.writeTextFile(tmp, text);
      await Deno.link(tmp, path);
      await Deno.remove(tmp);
      return {
        path,
        tookOver,
        async release() {
          const h = await readHolder(path);
          if (h?.pid === me.pid && h.startedAt === me.startedAt) {
            await Deno.remove(path).catch(() => {});
          }
        },
      };
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      if (!(e instanceof Deno.errors.AlreadyExists)) throw fileFault("take the lock", path, e);
    }
    const holder = await readHolder(path);
    if (holder === null) continue; // released meanwhile
    const sameHost = holder.host === me.host || holder.pid === -1;
    if (sameHost && !pidAlive(holder.pid)) {
      // A killed run's lock: move it aside (atomic, so only one taker wins), then retry.
      const aside = `${path}.${Deno.pid}.stale`;
      try {
        await Deno.rename(path, aside);
        const moved = await readHolder(aside);
        if (moved?.pid !== holder.pid || moved.startedAt !== holder.startedAt) {
          await Deno.link(aside, path).catch(() => {}); // moved a new owner's lock: put it back
        } else tookOver = holder;
        await Deno.remove(aside);
      } catch { /* another taker won; retry */ }
      continue;
    }
    throw new Fault(
      sameHost
        ? `another run (pid ${holder.pid}, started ${holder.startedAt}) is writing this plan`
        : `a run on host ${holder.host} (pid ${holder.pid}) holds this plan's checkpoints`,
      dir,
      sameHost
        ? "wait for it to finish (or stop it); a killed run's lock is taken over automatically"
        : "wait for it; if that run is gone, delete the lock file in that folder",
    );
  }
  throw new Fault("could not take the lock (it kept changing hands)", dir, "rerun");
}
