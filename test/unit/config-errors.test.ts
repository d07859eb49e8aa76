// Config mistakes told as a person can fix them: where the JSON breaks (line and column, the file never
// quoted) and the key that was meant for a mistyped one.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { describeJsonError } from '../../src/config/json-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadText = (text: string) => {
  const path = join(dir, 'config.json');
  writeFileSync(path, text);
  return () => loadConfig({ path, env: {} });
};

describe('a config file that is not JSON', () => {
  it.each([
    ['{\n  "a": 1,\n}', 'line 3, column 1: a comma before "}": remove the trailing comma'],
    ['{\n  "a": 1\n  "b": 2\n}', 'line 3, column 3: a "," or "}" is missing before this'],
    ['{\n  // mine\n  "a": 1\n}', 'line 2, column 3: a comment: JSON has none, remove it'],
    ["{'a': 1}", 'line 1, column 2: a key must be a string in double quotes'],
    ['{"a": tru}', 'line 1, column 7: "tru" is not a JSON value (strings need double quotes)'],
    ['{"a": "x}', 'line 1, column 7: a string is not closed with a double quote'],
    ['{"a": [1, 2}', 'line 1, column 12: a "," or "]" is missing before this'],
    ['{"a": ', 'line 1, column 7: the file ends where a value should be'],
    ['[1, 2,]', 'line 1, column 7: a comma before "]": remove the trailing comma'],
  ])('%j is told as %s', (text, told) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(describeJsonError(text)).toBe(told);
  });

  it('finds nothing wrong in valid JSON', () => {
    expect(describeJsonError('{"a": {"b": -1.5e3, "c": [true, null, "\\"q\\""]}, "d": []}')).toBeUndefined();
  });

  it('names the file, line and column, and never quotes the file (it may hold a secret)', () => {
    const secret = 'sup3r-s3cret-value-from-the-file';
    expect(loadText(`{\n  "providers": { "w": { "clientSecret": "${secret}", } }\n}`)).toThrow(
      /config\.json is not valid JSON: line 2, column \d+: a comma before "}"/,
    );
    try {
      loadText(`{ "x": "${secret}" oops }`)();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).toContain('line 1, column');
    }
  });
});

describe('a mistyped config key', () => {
  it('is told with the key that was meant', () => {
    expect(() =>
      parseConfig({ providers: { work: { issuer: 'https://auth.example.com', clientid: 'abc' } } }, {}),
    ).toThrow(/providers\.work: unknown key "clientid": did you mean "clientId"\?/);
    expect(() => parseConfig({ defaultProvder: 'x' }, {})).toThrow(/did you mean "defaultProvider"\?/);
    expect(() => parseConfig({ store: { typ: 'file' } }, {})).toThrow(/did you mean "type"\?/);
  });

  it('is only named when nothing is close', () => {
    expect(() => parseConfig({ zzzzzzzz: 1 }, {})).toThrow(/unknown key "zzzzzzzz"$/m);
  });
});
