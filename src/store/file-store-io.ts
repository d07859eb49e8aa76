// Low-level file operations for the file store: atomic replace, directory fsync, errno checks and I/O errors.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OAuthToolError } from '../auth/errors.js';

export function errnoCode(error: unknown): string | undefined {
  // Only Node's system errors (EEXIST, ENOENT...), not an OAuthToolError's own `code`.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

export function ioError(action: string, file: string, error: unknown): OAuthToolError {
  const code = errnoCode(error) ?? 'unknown error';
  return new OAuthToolError(
    'store_unavailable',
    `Could not ${action} the token store file ${file} (${code}). ` +
      'Check that its directory exists, is writable by this user and the disk is not full.',
    { detail: error instanceof Error ? error.message : String(error), cause: error },
  );
}

/** Whether a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Replaces `target` so that a crash leaves either the old or the new content: a 0600 temp file in
 * the same directory, fsynced, renamed over the target, then the directory fsynced so the rename
 * itself survives a power cut.
 */
export async function writeFileAtomic(target: string, text: string): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw ioError('write', target, error);
  }
  await fsyncDirectory(path.dirname(target));
}

export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Removes temp files that writers killed mid-write left behind (named `<base>.<pid>.<hex>.tmp`),
 * but only those whose writer process is gone.
 */
export async function removeOrphanTempFiles(target: string): Promise<void> {
  const base = path.basename(target);
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(target));
  } catch {
    return;
  }
  const pattern = /^\.(\d+)\.[0-9a-f]{12}\.tmp$/;
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const pid = pattern.exec(name.slice(base.length))?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isProcessAlive(Number(pid))) {
      await fs.rm(path.join(path.dirname(target), name), { force: true }).catch(() => {});
    }
  }
}
