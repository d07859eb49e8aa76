// The config contract: file format, ${VAR} references, the OAUTH_* quick config, and errors that name the field.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { thrownMessage } from '../helpers/thrown.js';

describe('config', () => {
  it('accepts the design document example and fills every default', () => {
    const config = parseConfig(
      {
        providers: {
          work: {
            issuer: 'https://auth.example.com',
            clientId: 'abc',
            clientSecret: '${WORK_CLIENT_SECRET}',
            tokenEndpointAuthMethod: 'client_secret_basic',
            scopes: ['openid', 'profile', 'offline_access'],
            resource: 'https://api.example.com',
            redirectUri: 'http://127.0.0.1/callback',
          },
        },
        defaultProvider: 'work',
        store: { type: 'auto' },
        exposeTokens: false,
        api: { allowedOrigins: ['https://api.example.com'] },
        http: {
          auth: {
            issuer: 'https://auth.example.com',
            audience: 'https://mcp.example.com/mcp',
            requiredScopes: ['mcp:tools:read'],
          },
        },
      },
      { WORK_CLIENT_SECRET: 's3cret-value' },
    );
    expect(config.providers.work?.clientSecret).toBe('s3cret-value');
    expect(config).toMatchObject({
      timeoutMs: 10_000,
      openBrowser: true,
      exposeTokens: false,
      store: { type: 'auto' },
    });
  });

  it('names the field and the variable when a ${VAR} reference is not set', () => {
    const message = thrownMessage(() =>
      parseConfig({ providers: { work: { issuer: 'https://a.example', clientSecret: '${NOPE}' } } }, {}),
    );
    expect(message).toMatch(/providers\.work\.clientSecret refers to \$\{NOPE\}.*NOPE is not set/);
  });

  it('accepts http issuers only on loopback', () => {
    expect(() =>
      parseConfig({ providers: { local: { issuer: 'http://127.0.0.1:9000' } } }, {}),
    ).not.toThrow();
    expect(() =>
      parseConfig({ providers: { local: { issuer: 'http://localhost:9000' } } }, {}),
    ).not.toThrow();
    expect(() => parseConfig({ providers: { local: { issuer: 'http://[::1]:9000' } } }, {})).not.toThrow();
    const message = thrownMessage(() =>
      parseConfig({ providers: { lan: { issuer: 'http://192.168.1.10' } } }, {}),
    );
    expect(message).toMatch(
      /providers\.lan\.issuer: http is allowed only on loopback.*use https:\/\/192\.168\.1\.10/,
    );
  });

  it('names every bad field and says what is expected', () => {
    const message = thrownMessage(() =>
      parseConfig(
        {
          providers: { work: { issuer: 'not a url', tokenEndpointAuthMethod: 'magic', clientID: 'typo' } },
          exposeTokens: 'yes',
        },
        {},
      ),
    );
    expect(message).toMatch(/providers\.work\.issuer: "not a url" is not a URL/);
    expect(message).toMatch(/providers\.work\.tokenEndpointAuthMethod/);
    expect(message).toMatch(/providers\.work.*clientID/);
    expect(message).toMatch(/exposeTokens/);
  });

  it('refuses a defaultProvider that is not configured', () => {
    expect(thrownMessage(() => parseConfig({ providers: {}, defaultProvider: 'work' }, {}))).toMatch(
      /defaultProvider: names provider "work", which is not in "providers"/,
    );
  });

  it('builds the "default" provider from OAUTH_* variables', () => {
    const config = parseConfig(
      {},
      {
        OAUTH_ISSUER: 'https://auth.example.com',
        OAUTH_CLIENT_ID: 'abc',
        OAUTH_CLIENT_SECRET: 'xyz',
        OAUTH_SCOPES: 'openid  profile offline_access',
        OAUTH_RESOURCE: 'https://api.example.com',
      },
    );
    expect(config.defaultProvider).toBe('default');
    expect(config.providers.default).toEqual({
      issuer: 'https://auth.example.com',
      clientId: 'abc',
      clientSecret: 'xyz',
      scopes: ['openid', 'profile', 'offline_access'],
      resource: 'https://api.example.com',
    });
  });

  it('reads the file named by --config, else OAUTH_MCP_CONFIG, and reports unreadable or invalid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ providers: { a: { issuer: 'https://a.example' } } }));
    expect(Object.keys(loadConfig({ path: file, env: {} }).providers)).toEqual(['a']);
    expect(Object.keys(loadConfig({ env: { OAUTH_MCP_CONFIG: file } }).providers)).toEqual(['a']);
    expect(thrownMessage(() => loadConfig({ path: join(dir, 'missing.json'), env: {} }))).toMatch(
      /does not exist/,
    );
    writeFileSync(file, '{ "providers": ');
    expect(thrownMessage(() => loadConfig({ path: file, env: {} }))).toMatch(/is not valid JSON/);
  });

  it('starts with no providers when no config file exists in the user config dir', () => {
    const config = loadConfig({ env: { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'oauth-mcp-empty-')) } });
    expect(config.providers).toEqual({});
  });
});
