// The people's commands in a real pseudo-terminal (util-linux `script`) against the test AS: login by the
// device flow (no browser can open here), status and its exit codes, token, logout; one store with the server.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { CLI } from '../helpers/mcp-server-process.js';
import { runCli, inTerminal as terminal } from '../helpers/terminal.js';
import { approveDevice } from '../helpers/user-agent.js';

const as = useAuthorizationServer();
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, extra: Record<string, unknown> = {}): string {
  const { confidential } = as().clients;
  const path = join(dir, `${name}.json`);
  const config = {
    providers: {
      demo: {
        issuer: as.issuer,
        clientId: confidential.clientId,
        clientSecret: confidential.clientSecret,
        scopes: ['openid', 'offline_access'],
      },
    },
    defaultProvider: 'demo',
    store: { type: 'file', path: join(dir, 'tokens.json') },
    ...extra,
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', TERM: 'dumb' });
const inTerminal = (args: string[], onOutput?: (output: string) => void) =>
  terminal([process.execPath, CLI, ...args], env(), onOutput);
const run = (args: string[]) => runCli(args, env());

describe('oauth-mcp login / status / token / logout', () => {
  it('signs in with the device flow when no browser can open, showing the code first and a spinner', async () => {
    const config = writeConfig('exposed', { exposeTokens: true });
    let approving: Promise<unknown> | undefined;
    const result = await inTerminal(['login', '--config', config], (output) => {
      const link = /(http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z-]+)/.exec(output)?.[1];
      if (link && !approving) approving = approveDevice(link, { login: 'carol' });
    });
    await approving;
    expect(result.code).toBe(0);
    const codeAt = result.output.indexOf('code: ');
    expect(codeAt).toBeGreaterThan(-1);
    expect(result.output.indexOf('Waiting for you to sign in')).toBeGreaterThan(codeAt);
    expect(result.output).toMatch(/\r[|/\\-] Waiting/);
    expect(result.output).toContain('Signed in as carol at demo');
  }, 60_000);

  it('status lists the session (exit 0) and as JSON; token prints the access token, --json with expiry and scope', async () => {
    const config = writeConfig('exposed', { exposeTokens: true });
    const status = await inTerminal(['status', '--config', config]);
    expect(status.code).toBe(0);
    expect(status.output).toContain('carol');
    const json = await run(['status', '--json', '--config', config]);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.ok).toBe(true);
    expect(parsed.sessions[0]).toMatchObject({ provider: 'demo', subject: 'carol', usable: true });
    expect(json.stdout).not.toContain('"access_token"');

    const token = await run(['token', '--config', config]);
    expect(token.status).toBe(0);
    const printed = token.stdout.trim();
    expect(printed.length).toBeGreaterThan(20);
    const introspected = await fetch(`${as.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${as().clients.confidential.clientId}:${as().clients.confidential.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: printed }),
    }).then((r) => r.json() as Promise<{ active: boolean; sub?: string }>);
    expect(introspected).toMatchObject({ active: true, sub: 'carol' });

    // exposeTokens governs what tools show a model; the person at the terminal owns the store.
    const asJson = await run(['token', '--json', '--config', writeConfig('hidden')]);
    expect(asJson.status).toBe(0);
    const described = JSON.parse(asJson.stdout);
    expect(described).toMatchObject({ access_token: printed, token_type: 'Bearer', provider: 'demo' });
    expect(described.scope).toContain('openid');
    expect(Date.parse(described.expires_at)).toBeGreaterThan(Date.now());
    expect(asJson.stderr).not.toContain(printed);
  });

  it('a failed command says which command to run next, and exits 1 (2 for what was typed)', async () => {
    const empty = writeConfig('empty', {
      exposeTokens: true,
      store: { type: 'file', path: join(dir, 'none.json') },
    });
    const token = await run(['token', '--config', empty]);
    expect(token.status).toBe(1);
    expect(token.stdout).toBe('');
    expect(token.stderr).toContain('No session for provider "demo"');
    expect(token.stderr).toContain('Run oauth-mcp login demo to sign in.');
    expect(token.stderr).not.toContain('--help');

    const typo = await run(['logout', 'dmeo', '--config', empty]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('Unknown provider "dmeo"');
  });

  it('status exits 1 when a provider is broken', async () => {
    const config = writeConfig('broken', {
      providers: { dead: { issuer: 'http://127.0.0.1:1', clientId: 'x' } },
      defaultProvider: 'dead',
    });
    const status = await run(['status', '--config', config]);
    expect(status.status).toBe(1);
    expect(status.stdout).toContain('BROKEN');
    // Port 1 is one of fetch's "bad ports": a URL to change, not a bug of ours.
    expect(status.stderr).toContain('its port is one fetch refuses to use');
    expect(status.stderr).not.toContain('bug');
  });

  it('logout revokes at the server and removes the session; status is clean again', async () => {
    const config = writeConfig('exposed', { exposeTokens: true });
    const token = (await run(['token', '--config', config])).stdout.trim();
    const logout = await inTerminal(['logout', 'demo', '--config', config]);
    expect(logout.code).toBe(0);
    expect(logout.output).toContain('tokens revoked at the server');
    const after = JSON.parse((await run(['status', '--json', '--config', config])).stdout);
    expect(after.sessions).toEqual([]);
    expect((await run(['token', '--config', config])).status).not.toBe(0);
    expect(token).not.toBe('');
  });

  it('doctor reports the config file, the store and each provider as JSON', async () => {
    const config = writeConfig('exposed', { exposeTokens: true });
    const doctor = await run(['doctor', '--json', '--config', config]);
    expect(doctor.status).toBe(0);
    const report = JSON.parse(doctor.stdout);
    expect(report.config).toMatchObject({ path: config, from: '--config', exists: true });
    expect(report.store).toMatchObject({ backend: 'file', ok: true });
    expect(report.providers[0]).toMatchObject({ name: 'demo', ok: true });
    expect(report.providers[0].endpoints.device_authorization).toBe(true);
    expect(report.browser).toBe(false);
  });
});
