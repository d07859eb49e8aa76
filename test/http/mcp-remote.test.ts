// mcp-remote (what Claude Desktop runs for a remote server) against HTTP mode with default settings, at an
// authorization server that enforces registered scopes. Spawned as Claude Desktop spawns it (node, its bin,
// the URL; here also a fixed callback port), it registers itself, opens "the browser" through $BROWSER (a
// script that hands the URL to this test's user agent), signs in once, lists and calls a tool; a restarted
// mcp-remote finds its stored token (MCP_REMOTE_CONFIG_DIR) and opens no browser.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowserCommand } from '../helpers/browser-command.js';
import { freePort } from '../helpers/http-server-process.js';
import { useMcpHttpDeployment } from '../helpers/mcp-http-deployment.js';
import { toToolResult } from '../helpers/tool-result.js';

const require = createRequire(import.meta.url);
const packageJson = require.resolve('mcp-remote/package.json');
const MCP_REMOTE = resolve(
  dirname(packageJson),
  (require(packageJson) as { bin: Record<string, string> }).bin['mcp-remote'] as string,
);

const deployment = await useMcpHttpDeployment();
const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-mcp-remote-'));
const configDir = join(dir, 'mcp-auth');
let callbackPort: number;
const browser = useBrowserCommand('desktop-user');
const { opened } = browser;

beforeAll(async () => {
  callbackPort = await freePort();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

/** The host side: spawns mcp-remote the way Claude Desktop's config entry does, and talks MCP over its stdio. */
async function startMcpRemote(): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, deployment.mcpUrl, String(callbackPort)],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      MCP_REMOTE_CONFIG_DIR: configDir,
      BROWSER: browser.command(),
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'claude-desktop-like-host', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`mcp-remote did not connect: ${(error as Error).message}\n${stderr}`);
  }
  return { client, stderr: () => stderr };
}

/** One session of the host: mcp-remote started, a tool listed and called, mcp-remote closed. */
async function listAndCallOnce(): Promise<void> {
  const { client, stderr } = await startMcpRemote();
  try {
    // Below the test's own timeout, so a sign-in that never ends fails with mcp-remote's account of it.
    const options = { timeout: 15_000 };
    const { tools } = await client.listTools(undefined, options);
    expect(tools.map((tool) => tool.name)).toContain('oauth_list_sessions');
    const result = toToolResult(
      await client.callTool({ name: 'oauth_list_sessions', arguments: {} }, undefined, options),
    );
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  } catch (error) {
    throw new Error(`${(error as Error).message}\nmcp-remote stderr:\n${stderr()}`);
  } finally {
    await client.close();
  }
}

describe('mcp-remote against HTTP mode', () => {
  it('signs in once through the browser, then lists and calls a tool', async () => {
    await listAndCallOnce();
    expect(opened).toHaveLength(1);
    const [sign] = opened;
    expect(sign?.url.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['mcp:tools:read', 'mcp:tools:execute']),
    );
    const callback = await sign?.done;
    expect(callback?.status).toBe(200);
    expect(readdirSync(configDir, { recursive: true }).length).toBeGreaterThan(0);
  });

  it('a restarted mcp-remote reuses its stored token and opens no browser', async () => {
    await listAndCallOnce();
    expect(opened).toHaveLength(1);
  });
});
