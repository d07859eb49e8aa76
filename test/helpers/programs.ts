// Programs some tests need (redis-server, Chromium): outside CI a missing one skips those tests with the
// reason and how to install it; in CI (CI=true) it is required, so a broken install fails instead of hiding.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeEach } from 'vitest';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const said = new Set<string>();

/** Whether `program` (a name on PATH or an absolute path) can be run here. */
export function installed(program: string): boolean {
  if (program.startsWith('/')) return existsSync(program);
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Call in a file or describe: when `program` is missing outside CI, every test there is skipped with
 * `install` as the way to get it, said once on stderr; returns whether the tests will run.
 */
export function needsProgram(program: string, install: string): boolean {
  if (IN_CI || installed(program)) return true;
  const reason = `${program} is not installed, so its tests are skipped: ${install}`;
  if (!said.has(program)) {
    said.add(program);
    process.stderr.write(`note: ${reason}\n`);
  }
  beforeEach((context) => context.skip(reason));
  return false;
}
