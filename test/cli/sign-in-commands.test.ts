// login where no browser opens and the server has no device flow (the pasted callback URL), machine tokens
// by --client-credentials, and --json on login and logout; in a real pseudo-terminal with the built binary.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { CLI } from '../helpers/mcp-server-process.js';
import { runCli, inTerminal as terminal } from '../helpers/terminal.js';
import { signIn } from '../helpers/user-agent.js';

/** A confidential client of a server without the device flow (whose clients then cannot list that grant). */
const CLIENT = { clientId: 'no-device', clientSecret: 'no-device-secret-NOT-A-REAL-SECRET' };
const as = useAuthorizationServer({
  features: { deviceFlow: false },
  // Below the 60 s refresh margin: every `token` refreshes first.
  ttl: { accessToken: 30 },
  clients: [
    {
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid offline_access',
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
});
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-sign-in-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(): string {
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      providers: {
        work: {
          issuer: as.issuer,
          clientId: CLIENT.clientId,
          clientSecret: CLIENT.clientSecret,
          scopes: ['openid', 'offline_access'],
        },
      },
      store: { type: 'file', path: join(dir, 'tokens.json'), key: 'a-test-key-of-16-chars' },
    }),
  );
  return path;
}

const env = () => ({ PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', TERM: 'dumb' });
const inTerminal = (args: string[], onOutput?: (output: string, type: (text: string) => void) => void) =>
  terminal([process.execPath, CLI, ...args], env(), onOutput);
const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { ...env(), ...extraEnv });

const AUTHORIZATION_URL = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/;

describe('oauth-mcp login without a browser or a device flow', () => {
  it('prints the link once and finishes from the callback address pasted into the terminal', async () => {
    const config = writeConfig();
    let pasting: Promise<void> | undefined;
    const result = await inTerminal(['login', 'work', '--config', config], (output, type) => {
      const link = AUTHORIZATION_URL.exec(output)?.[1];
      if (!link || pasting || !output.includes('paste its address here')) return;
      pasting = (async () => {
        // The browser on "another machine" ends on our redirect URI, which it cannot load: stop there.
        const { finalUrl } = await signIn(link, {
          login: 'dave',
          stopAt: (url) => url.pathname === '/callback',
        });
        // A wrong line, then the address at once: the second waits for the first, it is not dropped.
        type(`not a url\n${finalUrl}\n`);
      })();
    });
    await pasting;
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(AUTHORIZATION_URL)).toHaveLength(2); // the match and its group: one link
    expect(result.output.split('/auth?').length).toBe(2);
    expect(result.output).toContain('That address is not a URL');
    // No spinner redrawing over what is being pasted.
    expect(result.output).not.toMatch(/\r[|/\\-] Waiting/);
    expect(result.output).toContain('Signed in as dave at work');
  }, 60_000);

  it("token refreshes the signed-in session's access token before printing it", async () => {
    const config = writeConfig();
    const first = await run(['token', 'work', '--json', '--config', config]);
    const second = await run(['token', 'work', '--json', '--config', config]);
    expect(first.status, first.stderr).toBe(0);
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    expect(a.session_id).toBe(b.session_id);
    expect(b.access_token).not.toBe(a.access_token);
    expect(Date.parse(b.expires_at)).toBeGreaterThan(Date.now());
  });

  it('refuses a pasted address that is not the redirect URI of this sign-in, and keeps waiting', async () => {
    const config = writeConfig();
    let typed = false;
    const result = await inTerminal(['login', 'work', '--config', config], (output, type) => {
      if (typed || !output.includes('paste its address here')) return;
      typed = true;
      type('https://attacker.example/callback?code=stolen&state=x\n');
      setTimeout(() => type('\u0003'), 500);
    });
    expect(result.output).toContain("That address must be this sign-in's redirect URI");
    expect(result.output).not.toContain('Signed in');
    expect(result.code).not.toBe(0);
  }, 30_000);
});

describe('machine tokens and --json', () => {
  it('login --client-credentials gets a machine token; token --client-credentials prints one', async () => {
    const config = writeConfig();
    const login = await run(['login', '--client-credentials', 'work', '--json', '--config', config]);
    expect(login.status, login.stderr).toBe(0);
    const { status, session } = JSON.parse(login.stdout);
    expect(status).toBe('authenticated');
    expect(session).toMatchObject({ provider: 'work', grant: 'client_credentials' });
    expect(login.stdout).not.toContain('"access_token"');

    const log = join(dir, 'token.log');
    const token = await run(
      ['token', 'work', '--client-credentials', '--config', config, '--log-file', log],
      {
        OAUTH_MCP_LOG_LEVEL: 'debug',
      },
    );
    expect(token.status).toBe(0);
    const printed = token.stdout.trim();
    expect(printed).toMatch(/^[\w-]{20,}$/);
    // stdout is the one place it goes: not stderr, not the debug log a bug report would attach.
    expect(token.stderr).not.toContain(printed);
    const logged = readFileSync(log, 'utf8');
    expect(logged).toContain('token finished with exit code 0');
    expect(logged).not.toContain(printed);
  });

  it('with a memory store, login does not promise hosts the session', async () => {
    const path = join(dir, 'memory.json');
    writeFileSync(
      path,
      JSON.stringify({
        providers: {
          work: { issuer: as.issuer, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret },
        },
        store: { type: 'memory' },
      }),
    );
    const login = await run(['login', '--client-credentials', 'work', '--config', path]);
    expect(login.status).toBe(0);
    expect(login.stdout).toContain('Signed in (machine token) at work');
    expect(login.stderr).toContain('The token store is "memory": this session ends with this command.');
    expect(login.stderr).not.toContain('MCP hosts');
    const filed = await run(['login', '--client-credentials', 'work', '--config', writeConfig()]);
    expect(filed.stderr).toContain('MCP hosts using the same config and store now find this session.');
  });

  it('logout shows a spinner while the server takes its time to revoke', async () => {
    const config = writeConfig();
    expect((await run(['login', '--client-credentials', 'work', '--config', config])).status).toBe(0);
    as().delay('/token/revocation', 1200);
    try {
      const logout = await inTerminal(['logout', 'work', '--config', config]);
      expect(logout.code).toBe(0);
      expect(logout.output).toMatch(/\r[|/\\-] Revoking ses_\S+ at the server\.\.\./);
      expect(logout.output).toContain('tokens revoked at the server');
    } finally {
      as().clearFaults();
    }
  }, 30_000);

  it('logout --json lists what was signed out and whether the server revoked it', async () => {
    const config = writeConfig();
    expect((await run(['login', '--client-credentials', 'work', '--config', config])).status).toBe(0);
    const logout = await run(['logout', 'work', '--json', '--config', config]);
    expect(logout.status).toBe(0);
    const { signed_out } = JSON.parse(logout.stdout);
    expect(signed_out.length).toBeGreaterThan(0);
    for (const entry of signed_out)
      expect(entry).toMatchObject({ session_id: expect.stringMatching(/^ses_/) });
    expect(signed_out.some((entry: { revoked: boolean }) => entry.revoked)).toBe(true);
    expect(JSON.parse((await run(['logout', 'work', '--json', '--config', config])).stdout)).toEqual({
      signed_out: [],
    });
  });
});
