// Help that helps and mistakes told with their fix: help [command], did-you-mean for commands, flags,
// providers and config keys, doctor on a broken config and on a clear-text store, and a progress line only
// in a terminal while a slow server answers. The built binary, in a real pseudo-terminal where it matters.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLSETS } from '../../src/tools/tool.js';
import { CLI } from '../helpers/mcp-server-process.js';
import { runCli, inTerminal as terminal } from '../helpers/terminal.js';

let dir = '';
let slow: Server;
let slowIssuer = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-help-'));
  // An authorization server that takes 1.5 s to answer discovery (and then has none).
  slow = createServer((_req, res) => setTimeout(() => res.writeHead(404).end(), 1500));
  await new Promise<void>((ready) => slow.listen(0, '127.0.0.1', ready));
  slowIssuer = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
});
afterAll(async () => {
  slow.closeAllConnections();
  await new Promise((done) => slow.close(done));
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', TERM: 'dumb' });
const inTerminal = (args: string[]) => terminal([process.execPath, CLI, ...args], env());
const run = (args: string[]) => runCli(args, env());

function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const fileStore = (name: string) => ({ type: 'file', path: join(dir, `${name}-tokens.json`) });

describe('help', () => {
  it('help and --help list every command and every toolset', async () => {
    const help = await run(['help']);
    expect(help.status).toBe(0);
    for (const command of ['login', 'status', 'token', 'logout', 'providers', 'doctor', 'demo', 'help']) {
      expect(help.stdout).toContain(`oauth-mcp ${command}`);
    }
    for (const toolset of TOOLSETS) expect(help.stdout).toContain(toolset);
    expect((await run(['--help'])).stdout).toBe(help.stdout);
  });

  it('help <command> and <command> --help show its options and examples', async () => {
    const help = await run(['help', 'token']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: oauth-mcp token');
    expect(help.stdout).toMatch(/--client-credentials\s+a machine token/);
    expect(help.stdout).toMatch(/Examples:\n {2}oauth-mcp token /);
    expect((await run(['token', '--help'])).stdout).toBe(help.stdout);
    expect((await run(['token', '-h'])).stdout).toBe(help.stdout);
  });

  it("every line of the README's command list names a command and flags its --help knows", async () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /<!-- commands: every command, [^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
    const lines = block.split('\n').map((line) => line.replace(/\s+# .*$/, ''));
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines) {
      const [program, command = ''] = line.split(' ');
      expect(program).toBe('oauth-mcp');
      const help = await run([command, '--help']);
      expect(help.status, line).toBe(0);
      for (const flag of line.match(/--[\w-]+/g) ?? []) expect(help.stdout, line).toContain(flag);
    }
  }, 60_000);

  it('the README lists every command that help lists', async () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const usages = [...(await run(['help'])).stdout.matchAll(/^ {2}oauth-mcp (\w+) /gm)].map((m) => m[1]);
    for (const command of new Set(usages)) expect(readme).toContain(`oauth-mcp ${command}`);
  });
});

describe('did you mean', () => {
  it('a mistyped command, with the one next step and exit 2', async () => {
    const typo = await run(['stauts']);
    expect(typo.status).toBe(2);
    expect(typo.stderr.trim()).toBe('oauth-mcp: Unknown command "stauts". Did you mean oauth-mcp status?');
  });

  it('help for a mistyped command', async () => {
    const help = await run(['help', 'logot']);
    expect(help.status).toBe(2);
    expect(help.stderr.trim()).toBe('oauth-mcp: Unknown command "logot". Did you mean oauth-mcp logout?');
  });

  it('a mistyped flag of a command and of the server', async () => {
    expect((await run(['status', '--jsn'])).stderr.trim()).toBe(
      'oauth-mcp: Unknown option --jsn. Did you mean --json?',
    );
    const server = await run(['--prot', '9000']);
    expect(server.status).toBe(2);
    expect(server.stderr.trim()).toBe('oauth-mcp: Unknown option --prot. Did you mean --port?');
  });

  it('a command after the server flags: put it first', async () => {
    const misplaced = await run(['--demo', 'login', 'demo']);
    expect(misplaced.status).toBe(2);
    expect(misplaced.stderr.trim()).toBe('oauth-mcp: The command comes first: oauth-mcp login --demo demo');
  });

  it('a flag nothing resembles lists the command options instead', async () => {
    const wild = await run(['logout', '--zzzzzz']);
    expect(wild.stderr).toContain(
      'Unknown option --zzzzzz for oauth-mcp logout. Its options: --json, --config',
    );
  });

  it('a mistyped provider and config key', async () => {
    const config = writeFile(
      'typo.json',
      JSON.stringify({
        providers: { work: { issuer: 'https://auth.example.com', clientId: 'a' } },
        store: fileStore('typo'),
      }),
    );
    const provider = await run(['login', 'wrok', '--config', config]);
    expect(provider.status).toBe(2);
    expect(provider.stderr).toContain('Unknown provider "wrok". Did you mean "work"?');

    const key = writeFile(
      'key.json',
      JSON.stringify({ providers: { work: { issuer: 'https://auth.example.com', clientid: 'a' } } }),
    );
    const status = await run(['status', '--config', key]);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('providers.work: unknown key "clientid": did you mean "clientId"?');
    expect(status.stderr).not.toContain('--help');
  });
});

describe('a first run', () => {
  it('status with no providers says where to add one, or to try the demo', async () => {
    const config = writeFile('empty.json', JSON.stringify({ store: fileStore('empty') }));
    const status = await run(['status', '--config', config]);
    expect(status.status).toBe(0);
    expect(status.stderr).toContain(`No providers yet. Add one under "providers" in ${config}`);
    expect(status.stderr).toContain('try the commands on the demo server: oauth-mcp demo');
  });
});

describe('doctor', () => {
  it('runs on a config that is not JSON and says where it breaks (exit 1)', async () => {
    const broken = writeFile('broken.json', '{\n  "providers": {},\n}\n');
    const doctor = await run(['doctor', '--config', broken]);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain(`FAIL config: ${broken} (from --config)`);
    expect(doctor.stdout).toContain('line 3, column 1: a comma before "}": remove the trailing comma');
    const json = JSON.parse((await run(['doctor', '--json', '--config', broken])).stdout);
    expect(json).toMatchObject({ ok: false, config: { path: broken, exists: true } });
    expect(json.config.problem).toContain('line 3, column 1');
  });

  it('rates an unencrypted file store as a warning with how to set a key', async () => {
    const config = writeFile('clear.json', JSON.stringify({ store: fileStore('clear') }));
    const doctor = await run(['doctor', '--config', config]);
    expect(doctor.stdout).toMatch(/^WARN store: file at .*NOT encrypted/m);
    expect(doctor.stdout).toContain(
      'set OAUTH_MCP_STORE_KEY (or store.key) to a passphrase of 16+ characters',
    );
    const json = JSON.parse((await run(['doctor', '--json', '--config', config])).stdout);
    expect(json.store.warning).toContain('OAUTH_MCP_STORE_KEY');
    const encrypted = writeFile(
      'sealed.json',
      JSON.stringify({ store: { ...fileStore('sealed'), key: 'a-passphrase-of-16-chars' } }),
    );
    expect((await run(['doctor', '--config', encrypted])).stdout).toMatch(
      /^ok {3}store: file at .*, encrypted/m,
    );
  });
});

describe('progress while waiting', () => {
  it('status shows a spinner while a slow server answers, in a terminal only', async () => {
    const config = writeFile(
      'slow.json',
      JSON.stringify({
        providers: { slow: { issuer: slowIssuer, clientId: 'a' } },
        store: fileStore('slow'),
      }),
    );
    const terminal = await inTerminal(['status', '--config', config]);
    expect(terminal.output).toMatch(/\r[|/\\-] Checking the providers\.\.\./);
    expect(terminal.output).toContain('BROKEN');
    const piped = await run(['status', '--config', config]);
    expect(piped.stderr).not.toContain('Checking the providers');
    expect(piped.stdout).toContain('BROKEN');
  }, 30_000);
});
