// oauth-mcp init <host>, through the built binary on copies of real host config files: the entry is
// merged in, nothing else in the file is lost, a backup is kept, an entry of the same name is replaced
// only when the person says so (asked in a real pseudo-terminal, or --force), and no secret is written.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOSTS } from '../../src/cli/host-configs.js';
import { serverEntry } from '../../src/cli/host-entry.js';
import { CLI } from '../helpers/mcp-server-process.js';
import { inTerminal as terminal } from '../helpers/terminal.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/hosts');
let home = '';

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'oauth-mcp-init-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const env = () => ({ PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config') });

function init(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, 'init', ...args], { env: env(), encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Puts a fixture where the host reads its config, as a person's machine has it. */
function place(fixture: string, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(join(FIXTURES, fixture), path);
  return readFileSync(path, 'utf8');
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const backups = (path: string) => readdirSync(dirname(path)).filter((name) => name.endsWith('.bak'));

describe('oauth-mcp init', () => {
  it('adds the server to Claude Desktop, keeping its other servers and settings, with a backup', () => {
    const path = join(home, '.config', 'Claude', 'claude_desktop_config.json');
    const original = place('claude_desktop_config.json', path);
    const result = init('claude-desktop', '--issuer', 'https://auth.example.com', '--client-id', 'desk-app');
    expect(result.code).toBe(0);
    const written = json(path);
    const before = JSON.parse(original);
    expect(written.mcpServers.filesystem).toEqual(before.mcpServers.filesystem);
    expect(written.mcpServers.github).toEqual(before.mcpServers.github);
    expect(written.globalShortcut).toBe('Alt+Space');
    expect(written.preferences).toEqual(before.preferences);
    expect(written.mcpServers.oauth).toEqual({
      command: 'npx',
      args: ['-y', 'oauth-mcp-server'],
      env: { OAUTH_ISSUER: 'https://auth.example.com', OAUTH_CLIENT_ID: 'desk-app' },
    });
    const [backup] = backups(path);
    expect(readFileSync(join(dirname(path), backup as string), 'utf8')).toBe(original);
    expect(result.stdout).toContain('Quit and reopen Claude Desktop');
  });

  it("keeps every other key of Claude Code's ~/.claude.json and its file mode", () => {
    const path = join(home, '.claude.json');
    const before = JSON.parse(place('claude.json', path));
    spawnSync('chmod', ['600', path]);
    expect(init('claude-code').code).toBe(0);
    const written = json(path);
    expect({ ...written, mcpServers: before.mcpServers }).toEqual(before);
    expect(Object.keys(written.mcpServers)).toEqual(['context7', 'oauth']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('VS Code: the secret comes from its password prompt, added once beside the inputs already there', () => {
    const path = join(home, '.config', 'Code', 'User', 'mcp.json');
    place('vscode-mcp.json', path);
    const args = [
      'vscode',
      '--issuer',
      'https://auth.example.com',
      '--client-id',
      'app',
      '--client-secret-env',
      'S',
    ];
    expect(init(...args).code).toBe(0);
    expect(init(...args, '--force').code).toBe(0);
    const written = json(path);
    expect(written.inputs.map((input: { id: string }) => input.id)).toEqual([
      'perplexity-key',
      'oauth-client-secret',
    ]);
    expect(written.servers.oauth.type).toBe('stdio');
    expect(written.servers.oauth.env.OAUTH_CLIENT_SECRET).toBe('${input:oauth-client-secret}');
    expect(Object.keys(written.servers)).toEqual(['perplexity', 'github', 'oauth']);
  });

  it('Cursor and Windsurf: the secret as a reference to a variable of the host, never a value', () => {
    const cursor = join(home, '.cursor', 'mcp.json');
    const windsurf = join(home, '.codeium', 'windsurf', 'mcp_config.json');
    place('cursor-mcp.json', cursor);
    place('windsurf-mcp_config.json', windsurf);
    const provider = [
      '--issuer',
      'https://auth.example.com',
      '--client-id',
      'app',
      '--client-secret-env',
      'APP_SECRET',
    ];
    const result = init('cursor', ...provider);
    expect(result.stdout).toContain('Set APP_SECRET in the environment Cursor starts from');
    expect(init('windsurf', ...provider).code).toBe(0);
    expect(json(cursor).mcpServers.oauth.env.OAUTH_CLIENT_SECRET).toBe('${env:APP_SECRET}');
    expect(json(cursor).mcpServers.linear).toEqual({ url: 'https://mcp.linear.app/sse' });
    expect(json(windsurf).mcpServers.oauth.env.OAUTH_CLIENT_SECRET).toBe('${env:APP_SECRET}');
    expect(json(windsurf).mcpServers['brave-search'].disabled).toBe(false);
  });

  it('refuses a secret where the host could only hold it in clear, and a value given as a variable name', () => {
    const desktop = init(
      'claude-desktop',
      '--issuer',
      'https://a.example.com',
      '--client-id',
      'x',
      '--client-secret-env',
      'S',
    );
    expect(desktop.code).toBe(2);
    expect(desktop.stderr).toContain('public client');
    const value = init(
      'cursor',
      '--issuer',
      'https://a.example.com',
      '--client-id',
      'x',
      '--client-secret-env',
      'hunter2-secret!',
    );
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('not the secret itself');
    expect(value.stderr).not.toContain('hunter2');
    expect(existsSync(join(home, '.cursor', 'mcp.json'))).toBe(false);
  });

  it('checks the provider as the server will, naming the flag', () => {
    const result = init('cursor', '--issuer', 'http://auth.example.com', '--client-id', 'x');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--issuer: http is allowed only on loopback');
  });

  it('without a terminal to ask, leaves a different entry of the same name alone unless --force', () => {
    const path = join(home, '.cursor', 'mcp.json');
    place('cursor-mcp.json', path);
    expect(init('cursor', '--name', 'postgres').code).toBe(2);
    expect(json(path).mcpServers.postgres.args).toContain('postgresql://localhost/mydb');
    expect(backups(path)).toEqual([]);
    const forced = init('cursor', '--name', 'postgres', '--force');
    expect(forced.code).toBe(0);
    expect(json(path).mcpServers.postgres.args).toEqual(['-y', 'oauth-mcp-server']);
    expect(backups(path)).toHaveLength(1);
  });

  it('changes nothing when the same entry is there already', () => {
    const path = join(home, '.cursor', 'mcp.json');
    expect(init('cursor').code).toBe(0);
    const again = init('cursor');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing changed');
    expect(backups(path)).toEqual([]);
  });

  it('asks in a terminal before replacing an entry, and keeps it on no', async () => {
    const path = join(home, '.cursor', 'mcp.json');
    place('cursor-mcp.json', path);
    const no = await inTerminal(['init', 'cursor', '--name', 'postgres'], 'n\n');
    expect(no.output).toContain('Replace it? [y/N]');
    expect(no.code).toBe(1);
    expect(json(path).mcpServers.postgres.args).toContain('postgresql://localhost/mydb');
    const yes = await inTerminal(['init', 'cursor', '--name', 'postgres'], 'y\n');
    expect(yes.code).toBe(0);
    expect(json(path).mcpServers.postgres.args).toEqual(['-y', 'oauth-mcp-server']);
  });

  it('refuses a file with comments, saying where, and leaves it as it was', () => {
    const path = join(home, '.config', 'Code', 'User', 'mcp.json');
    const original = place('vscode-mcp-with-comments.jsonc', path);
    const result = init('vscode');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 2, column 3/);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('--print shows the entry and writes nothing', () => {
    const result = init('claude-code', '--print');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).mcpServers.oauth.command).toBe('npx');
    expect(existsSync(join(home, '.claude.json'))).toBe(false);
  });

  it('refuses names that are not server names, prototype keys included', () => {
    for (const name of ['__proto__', '../x', '']) expect(init('cursor', '--name', name).code).toBe(2);
  });

  it('--local writes an entry that starts this installation, and a host can list its tools', async () => {
    const path = join(home, '.cursor', 'mcp.json');
    expect(init('cursor', '--local', '--issuer', 'https://auth.example.com', '--client-id', 'app').code).toBe(
      0,
    );
    const entry = json(path).mcpServers.oauth;
    expect(entry.command).toBe(process.execPath);
    const client = new Client({ name: 'host', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { ...env(), ...entry.env },
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('oauth_authenticate_user');
    } finally {
      await client.close();
    }
  });

  it('starts npx through cmd for Claude Desktop on Windows', () => {
    const entry = serverEntry(HOSTS['claude-desktop'], {
      host: 'claude-desktop',
      name: 'oauth',
      launch: { kind: 'npx' },
      platform: 'win32',
    });
    expect(entry).toEqual({ command: 'cmd', args: ['/c', 'npx', '-y', 'oauth-mcp-server'] });
  });

  it('finds each host file where the host reads it, per OS', () => {
    const mac = { platform: 'darwin' as const, env: {}, home: '/Users/a' };
    const windows = {
      platform: 'win32' as const,
      env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' },
      home: 'C:\\Users\\a',
    };
    expect(HOSTS['claude-desktop'].path(mac)).toBe(
      '/Users/a/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(HOSTS.vscode.path(mac)).toBe('/Users/a/Library/Application Support/Code/User/mcp.json');
    expect(HOSTS['claude-desktop'].path(windows)).toContain('Claude');
    expect(HOSTS['claude-desktop'].path(windows)).toContain('Roaming');
    expect(HOSTS.cursor.path(mac)).toBe('/Users/a/.cursor/mcp.json');
  });
});

/** Runs `oauth-mcp ...args` in a pseudo-terminal, typing `input` once asked. */
function inTerminal(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  let typed = false;
  return terminal([process.execPath, CLI, ...args], { ...env(), TERM: 'dumb' }, (output, type) => {
    if (typed || !output.includes('[y/N]')) return;
    typed = true;
    type(input);
  });
}
