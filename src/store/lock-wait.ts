// Lock timing shared by every backend: option defaults, the jittered retry loop and the timeout error.
import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthToolError } from '../errors.js';
import type { LockOptions } from './token-store.js';

const DEFAULT_LOCK_WAIT_MS = 10_000;
const DEFAULT_LOCK_STALE_MS = 30_000;

export interface ResolvedLockOptions {
  waitMs: number;
  staleMs: number;
}

export function resolveLockOptions(options: LockOptions = {}): ResolvedLockOptions {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  if (!(waitMs >= 0) || !(staleMs > 0)) {
    throw new RangeError(`lock options need waitMs >= 0 and staleMs > 0 (got ${waitMs}, ${staleMs})`);
  }
  return { waitMs, staleMs };
}

/**
 * Calls `attempt` until it returns a value or `waitMs` has passed. Sleeps are short and jittered so
 * that processes polling the same lock do not wake in lock-step.
 */
export async function retryUntil<T>(
  attempt: () => Promise<T | undefined>,
  waitMs: number,
  onTimeout: () => Error,
): Promise<T> {
  const deadline = performance.now() + waitMs;
  let delay = 2;
  for (;;) {
    const got = await attempt();
    if (got !== undefined) return got;
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw onTimeout();
    await sleep(Math.min(remaining, delay / 2 + Math.random() * delay));
    delay = Math.min(delay * 2, 40);
  }
}

export function lockTimeoutError(name: string, waitMs: number, where: string): OAuthToolError {
  return new OAuthToolError(
    'store_unavailable',
    `The store lock "${name}" was not free within ${waitMs} ms: another request or oauth-mcp process holds it. ` +
      'Retry in a moment; if no other oauth-mcp process is running, it frees itself once it goes stale.',
    { detail: `lock ${name} at ${where}` },
  );
}

export function closedStoreError(location: string): OAuthToolError {
  return new OAuthToolError(
    'store_unavailable',
    'The token store was closed (the server is shutting down). Retry after it restarts.',
    { detail: `store at ${location} used after close()` },
  );
}
