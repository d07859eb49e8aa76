// The README's Inspector command for a server started with its own `--config`: run as written (the
// Inspector from node_modules for `npx @modelcontextprotocol/inspector`, the built CLI for
// `npx -y oauth-mcp-server`), it lists our tools; without the `--` the Inspector takes `--config` itself.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-server-process.js';
import { INSPECTOR, INSPECTOR_VERSION } from '../helpers/mcp-tools.js';

const run = promisify(execFile);
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const INSPECTOR_NPX = 'npx @modelcontextprotocol/inspector';
const SERVER_NPX = 'npx -y oauth-mcp-server';
const CONFIG = './oauth-mcp.json';

const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-inspector-config-'));
const configPath = join(dir, 'oauth-mcp.json');
writeFileSync(configPath, JSON.stringify({ store: { type: 'memory' } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's command as argv for this checkout: the Inspector's and our bins on this test's Node. */
function readmeCommand(): string[] {
  const block = README.match(/<!-- command: inspector-with-config -->\n```sh\n(.+)\n```/)?.[1];
  if (!block) throw new Error('README has no "inspector-with-config" command block');
  expect(block.startsWith(`${INSPECTOR_NPX} `)).toBe(true);
  const [inspectorArgs = '', serverArgs = ''] = block.slice(INSPECTOR_NPX.length + 1).split(' -- ');
  expect(serverArgs.startsWith(`${SERVER_NPX} `)).toBe(true);
  const server = serverArgs
    .slice(SERVER_NPX.length + 1)
    .split(' ')
    .map((arg) => (arg === CONFIG ? configPath : arg));
  return [...INSPECTOR.slice(1), ...inspectorArgs.split(' '), '--', process.execPath, CLI, ...server];
}

async function inspector(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(INSPECTOR[0], args, { timeout: 60_000, env: { ...process.env, CI: 'true' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

describe('the README command for the Inspector with a config file', () => {
  it('lists the tools of a server started with --config', async () => {
    const { code, stdout, stderr } = await inspector(readmeCommand());
    expect(code, stderr).toBe(0);
    const { tools } = JSON.parse(stdout) as { tools: { name: string }[] };
    expect(tools.map((tool) => tool.name)).toContain('oauth_list_sessions');
  }, 60_000);

  // Checked on the Inspector this repository pins (0.x); the Node 22 leg's newer one may parse differently.
  it.runIf(INSPECTOR_VERSION.startsWith('0.'))(
    'needs the --: without it the Inspector takes --config as its own',
    async () => {
      const withoutSeparator = readmeCommand().filter((arg) => arg !== '--');
      const { code, stderr } = await inspector(withoutSeparator);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/--config/);
    },
    60_000,
  );
});
