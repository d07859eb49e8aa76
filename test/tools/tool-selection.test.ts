// --tools / OAUTH_MCP_TOOLS through the built binary: allow and deny globs of tool names narrow what
// tools/list shows and what can be called, together with --toolsets and --read-only; a pattern that
// matches no tool stops the server at start-up and names the tools.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { selectTools } from '../../src/tools/registry.js';
import { connectClient, startHttpProcess } from '../helpers/http-server-process.js';
import { startServerProcess } from '../helpers/mcp-server-process.js';
import { runCliSync } from '../helpers/terminal.js';

async function listedWith(args: string[], env: Record<string, string> = {}) {
  const server = await startServerProcess({ config: { providers: {} }, args, env });
  try {
    const { tools } = await server.client.listTools();
    return { names: tools.map((t) => t.name).sort() };
  } finally {
    await server.close();
  }
}

const startupFailure = (args: string[], env: Record<string, string> = {}) =>
  runCliSync(args, mkdtempSync(join(tmpdir(), 'oauth-mcp-tools-')), env);

const allNames = ALL_TOOLS.map((t) => t.name).sort();

describe('--tools and OAUTH_MCP_TOOLS', () => {
  it("keep only the tools an allow glob names, minus those a deny glob names (the README's example)", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /`oauth-mcp --tools '([^']+)'` serves only/.exec(readme)?.[1];
    expect(example).toBe('oauth_*_client,!oauth_delete_client');
    const { names } = await listedWith(['--tools', example as string]);
    expect(names).toEqual(['oauth_get_client', 'oauth_register_client', 'oauth_update_client']);
    // spaces after the commas are allowed too
    expect((await listedWith(['--tools', 'oauth_*_client, !oauth_delete_client'])).names).toEqual(names);
  });

  it('with only deny globs keep every other tool, and a denied tool cannot be called', async () => {
    const server = await startServerProcess({
      config: { providers: {} },
      args: ['--tools', '!oauth_delete_client,!oauth_revoke_*'],
    });
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        allNames.filter((n) => n !== 'oauth_delete_client' && n !== 'oauth_revoke_access'),
      );
      await expect(server.call('oauth_delete_client', { provider: 'anything' })).rejects.toThrow(
        /Tool oauth_delete_client not found/,
      );
    } finally {
      await server.close();
    }
  });

  it('are read from OAUTH_MCP_TOOLS when --tools is not given, and --tools wins over it', async () => {
    expect((await listedWith([], { OAUTH_MCP_TOOLS: 'oauth_get_jwks' })).names).toEqual(['oauth_get_jwks']);
    expect(
      (await listedWith(['--tools', 'oauth_discover'], { OAUTH_MCP_TOOLS: 'oauth_get_jwks' })).names,
    ).toEqual(['oauth_discover']);
  });

  it('combine with --toolsets and --read-only (a tool must pass every filter)', async () => {
    const { names } = await listedWith([
      '--toolsets',
      'tokens,diagnostics',
      '--read-only',
      '--tools',
      '!*jwks',
    ]);
    expect(names).toEqual(['oauth_audit_server', 'oauth_inspect_token', 'oauth_introspect_token']);
  });

  it('narrow tools/list in HTTP mode too, for a 2026-era and a 2025-era client', async () => {
    const http = await startHttpProcess({
      config: { providers: {} },
      args: ['--tools', 'oauth_*_jwks,oauth_discover'],
    });
    try {
      for (const kind of ['v2-modern', 'v1'] as const) {
        const client = await connectClient(http.mcpUrl, undefined, kind);
        try {
          const { tools } = await client.listTools();
          expect(tools.map((t) => t.name).sort(), kind).toEqual(['oauth_discover', 'oauth_get_jwks']);
        } finally {
          await client.close();
        }
      }
    } finally {
      await http.stop();
    }
  });

  it('refuse at start-up a pattern that matches no tool, naming the tools', () => {
    const run = startupFailure(['--tools', 'oauth_*,!oauth_delete_clients']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Tool pattern "!oauth_delete_clients" matches no tool');
    expect(run.stderr).toContain('oauth_delete_client, oauth_list_sessions');
  });

  it('refuse at start-up a pattern with other characters than a tool name glob has', () => {
    const run = startupFailure([], { OAUTH_MCP_TOOLS: 'oauth_.*' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Tool pattern "oauth_\.\*" is not a tool name glob/);
  });

  it('match whole names: a glob is anchored at both ends, ? is one character', () => {
    expect(selectTools(ALL_TOOLS, { tools: ['oauth_get_*'] }).map((t) => t.name)).toEqual([
      'oauth_get_client',
      'oauth_get_jwks',
    ]);
    expect(() => selectTools(ALL_TOOLS, { tools: ['get_client'] })).toThrow(/matches no tool/);
    expect(selectTools(ALL_TOOLS, { tools: ['oauth_userinf?'] }).map((t) => t.name)).toEqual([
      'oauth_userinfo',
    ]);
  });
});
