// npm run mutate as the README describes it: the script, the Stryker config and its test set exist and
// agree, the README's commands name real modules of that config, and the Stryker packages are pinned.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import mutateVitest from '../../vitest.mutate.config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const stryker: {
  testRunner: string;
  vitest: Record<string, unknown>;
  coverageAnalysis: string;
  thresholds: { break: number };
  mutate: string[];
} = (await import(pathToFileURL(join(ROOT, 'stryker.config.mjs')).href)).default;
const SECTION = README.slice(README.indexOf('### Mutation testing'));
const COMMANDS = [...(/```sh\n([\s\S]*?)\n```/.exec(SECTION)?.[1] ?? '').matchAll(/^[^#\n].*$/gm)].map(
  ([line]) => line,
);

/** The files a Stryker `mutate` pattern names (`dir/*.ts` or a file). */
function filesOf(pattern: string): string[] {
  if (!pattern.endsWith('/*.ts')) return existsSync(join(ROOT, pattern)) ? [pattern] : [];
  const dir = pattern.slice(0, -'/*.ts'.length);
  return readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${dir}/${name}`);
}

describe('mutation testing (npm run mutate)', () => {
  it('is an npm script running the Stryker config with the vitest runner, outside npm test', () => {
    expect(PACKAGE.scripts.mutate).toBe('stryker run stryker.config.mjs');
    expect(PACKAGE.scripts.test).not.toContain('mutate');
    expect(stryker.testRunner).toBe('vitest');
    expect(stryker.vitest).toMatchObject({ configFile: 'vitest.mutate.config.ts', related: true });
    expect(stryker.coverageAnalysis).toBe('perTest');
    expect(stryker.thresholds.break).toBeGreaterThanOrEqual(90);
  });

  it('pins the Stryker packages to exact versions', () => {
    for (const name of ['@stryker-mutator/core', '@stryker-mutator/vitest-runner']) {
      expect(PACKAGE.devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('mutates the security modules, each pattern naming files that exist', () => {
    const patterns = stryker.mutate;
    for (const pattern of patterns) expect(filesOf(pattern), pattern).not.toEqual([]);
    const files = patterns.flatMap(filesOf);
    for (const module of [
      'src/net/outbound-policy.ts',
      'src/net/guarded-fetch.ts',
      'src/secrets/registry.ts',
      'src/store/sealing.ts',
      'src/store/file-store-codec.ts',
      'src/store/redis-store-codec.ts',
      'src/auth/tokens/access-token.ts',
      'src/auth/repository/vault.ts',
    ]) {
      expect(files).toContain(module);
    }
  });

  it('runs test files that exist', () => {
    const include = mutateVitest.test?.include ?? [];
    expect(include.length).toBeGreaterThan(0);
    for (const file of include) expect(existsSync(join(ROOT, file)), file).toBe(true);
  });

  it("shows commands in the README that the project runs: the script, and one module of the config's", () => {
    expect(COMMANDS).toContain('npm run mutate');
    const files = stryker.mutate.flatMap(filesOf);
    const scoped = COMMANDS.filter((line) => line !== 'npm run mutate');
    expect(scoped.length).toBeGreaterThan(0);
    for (const line of scoped) {
      const match = /^(?:MUTATE_TESTS=(\S+) )?npx stryker run stryker\.config\.mjs --mutate (\S+)$/.exec(
        line,
      );
      expect(match, line).not.toBeNull();
      const [, tests, module] = match as RegExpExecArray;
      expect(files).toContain(module);
      for (const test of tests?.split(',') ?? []) expect(existsSync(join(ROOT, test)), test).toBe(true);
    }
  });

  it('reports a score for modules of the config', () => {
    const files = stryker.mutate.flatMap(filesOf);
    const rows = [...SECTION.matchAll(/^\| `(src\/[\w/.-]+)` \| ([\d.]+) %/gm)];
    expect(rows.length).toBeGreaterThan(0);
    for (const [, module] of rows) expect(files).toContain(module);
  });
});
