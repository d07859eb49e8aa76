// Config resolved once: old key names with one deprecation warning each, and the environment and
// flags (OAUTH_MCP_STORE_KEY, CI, OAUTH_MCP_NO_BROWSER, --no-browser) laid over the file by parseConfig.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

function resolve(raw: unknown, env: NodeJS.ProcessEnv = {}, noBrowser?: boolean) {
  const warnings: string[] = [];
  const config = parseConfig(raw, env, { flags: { noBrowser }, onWarning: (m) => warnings.push(m) });
  return { config, warnings };
}

describe('config resolution', () => {
  it('reads the old http.allowedOrigins under its new name, warning once; api.allowedOrigins keeps its name', () => {
    const { config, warnings } = resolve({
      api: { allowedOrigins: ['https://api.example.com'] },
      http: { allowedOrigins: ['app.example.com'] },
    });
    expect(config.api.allowedOrigins).toEqual(['https://api.example.com']);
    expect(config.http.allowedBrowserOrigins).toEqual(['app.example.com']);
    expect(warnings).toEqual([
      'config "http.allowedOrigins" is deprecated: rename it to "http.allowedBrowserOrigins" (same meaning).',
    ]);
  });

  it('takes the new name without a warning, and refuses the old name given beside it', () => {
    const { config, warnings } = resolve({ http: { allowedBrowserOrigins: ['app.example.com'] } });
    expect(config.http.allowedBrowserOrigins).toEqual(['app.example.com']);
    expect(warnings).toEqual([]);
    expect(() =>
      resolve({ http: { allowedBrowserOrigins: ['a.example'], allowedOrigins: ['b.example'] } }),
    ).toThrow(/http: unknown key "allowedOrigins"$/m);
  });

  it('takes the store key from OAUTH_MCP_STORE_KEY unless the file gives store.key', () => {
    const key = 'a-store-key-of-16-plus-chars';
    expect(resolve({}, { OAUTH_MCP_STORE_KEY: key }).config.store.key).toBe(key);
    expect(resolve({}, { OAUTH_MCP_STORE_KEY: '' }).config.store.key).toBeUndefined();
    const fromFile = resolve(
      { store: { type: 'file', key: 'the-file-key-0123456' } },
      { OAUTH_MCP_STORE_KEY: key },
    );
    expect(fromFile.config.store.key).toBe('the-file-key-0123456');
  });

  it('opens no browser under --no-browser, CI or OAUTH_MCP_NO_BROWSER, nor when the file says so', () => {
    expect(resolve({}).config.openBrowser).toBe(true);
    expect(resolve({}, { CI: 'false', OAUTH_MCP_NO_BROWSER: '0' }).config.openBrowser).toBe(true);
    expect(resolve({}, {}, true).config.openBrowser).toBe(false);
    expect(resolve({}, { CI: 'true' }).config.openBrowser).toBe(false);
    expect(resolve({}, { OAUTH_MCP_NO_BROWSER: '1' }).config.openBrowser).toBe(false);
    expect(resolve({ openBrowser: false }).config.openBrowser).toBe(false);
  });

  it('says which OAUTH_* variables are set in vain, through the same warning channel', () => {
    expect(resolve({}, { OAUTH_CLIENT_ID: 'abc' }).warnings).toEqual([
      expect.stringMatching(/^OAUTH_CLIENT_ID is set but OAUTH_ISSUER is not, so ignored/),
    ]);
  });
});
