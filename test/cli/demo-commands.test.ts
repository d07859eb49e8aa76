// The README's demo walk-through, line by line and as written, in bash: `oauth-mcp demo` in one process, then
// each line in a real pseudo-terminal (util-linux `script`); `oauth-mcp` on the PATH is the built binary.

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-server-process.js';
import { quote, inTerminal as terminal } from '../helpers/terminal.js';
import { approveDevice } from '../helpers/user-agent.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const BLOCK = /<!-- commands: the demo, [^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(README)?.[1] ?? '';
/** The README's command lines: `oauth-mcp demo`, then the commands of terminal 2. */
const LINES = BLOCK.split('\n');
/** What each line runs, without its comment (for naming the steps). */
const commandOf = (line: string) => line.replace(/\s+# .*$/, '');

let dir = '';
let port = 0;
let demo: ChildProcess | undefined;
let banner = '';

const env = () => ({
  PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  OAUTH_MCP_DEMO_PORT: String(port),
  CI: 'true',
  TERM: 'dumb',
});
/** The README's fixed demo port is this test's free one (parallel test runs share the machine). */
const asHere = (line: string) => line.replaceAll(':9339', `:${port}`);
/** Runs a README line with bash in a pseudo-terminal; `onOutput` sees the terminal output as it grows. */
const inTerminal = (line: string, onOutput?: (output: string) => void) =>
  terminal(['bash', '-c', asHere(line)], env(), onOutput);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-demo-'));
  mkdirSync(join(dir, 'bin'));
  // `oauth-mcp` as an install puts it on the PATH.
  writeFileSync(
    join(dir, 'bin', 'oauth-mcp'),
    `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(CLI)} "$@"\n`,
  );
  chmodSync(join(dir, 'bin', 'oauth-mcp'), 0o755);
  port = await freePort();
  expect(commandOf(LINES[0] ?? '')).toBe('oauth-mcp demo');
  // exec: the demo server itself is the child, so Ctrl+C (SIGINT) reaches it.
  demo = spawn('bash', ['-c', `exec ${LINES[0]}`], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    demo?.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk.toString('utf8');
      if (banner.includes('In another terminal')) ready();
    });
    demo?.once('exit', (code) => fail(new Error(`oauth-mcp demo exited (${code}): ${banner}`)));
  });
}, 30_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((done) => demo?.once('exit', done));
    demo.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the README demo walk-through', () => {
  it('the demo server says where it runs, which user and password to use, and the next commands', () => {
    expect(banner).toContain(`running at http://127.0.0.1:${port}`);
    expect(banner).toContain('any user name and any password');
    expect(banner).toMatch(/node \S*cli\.js login --demo/);
  });

  it('runs every line of the README block in order, in a terminal', async () => {
    const steps = LINES.slice(1);
    expect(steps.map(commandOf)).toEqual([
      'oauth-mcp login --demo',
      'oauth-mcp status --demo',
      'oauth-mcp token --demo',
      'oauth-mcp token --demo --json',
      'curl -s -H "Authorization: Bearer $(oauth-mcp token --demo)" http://127.0.0.1:9339/me',
      'oauth-mcp logout --demo',
    ]);
    const outputs: string[] = [];
    for (const line of steps) {
      let approving: Promise<unknown> | undefined;
      const { code, output } = await inTerminal(line, (sofar) => {
        // No browser can open here (CI): login shows the device flow's link and code.
        const link = /(http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z-]+)/.exec(sofar)?.[1];
        if (link && !approving) approving = approveDevice(link, { login: 'alice' });
      });
      await approving;
      expect(code, `${line}\n${output}`).toBe(0);
      outputs.push(output);
    }
    const [login, status, token, json, userinfo, logout] = outputs;
    expect(login).toContain('Signed in as alice at demo');
    expect(status).toMatch(/alice\s.*in (59|60) minutes/);
    const printed = token?.trim() ?? '';
    expect(printed).toMatch(/^[\w-]{20,}$/);
    expect(JSON.parse(json ?? '')).toMatchObject({ access_token: printed, provider: 'demo' });
    expect(JSON.parse(userinfo ?? '')).toMatchObject({ sub: 'alice' });
    expect(logout).toContain('tokens revoked at the server');

    // Signed out, the next step keeps --demo.
    const after = await inTerminal('oauth-mcp token --demo');
    expect(after.code).toBe(1);
    expect(after.output).toContain('Run oauth-mcp login demo --demo to sign in.');
  }, 90_000);

  it('doctor --demo checks the demo server instead of your config', async () => {
    const { code, output } = await inTerminal('oauth-mcp doctor --demo');
    expect(code, output).toBe(0);
    expect(output).toContain(`config: the demo server of oauth-mcp demo (http://127.0.0.1:${port})`);
    expect(output).toMatch(/ok {3}provider demo: .* reachable/);
  });

  it('a --demo command without the demo server running says how to start it', async () => {
    const saved = port;
    port = await freePort();
    try {
      const { code, output } = await inTerminal('oauth-mcp status --demo');
      expect(code).toBe(2);
      expect(output).toContain(`No demo authorization server answers at http://127.0.0.1:${port}`);
      expect(output).toMatch(/Start it in another terminal with: node \S*cli\.js demo/);
    } finally {
      port = saved;
    }
  });
});
