// Low-level file operations of the store: atomic replace, directory fsync, errno checks, pid liveness and I/O errors.
import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants, type Stats } from 'node:fs';
import path from 'node:path';
import { OAuthToolError } from '../errors.js';

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

/** Whether this platform has owners and modes to check (not Windows). */
const POSIX = typeof process.getuid === 'function';
/** Refuses a symbolic link as the last part of a path where the platform can (0 on Windows). */
const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/**
 * A directory of the store as it must be: a real directory (no symbolic link in its place), owned by
 * this user and private. One that others may enter is made 0700 with a warning; a link or another
 * owner's directory is refused. Missing is fine: it is created 0700 when needed.
 */
export async function checkStoreDirectory(
  directory: string,
  onWarning: (message: string) => void,
): Promise<void> {
  let stat: Stats;
  try {
    stat = await fs.lstat(directory);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw ioError('check', directory, error);
  }
  if (stat.isSymbolicLink()) throw notPrivate(directory, LINK);
  if (!stat.isDirectory()) throw notPrivate(directory, 'is not a directory');
  await restrict(directory, stat, 0o700, onWarning, (mode) => fs.chmod(directory, mode));
}

/**
 * Opens a file of the store for reading without following a symbolic link in its place, after checking
 * that this user owns it; one others may read is made 0600 with a warning. Undefined when it does not exist.
 */
export async function openStoreFile(
  file: string,
  onWarning: (message: string) => void,
): Promise<fs.FileHandle | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notPrivate(file, LINK);
    throw ioError('read', file, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notPrivate(file, 'is not a regular file');
    await restrict(file, stat, 0o600, onWarning, (mode) => handle.chmod(mode));
    return handle;
  } catch (error) {
    await handle.close();
    throw error instanceof OAuthToolError ? error : ioError('read', file, error);
  }
}

/** The text of a store file checked as openStoreFile does; undefined when it does not exist. */
export async function readStoreFile(
  file: string,
  onWarning: (message: string) => void,
): Promise<string | undefined> {
  const handle = await openStoreFile(file, onWarning);
  if (!handle) return undefined;
  try {
    return await handle.readFile('utf8');
  } catch (error) {
    throw ioError('read', file, error);
  } finally {
    await handle.close();
  }
}

async function restrict(
  target: string,
  stat: Stats,
  mode: number,
  onWarning: (message: string) => void,
  chmod: (mode: number) => Promise<void>,
): Promise<void> {
  if (!POSIX) return;
  if (stat.uid !== process.getuid?.()) throw notPrivate(target, `belongs to another user (uid ${stat.uid})`);
  if ((stat.mode & 0o077) === 0) return;
  try {
    await chmod(mode);
  } catch (error) {
    throw ioError('restrict the permissions of', target, error);
  }
  const was = (stat.mode & 0o777).toString(8).padStart(4, '0');
  onWarning(
    `${target} was open to other users (mode ${was}); changed it to ${mode.toString(8).padStart(4, '0')}`,
  );
}

const LINK = 'is a symbolic link, which oauth-mcp does not follow in its token store';

/** A link, another user's file, or not the kind of entry the store expects in its place. */
function notPrivate(target: string, why: string): OAuthToolError {
  return new OAuthToolError(
    'store_unavailable',
    `The token store path ${target} ${why}. Someone may have planted it: move it aside and sign in again, so oauth-mcp creates its own.`,
  );
}
