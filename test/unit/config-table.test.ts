// The config reference: every setting of the schema has a description, and the README's table is
// generated from the schema (node scripts/config-table.mjs), so it cannot go stale.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configRows, renderConfigTable, withConfigTable } from '../../scripts/config-table.mjs';
import { configSchema } from '../../src/config/index.js';

describe('config reference', () => {
  it('describes every setting, nested ones and each provider field included', () => {
    const rows = configRows(configSchema);
    expect(rows.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        'providers.<name>.issuer',
        'store.key',
        'http.auth.introspection.clientSecret',
      ]),
    );
    expect(rows.filter((r) => !r.description).map((r) => r.key)).toEqual([]);
  });

  it('shows the defaults the schema fills', () => {
    const rows = Object.fromEntries(configRows(configSchema).map((r) => [r.key, r.defaultValue]));
    expect(rows).toMatchObject({
      timeoutMs: 10_000,
      openBrowser: true,
      'store.type': 'auto',
      'api.allowedOrigins': [],
    });
  });

  it('is in the README, generated from the schema (node scripts/config-table.mjs)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withConfigTable(readme, renderConfigTable(configSchema)));
  });
});
