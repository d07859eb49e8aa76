// Config resolved once: old key names with one deprecation warning each, and the environment and
// flags (OAUTH_MCP_STORE_KEY, CI, OAUTH_MCP_NO_BROWSER, --no-browser) laid over the file by parseConfig.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

function resolve(raw: unknown, env: NodeJS.ProcessEnv = {}, noBrowser?: boolean) {
  const warnings: string[] = [];
  const config = parseConfig(raw, env, {
    flags: { 'no-browser': noBrowser },
    onWarning: (m) => warnings.push(m),
  });
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

  it('takes the log settings from the flags, else OAUTH_MCP_LOG_*, else the file, and names the flag of a bad value', () => {
    const env = {
      OAUTH_MCP_LOG_FILE: '/tmp/env.log',
      OAUTH_MCP_LOG_FORMAT: 'json',
      OAUTH_MCP_LOG_LEVEL: 'debug',
    };
    const fromFile = { log: { file: '/tmp/file.log', format: 'text' } };
    expect(parseConfig(fromFile, {}).log).toEqual({ file: '/tmp/file.log', format: 'text' });
    expect(parseConfig(fromFile, env).log).toEqual({ file: '/tmp/env.log', format: 'json', level: 'debug' });
    const flags = { 'log-file': '/tmp/flag.log', 'log-format': 'text' };
    expect(parseConfig(fromFile, env, { flags }).log).toMatchObject({
      file: '/tmp/flag.log',
      format: 'text',
    });
    expect(() => parseConfig({}, {}, { flags: { 'log-format': 'yaml' } })).toThrow(/- --log-format: /);
    expect(() => parseConfig({}, { OAUTH_MCP_LOG_FORMAT: 'yaml' })).toThrow(
      /- OAUTH_MCP_LOG_FORMAT \(environment\): /,
    );
  });

  it('declares every setting of the command line on its config key: host, port, public URL, toolsets, read-only', () => {
    const config = parseConfig(
      { http: { port: 9000 }, toolsets: ['tokens'] },
      { OAUTH_MCP_PORT: '9100' },
      {
        flags: { host: '0.0.0.0', 'read-only': true, 'public-url': 'https://mcp.example.com' },
      },
    );
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 9100, publicUrl: 'https://mcp.example.com' });
    expect(config).toMatchObject({ toolsets: ['tokens'], readOnly: true, transport: 'stdio' });
    expect(parseConfig({}, {}, { flags: { port: '9200', toolsets: 'tokens, signin' } })).toMatchObject({
      http: { port: 9200 },
      toolsets: ['tokens', 'signin'],
    });
    expect(() => parseConfig({}, {}, { flags: { port: 'http' } })).toThrow(
      /--port must be a number, not "http"/,
    );
    expect(() => parseConfig({}, {}, { flags: { transport: 'sse' } })).toThrow(/- --transport: /);
  });
});
