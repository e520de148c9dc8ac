/**
 * A user error: bad flag, unknown paper/experiment/config key, wrong value type, bad seed or
 * shard. The CLI prints its one-line message and exits with code 2, having written nothing.
 * @module
 */
export class UsageError extends Error {
  override name = "UsageError";
}
