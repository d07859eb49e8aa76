// The MCP Inspector 2.x CLI's own OAuth against HTTP mode with default settings, at an authorization server
// that enforces registered scopes, run as the README's commands: the first run registers the Inspector
// (RFC 7591), opens "the browser" for PKCE (through $BROWSER, a script handing the URL to this test's user
// agent) and lists the tools; the second run calls a tool with the token the first one stored, without a
// browser. Once with the OS keychain (a private gnome-keyring), once with the README's settings for a
// machine without one (an encrypted file). The Inspector's CLI has OAuth from 2.x on (Node 22.19+): it runs
// on the Node 22 leg, where OAUTH_MCP_NODE22_TOOLS names the Inspector .ci/run installs.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowserCommand } from '../helpers/browser-command.js';
import { freePort } from '../helpers/http-server-process.js';
import { useMcpHttpDeployment } from '../helpers/mcp-http-deployment.js';
import { INSPECTOR, INSPECTOR_VERSION } from '../helpers/mcp-tools.js';
import { needsProgram } from '../helpers/programs.js';
import {
  type PrivateSecretService,
  secretTool,
  startPrivateSecretService,
} from '../helpers/secret-service.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const INSPECTOR_NPX = 'npx @modelcontextprotocol/inspector';
const README_URL = 'https://mcp.example.com/mcp';
/** The Inspector keeps its secrets under this keychain service (its KeyringSecretStore). */
const INSPECTOR_KEYCHAIN_SERVICE = 'mcp-inspector';

const WITHOUT_OAUTH = INSPECTOR_VERSION.startsWith('0.')
  ? `the Inspector here is ${INSPECTOR_VERSION}, whose CLI has no OAuth; these tests run on the Node 22 leg ` +
    'with the Inspector 2.x that bash .ci/run installs (OAUTH_MCP_NODE22_TOOLS)'
  : undefined;
if (WITHOUT_OAUTH) process.stderr.write(`note: ${WITHOUT_OAUTH}\n`);

const deployment = await useMcpHttpDeployment();
const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-inspector-oauth-'));
let callbackUrl: string;
const browser = useBrowserCommand('inspector-user');
const { opened } = browser;

beforeAll(async () => {
  // Its default callback port (6276) may be taken on a shared machine.
  callbackUrl = `http://127.0.0.1:${await freePort()}/oauth/callback`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

/** The lines of the README's fenced block after `<!-- command: name -->`. */
function readmeLines(name: string): string[] {
  const block = README.match(new RegExp(`<!-- command: ${name} -->\\n\`\`\`sh\\n([^]+?)\\n\`\`\``))?.[1];
  if (!block) throw new Error(`README has no "${name}" command block`);
  return block.split('\n');
}

/** A README command line as the Inspector's arguments, aimed at this test's deployment. */
function inspectorArgs(line: string): string[] {
  expect(line.startsWith(`${INSPECTOR_NPX} `)).toBe(true);
  const args = line.slice(INSPECTOR_NPX.length + 1).split(' ');
  expect(args).toContain(README_URL);
  return args.map((arg) => (arg === README_URL ? deployment.mcpUrl : arg));
}

const [LIST_COMMAND = '', CALL_COMMAND = ''] = readmeLines('inspector-http-oauth');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a README command line as a shell would, with `env` (HOME and the rest) and a browser to open. */
function inspector(line: string, env: Record<string, string>): Promise<Run> {
  const [node, bin] = INSPECTOR;
  return new Promise((done) => {
    execFile(
      node,
      [bin, ...inspectorArgs(line)],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          BROWSER: browser.command(),
          MCP_OAUTH_CALLBACK_URL: callbackUrl,
          ...env,
        },
      },
      (error, stdout, stderr) =>
        done({
          code: error ? Number(error.code ?? 1) : 0,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
        }),
    );
  });
}

function result(run: Run): any {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/**
 * A person at a terminal: the Inspector opens a browser only with a TTY, which a test has not;
 * MCP_AUTO_OPEN_ENABLED=true is the Inspector's own way to say that a browser may be opened without one.
 */
const AT_A_TERMINAL = { MCP_AUTO_OPEN_ENABLED: 'true' };

/** The README's two commands in one person's environment: sign in and list, then call with the stored token. */
function signsInOnceThenReuses(personal: () => Record<string, string>): void {
  const env = () => ({ ...AT_A_TERMINAL, ...personal() });
  it('the first command signs in once through the browser (DCR + PKCE) and lists the tools', async () => {
    const before = opened.length;
    const listed = result(await inspector(LIST_COMMAND, env()));
    expect(listed.tools.map((tool: { name: string }) => tool.name)).toContain('oauth_list_sessions');
    expect(opened).toHaveLength(before + 1);
    const sign = opened[before];
    expect(sign?.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sign?.url.searchParams.get('resource')).toBe(deployment.mcpUrl);
    expect(sign?.url.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['mcp:tools:read', 'mcp:tools:execute']),
    );
    expect((await sign?.done)?.status).toBe(200);
  }, 60_000);

  it('the second command calls a tool with the stored token and opens no browser', async () => {
    const before = opened.length;
    const called = result(await inspector(CALL_COMMAND, env()));
    expect(called.isError, JSON.stringify(called.content)).toBeFalsy();
    expect(called.structuredContent).toMatchObject({ sessions: [] });
    expect(opened).toHaveLength(before);
  }, 60_000);
}

describe.skipIf(WITHOUT_OAUTH)(`MCP Inspector ${INSPECTOR_VERSION} CLI OAuth against HTTP mode`, () => {
  describe('with the OS keychain (gnome-keyring), as on a desktop', () => {
    const available = needsProgram(
      'gnome-keyring-daemon',
      'apt-get install gnome-keyring dbus libsecret-tools',
    );
    const home = join(dir, 'desktop');
    let keyring: PrivateSecretService | undefined;
    const keyringEnv = (): Record<string, string> => {
      if (!keyring) throw new Error('the private Secret Service is not running');
      const { DBUS_SESSION_BUS_ADDRESS = '', XDG_DATA_HOME = '', XDG_RUNTIME_DIR = '' } = keyring.env;
      return { DBUS_SESSION_BUS_ADDRESS, XDG_DATA_HOME, XDG_RUNTIME_DIR };
    };
    beforeAll(async () => {
      if (available) keyring = await startPrivateSecretService();
    });
    afterAll(() => keyring?.stop());

    signsInOnceThenReuses(() => ({ HOME: home, ...keyringEnv() }));

    it('keeps the token in the keychain, not in a file', async () => {
      const accounts = await secretTool.accounts(INSPECTOR_KEYCHAIN_SERVICE, keyring?.env);
      // Its accounts: oauth+<namespace>+<the server URL, encoded>:<field>:<issuer>
      const tokens = accounts.filter((account) => account.includes(':tokens:'));
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toContain(encodeURIComponent(deployment.mcpUrl));
      expect(existsSync(join(home, '.mcp-inspector', 'secrets.json'))).toBe(false);
    });
  });

  describe("without a keychain, with the README's encrypted file", () => {
    const home = join(dir, 'headless');
    const settings = (): Record<string, string> => {
      const [line = ''] = readmeLines('inspector-http-no-keychain');
      expect(line.startsWith('export ')).toBe(true);
      return Object.fromEntries(
        line
          .slice('export '.length)
          .split(' ')
          .map((pair) => pair.split('=') as [string, string])
          .map(([name, value]) => [name, value.replace(/^\$HOME\b/, home)]),
      );
    };
    beforeAll(() => {
      // The passphrase file the README asks for.
      const keyFile = settings().MCP_INSPECTOR_SECRET_KEY_FILE ?? '';
      mkdirSync(resolve(keyFile, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, 'a passphrase of the user (oauth-mcp tests)\n', { mode: 0o600 });
    });

    signsInOnceThenReuses(() => ({ HOME: home, ...settings() }));

    it('keeps the token in an encrypted file', () => {
      const file = readFileSync(join(home, '.mcp-inspector', 'secrets.json'), 'utf8');
      expect(file).not.toMatch(/eyJ|access_token/);
      expect(JSON.parse(file)).toHaveProperty('kdf');
    });
  });

  describe('with a client created for it at the AS (--client-id)', () => {
    const home = join(dir, 'static-client');
    let clientId = '';
    beforeAll(async () => {
      // What an administrator does where registration is closed: a public client with PKCE and the
      // Inspector's redirect URI (here through the test AS's own registration endpoint).
      const response = await fetch(`${deployment.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'MCP Inspector (created by an administrator)',
          redirect_uris: [callbackUrl],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          application_type: 'native',
          scope: 'mcp:tools:read mcp:tools:execute offline_access',
        }),
      });
      expect(response.status).toBe(201);
      clientId = ((await response.json()) as { client_id: string }).client_id;
    });
    const env = () => ({ ...AT_A_TERMINAL, HOME: home, MCP_INSPECTOR_SECRET_STORE: 'file' });

    it('signs in with that client, then the second command reuses its token', async () => {
      const [line = ''] = readmeLines('inspector-http-static-client');
      expect(line).toContain('--client-id YOUR_CLIENT_ID');
      const before = opened.length;
      const listed = result(await inspector(line.replace('YOUR_CLIENT_ID', clientId), env()));
      expect(listed.tools.map((tool: { name: string }) => tool.name)).toContain('oauth_list_sessions');
      expect(opened).toHaveLength(before + 1);
      expect(opened[before]?.url.searchParams.get('client_id')).toBe(clientId);
      expect((await opened[before]?.done)?.status).toBe(200);

      const called = result(await inspector(CALL_COMMAND, env()));
      expect(called.isError, JSON.stringify(called.content)).toBeFalsy();
      expect(opened).toHaveLength(before + 1);
    }, 60_000);
  });

  it("the README's redirect URI for such a client is the Inspector's default", async () => {
    const redirectUri = README.match(/redirect URI\s+`(http:\/\/127\.0\.0\.1:\d+\/oauth\/callback)`/)?.[1];
    expect(redirectUri).toBeTruthy();
    const [node, bin] = INSPECTOR;
    const help = await new Promise<string>((done, fail) =>
      execFile(node, [bin, '--cli', '--help'], { env: { PATH: process.env.PATH ?? '' } }, (error, stdout) =>
        error ? fail(error) : done(stdout.replace(/\s+/g, ' ')),
      ),
    );
    expect(help).toContain(`default: ${redirectUri}`);
  });

  describe('in a CI job (no terminal)', () => {
    it('opens no browser and fails with auth_required when no token is stored', async () => {
      const before = opened.length;
      const run = await inspector(LIST_COMMAND, {
        HOME: join(dir, 'ci-job'),
        MCP_INSPECTOR_SECRET_STORE: 'file',
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/auth_required/);
      expect(opened).toHaveLength(before);
    }, 60_000);
  });
});
