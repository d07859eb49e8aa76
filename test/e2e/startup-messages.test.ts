// Start-up and operations messages on stderr: one start-up line in every mode, variables named in errors,
// stray quick-config variables warned about, plain messages for a busy port and an unknown toolset.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliSync } from '../helpers/terminal.js';

const home = mkdtempSync(join(tmpdir(), 'oauth-mcp-startup-'));

const cli = (args: string[], env: Record<string, string> = {}) => runCliSync(args, home, env);

describe('start-up messages', () => {
  it('says in one stderr line where the config comes from, which providers and which store', () => {
    const run = cli([], { OAUTH_ISSUER: 'https://auth.example.com', OAUTH_CLIENT_ID: 'abc' });
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((l) => l.includes('oauth-mcp 0.'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\(stdio\): config none; providers default \(default\); store auto/);
  });

  it('names the OAUTH_ISSUER variable, not a config file that does not exist', () => {
    const run = cli([], { OAUTH_ISSUER: 'not a url' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('OAUTH_ISSUER (environment)');
    expect(run.stderr).not.toContain('config.json');
  });

  it('warns when OAUTH_CLIENT_ID is set without OAUTH_ISSUER', () => {
    expect(cli([], { OAUTH_CLIENT_ID: 'abc' }).stderr).toMatch(
      /warn: OAUTH_CLIENT_ID is set but OAUTH_ISSUER is not/,
    );
  });

  it('refuses an unknown toolset before the demo starts', () => {
    const run = cli(['--demo', '--toolsets', 'nope']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown toolset "nope"');
    expect(run.stderr).not.toContain('demo authorization server running');
  });

  it("ends with the store's own message when the store cannot be opened (stdio loads it after answering initialize)", () => {
    const config = join(home, 'redis-without-url.json');
    writeFileSync(config, JSON.stringify({ store: { type: 'redis' } }));
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const run = runCliSync(['--config', config], home, {}, `${initialize}\n`);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('store.type "redis" needs store.url');
    expect(run.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
  });

  it('answers a busy port with a plain message, not a stack trace', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const { status: code, stderr } = await runCli(['--transport', 'http', '--port', String(port)], {
        PATH: process.env.PATH ?? '',
        HOME: home,
        CI: 'true',
      });
      expect(code).toBe(2);
      expect(stderr).toContain('another program uses that port');
      expect(stderr).not.toContain('    at ');
    } finally {
      busy.close();
    }
  });
});
