// Start-up loads what answering initialize and tools/list needs, nothing more: the OAuth libraries, the
// error mapping and the browser launcher load on a tool's first call (each module costs start-up time).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';

/** Loaded only when a tool runs an OAuth operation, fails or opens a browser. */
const CALL_TIME_MODULES = [
  /\/node_modules\/openid-client\//,
  /\/node_modules\/oauth4webapi\//,
  /\/node_modules\/jose\//,
  /\/dist\/auth\/index\.js$/,
  /\/dist\/auth\/error-mapping\.js$/,
  /^node:child_process$/,
];

describe('start-up modules', () => {
  let dir: string;
  let loaded: () => string[];
  let server: ServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-modules-'));
    const log = join(dir, 'loaded.txt');
    writeFileSync(
      join(dir, 'hook.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'hook.mjs')}`)});\n`,
    );
    writeFileSync(log, '');
    loaded = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
    server = await startServerProcess({
      config: {
        providers: { work: { issuer: 'http://127.0.0.1:9', clientId: 'app', clientSecret: 's3cret-value' } },
      },
      nodeArgs: ['--import', join(dir, 'register.mjs')],
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers initialize and tools/list without the OAuth libraries', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.length).toBeGreaterThan(10);
    const modules = loaded();
    expect(modules.some((url) => url.endsWith('/dist/tools/index.js'))).toBe(true);
    expect(modules.filter((url) => CALL_TIME_MODULES.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('loads them for the first tool call that needs them', async () => {
    const result = await server.call('oauth_discover', { provider: 'work' });
    expect(result.isError).toBe(true);
    const modules = loaded();
    expect(modules.some((url) => url.includes('/node_modules/openid-client/'))).toBe(true);
    expect(modules.some((url) => url.endsWith('/dist/auth/error-mapping.js'))).toBe(true);
  });
});
