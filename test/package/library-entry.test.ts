// The package as a library: `import ... from 'oauth-mcp-server'` through its exports map (a Node process
// in the package root, as a consumer's import resolves), createEngine({ config, store }) signing a machine
// client in against the real oidc-provider, and internal modules kept out of reach.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const as = useAuthorizationServer();

/** Runs an ES module in the package root, where Node resolves the package's own name through `exports`. */
async function runModule(source: string, input: unknown): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', source, JSON.stringify(input)], {
    cwd: ROOT,
    timeout: 20_000,
  });
}

const SIGN_IN = `
import { clientCredentials, createEngine, listSessionPage, MemoryStore, parseConfig } from 'oauth-mcp-server';
const config = parseConfig(JSON.parse(process.argv[1]), {});
const engine = createEngine({ config, store: new MemoryStore() });
const first = await clientCredentials(engine.ctx, { provider: 'machine', scopes: ['api:read'] });
const again = await clientCredentials(engine.ctx, { provider: 'machine', scopes: ['api:read'] });
const page = await listSessionPage(engine.ctx, { limit: 1 });
console.log(JSON.stringify({
  listed: { total: page.total, ids: page.sessions.map((s) => s.session_id), more: 'next_cursor' in page },
  firstId: first.session.session_id,
  provider: first.session.provider,
  hasToken: typeof first.session.access_token === 'string' && first.session.access_token.length > 0,
  reused: [first.reused, again.reused],
}));
`;

describe('the library entry', () => {
  const machine = () => ({
    issuer: as.issuer,
    clientId: as().clients.confidential.clientId,
    clientSecret: as().clients.confidential.clientSecret,
  });

  it('signs a machine client in with createEngine({ config, store }) imported by package name; views hold no token', async () => {
    const { stdout } = await runModule(SIGN_IN, { providers: { machine: machine() } });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ provider: 'machine', hasToken: false, reused: [false, true] });
    expect(result.listed).toEqual({ total: 1, ids: [result.firstId], more: false });
  });

  it('returns the raw token only from an engine built with exposeTokens', async () => {
    const { stdout } = await runModule(SIGN_IN, { providers: { machine: machine() }, exposeTokens: true });
    expect(JSON.parse(stdout)).toMatchObject({ provider: 'machine', hasToken: true });
  });

  it('exposes no internal module: deep imports stop at the exports map', async () => {
    const { stdout } = await runModule(
      `
      const results = [];
      for (const path of ['oauth-mcp-server/dist/auth/engine.js', 'oauth-mcp-server/dist/auth/repository/vault.js']) {
        results.push(await import(path).then(() => 'imported', (error) => error.code));
      }
      const pkg = await import('oauth-mcp-server/package.json', { with: { type: 'json' } });
      results.push(pkg.default.name);
      console.log(JSON.stringify(results));
      `,
      null,
    );
    expect(JSON.parse(stdout)).toEqual([
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'oauth-mcp-server',
    ]);
  });
});
