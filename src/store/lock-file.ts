// Cross-process lock files: created with O_EXCL, holding pid, host and time; a dead or stale holder is displaced.
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { errnoCode, ioError, isProcessAlive } from './fs-io.js';
import { lockTimeoutError, type ResolvedLockOptions, retryUntil } from './lock-wait.js';

interface Holder {
  pid: number;
  host: string;
  at: number;
  token: string;
}

interface Seen {
  ino: bigint;
  holder: Holder | undefined;
  mtimeMs: number;
}

/** A crashed breaker leaves `<lock>.break` behind; nobody holds it legitimately for longer than this. */
const BREAKER_STALE_MS = 5_000;
const UNWRITTEN_STALE_MS = 2_000;

/**
 * Takes the lock file at `lockPath`, waiting up to `waitMs`. Resolves to an idempotent release that
 * removes the file only while it is still ours (a successor may have displaced us as stale).
 */
export async function acquireLockFile(
  lockPath: string,
  name: string,
  { waitMs, staleMs }: ResolvedLockOptions,
): Promise<() => Promise<void>> {
  const token = randomUUID();
  await retryUntil(
    async () => {
      if (await tryCreate(lockPath, token)) return true;
      await breakIfStale(lockPath, staleMs);
      return undefined;
    },
    waitMs,
    () => lockTimeoutError(name, waitMs, lockPath),
  );
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const seen = await inspect(lockPath);
    if (seen?.holder?.token === token) await fs.rm(lockPath, { force: true });
  };
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw ioError('create the lock file for', lockPath, error);
  }
  try {
    const holder: Holder = { pid: process.pid, host: hostname(), at: Date.now(), token };
    await handle.writeFile(JSON.stringify(holder), 'utf8');
  } catch (error) {
    await handle.close();
    await fs.rm(lockPath, { force: true });
    throw ioError('write the lock file for', lockPath, error);
  }
  await handle.close();
  return true;
}

async function inspect(lockPath: string): Promise<Seen | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw ioError('read the lock file for', lockPath, error);
  }
  try {
    const stat = await handle.stat({ bigint: true });
    return {
      ino: stat.ino,
      mtimeMs: Number(stat.mtimeMs),
      holder: parseHolder(await handle.readFile('utf8')),
    };
  } finally {
    await handle.close();
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.at === 'number' &&
      typeof value.token === 'string'
    ) {
      return value as Holder;
    }
  } catch {
    // Empty while its creator is between open and write, or forever if it died there.
  }
  return undefined;
}

function isStale(seen: Seen, staleMs: number): boolean {
  const { holder } = seen;
  if (holder && holder.host === hostname() && holder.pid !== process.pid && !isProcessAlive(holder.pid)) {
    return true;
  }
  // Without a readable holder the creator died between O_EXCL create and write, which takes microseconds.
  if (!holder) return Date.now() - seen.mtimeMs > Math.min(staleMs, UNWRITTEN_STALE_MS);
  return Date.now() - holder.at > staleMs;
}

/**
 * Removes a stale lock file. Two waiters may judge the same lock stale; unlinking blindly would let
 * the slower one delete the lock the faster one just created. So breaking is itself serialized by
 * `<lock>.break`, and the lock is re-checked (same inode, still stale) under it before removal.
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const seen = await inspect(lockPath);
  if (!seen || !isStale(seen, staleMs)) return;
  const breaker = `${lockPath}.break`;
  try {
    await (await fs.open(breaker, 'wx', 0o600)).close();
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw ioError('create the lock file for', breaker, error);
    const stat = await fs.stat(breaker).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > BREAKER_STALE_MS) await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const again = await inspect(lockPath);
    const same = again?.ino === seen.ino && again.holder?.token === seen.holder?.token;
    if (again && same && isStale(again, staleMs)) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

/** A lock name as a file-name part; a hash suffix keeps names that sanitise alike apart. */
export function lockFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  if (safe === name) return safe;
  return `${safe}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}
