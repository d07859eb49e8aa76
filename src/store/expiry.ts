// Absolute expiry of a stored value: every backend turns a TTL into epoch milliseconds the same way.
import type { SetOptions } from './token-store.js';

/** The absolute expiry (epoch ms) for a set, so a value never outlives its ttl by a restart or clock read. */
export function expiryFrom(options: SetOptions): number | undefined {
  if (options.ttlSeconds === undefined) return undefined;
  if (!(options.ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be > 0 (got ${options.ttlSeconds})`);
  return Date.now() + options.ttlSeconds * 1000;
}
