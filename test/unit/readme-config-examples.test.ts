// Every JSON block in the README parses, and every one that is an oauth-mcp config (not a host's
// mcpServers/servers file, which test/unit/examples.test.ts checks) is accepted by the config schema
// with its ${VAR} placeholders filled in.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  line: number;
  text: string;
}

const blocks: Block[] = [...README.matchAll(/^( *)```json\n([\s\S]*?)\n\1```/gm)].map((match) => ({
  line: README.slice(0, match.index).split('\n').length,
  text: match[2] as string,
}));

const PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

/** A value for each ${NAME} the block references: a PEM for key variables, else a long enough string. */
function environmentFor(text: string): NodeJS.ProcessEnv {
  const names = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1] as string);
  return Object.fromEntries(names.map((name) => [name, /KEY/.test(name) ? PRIVATE_KEY : 'x'.repeat(24)]));
}

function isHostConfig(value: Record<string, unknown>): boolean {
  return 'mcpServers' in value || 'servers' in value || 'inputs' in value;
}

describe('README JSON examples', () => {
  it('finds the config examples it checks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks.map((block) => [block.line, block] as const))(
    'block at line %i parses as JSON',
    (_, block) => {
      expect(() => JSON.parse(block.text)).not.toThrow();
    },
  );

  it.each(
    blocks
      .filter((block) => !isHostConfig(JSON.parse(block.text)))
      .map((block) => [block.line, block] as const),
  )('config block at line %i is accepted by the config schema', (_, block) => {
    const warnings: string[] = [];
    expect(() =>
      parseConfig(JSON.parse(block.text), environmentFor(block.text), {
        onWarning: (message) => warnings.push(message),
      }),
    ).not.toThrow();
    // A renamed (deprecated) key in an example would teach the old name.
    expect(warnings).toEqual([]);
  });
});

describe('README contents', () => {
  it('lists every section, in order, with links that reach them', () => {
    const sections = [...README.matchAll(/^## (.+)$/gm)]
      .map((match) => match[1] as string)
      .filter((h) => h !== 'Contents');
    const listed = [...README.matchAll(/^- \[(.+)\]\(#([\w-]+)\)$/gm)].map((match) => [match[1], match[2]]);
    expect(listed.map(([title]) => title)).toEqual(sections);
    const slug = (title: string) =>
      title
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replaceAll(' ', '-');
    for (const [title, anchor] of listed) expect(anchor).toBe(slug(title as string));
  });
});
