// The library's vocabulary is documented where it is declared: every export of the package has TSDoc with
// an @example that type-checks against the real signatures and an @see, and docs/api.md is generated from it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiEntries, apiPage } from '../../scripts/api-page.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the library API page', () => {
  const entries = apiEntries();

  it('documents every export of the package with a sentence, an @example and an @see', () => {
    expect(entries.length).toBeGreaterThan(20);
    const undocumented = entries
      .filter((entry) => !entry.text || entry.examples.length === 0 || entry.sees.length === 0)
      .map((entry) => entry.name);
    expect(undocumented).toEqual([]);
  });

  it('is docs/api.md, regenerated (node scripts/api-page.mjs)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8')).toBe(apiPage());
  });

  it('has examples that type-check against the package entry', () => {
    const dir = mkdtempSync(join(ROOT, '.api-examples-'));
    try {
      const names = entries.map((entry) => entry.name).join(', ');
      const body = entries.flatMap((entry) =>
        entry.examples.map(
          (example, i) => `export async function ${entry.name}Example${i}() {\n${example}\n}`,
        ),
      );
      writeFileSync(
        join(dir, 'examples.ts'),
        [
          `import { ${names} } from '../src/index.js';`,
          "import type { Config, TokenStore } from '../src/index.js';",
          'declare const engine: ReturnType<typeof createEngine>;',
          'declare const config: Config;',
          'declare const store: TokenStore;',
          'declare const json: unknown;',
          'declare const started: Awaited<ReturnType<typeof startSignIn>>;',
          ...body,
        ].join('\n'),
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: '../tsconfig.json',
          compilerOptions: { noEmit: true, rootDir: '..', noUnusedLocals: false },
          include: ['examples.ts'],
        }),
      );
      const run = () =>
        execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
      expect(run).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
