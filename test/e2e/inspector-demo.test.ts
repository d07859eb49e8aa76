// A scripted MCP Inspector CLI session against `oauth-mcp --demo`: the README's main job, driven the
// way a person scripting the Inspector would, with the embedded demo authorization server.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-server-process.js';
import { INSPECTOR, INSPECTOR_VERSION } from '../helpers/mcp-tools.js';

const run = promisify(execFile);

let configPath = '';

async function inspector(...args: string[]): Promise<any> {
  const [node, bin] = INSPECTOR;
  const { stdout } = await run(
    node,
    [
      bin,
      '--cli',
      '-e',
      `OAUTH_MCP_CONFIG=${configPath}`,
      '-e',
      'CI=true',
      process.execPath,
      CLI,
      '--demo',
      ...args,
    ],
    { timeout: 60_000, env: { ...process.env, CI: 'true' } },
  );
  return JSON.parse(stdout);
}

describe(`MCP Inspector ${INSPECTOR_VERSION} CLI against oauth-mcp --demo`, () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-inspector-'));
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ store: { type: 'memory' } }));
  });

  it('lists the tools', async () => {
    const { tools } = await inspector('--method', 'tools/list');
    expect(tools.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['oauth_discover', 'oauth_client_credentials', 'oauth_list_sessions']),
    );
  }, 60_000);

  it('discovers the demo authorization server', async () => {
    const result = await inspector('--method', 'tools/call', '--tool-name', 'oauth_discover');
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ provider: 'demo', source: 'openid-configuration' });
    expect(result.structuredContent.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 60_000);

  it('gets a machine token from the demo confidential client without showing the token', async () => {
    const result = await inspector('--method', 'tools/call', '--tool-name', 'oauth_client_credentials');
    expect(result.structuredContent.session).toMatchObject({ provider: 'demo', grant: 'client_credentials' });
    expect(result.structuredContent.session.access_token).toBeUndefined();
  }, 60_000);
});
