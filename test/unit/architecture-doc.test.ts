// docs/architecture.md stays the map of src/: one line for every file, none for a file that is gone.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name))
      : [relative(SRC, join(dir, entry.name)).split('\\').join('/')],
  );
}

describe('docs/architecture.md', () => {
  const listed = [
    ...readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8').matchAll(/^- `([^`]+)`: /gm),
  ].map((match) => match[1]);

  it('has a line for every file in src/', () => {
    expect(filesUnder(SRC).filter((file) => !listed.includes(file))).toEqual([]);
  });

  it('lists no file that src/ does not have, and none twice', () => {
    const files = filesUnder(SRC);
    expect(listed.filter((file) => !files.includes(file as string))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });
});
