// Issue 23 items 1-4 and 14, through the built binary in HTTP mode with two users (Alice attacks, Bob is
// attacked): what Alice pastes is no secret for Bob and cannot break his results; her flood cannot make
// his in-flight call forget his token; redaction does not tell her whether her guess is a config secret;
// the deployment's initial access token is not hers to use; the log never carries anyone's start link.

import { randomBytes } from 'node:crypto';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackApi, startLoopbackApi } from '../api/loopback-api.js';
import {
  everything,
  type HostileAuthorizationServer,
  leakedFragments,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { demoProvider } from '../helpers/http-server-process.js';
import { type ToolResult, toToolResult } from '../helpers/tool-result.js';
import { useTwoHttpUsers } from '../helpers/two-http-users.js';

const CONFIG_SECRET = `cfg-${randomBytes(24).toString('base64url')}`;
const DEPLOYMENT_IAT = `iat-${randomBytes(24).toString('base64url')}`;
const FLOOD = 4_300;

let hostile: HostileAuthorizationServer;
let api: LoopbackApi;
const issued: string[] = [];
let releaseSlow: () => void = () => undefined;
let slowReached: () => void = () => undefined;

/** A call that may wait longer than the SDK's default 60 s request timeout (the flood on a busy machine). */
async function callWaiting(
  accountId: string,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolResult> {
  const client = new ClientV1({ name: 'oauth-mcp-http-tests', version: '1.0.0' });
  const requestInit = { headers: { Authorization: `Bearer ${await users.tokenFor(accountId)}` } };
  await client.connect(new HttpV1(new URL(users.server.mcpUrl), { requestInit }));
  try {
    await client.listTools();
    return toToolResult(await client.callTool({ name, arguments: args }, undefined, { timeout: 280_000 }));
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  hostile = await startHostileAuthorizationServer({
    token: () => {
      const accessToken = `at-${randomBytes(30).toString('base64url')}`;
      issued.push(accessToken);
      return { body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 } };
    },
    register: (received) => ({
      status: 201,
      body: {
        client_id: `client-${randomBytes(6).toString('hex')}`,
        client_secret: randomBytes(24).toString('base64url'),
        client_secret_expires_at: 0,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        registered_with: received.seen.authorization ?? 'none',
      },
    }),
  });
  api = await startLoopbackApi(undefined, {
    '/echo': (_req, res, seen) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`you sent: ${seen.body}`);
    },
    '/leak': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`the client secret is ${CONFIG_SECRET}.`);
    },
    '/slow': async (_req, res, seen) => {
      await new Promise<void>((resolve) => {
        releaseSlow = resolve;
        slowReached();
      });
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(`your token: ${seen.authorization?.replace(/^Bearer /, '')}`);
    },
  });
});

afterAll(async () => {
  await api?.close();
  await hostile?.close();
});

const users = useTwoHttpUsers({
  config: (issuer) => {
    const machine = { issuer: hostile.issuer, clientId: 'machine', clientSecret: CONFIG_SECRET };
    return {
      providers: {
        machine: { ...machine, sharedClientCredentials: true },
        dcr: { issuer: hostile.issuer, initialAccessToken: DEPLOYMENT_IAT },
        'dcr-shared': {
          issuer: hostile.issuer,
          initialAccessToken: DEPLOYMENT_IAT,
          sharedClientCredentials: true,
        },
        demo: demoProvider(issuer),
      },
      defaultProvider: 'machine',
      api: { allowedOrigins: [api.origin] },
      // Bob's API call waits while Alice floods: it must not time out first.
      timeoutMs: 120_000,
    };
  },
  clients: { alice: 'v1', bob: 'v1' },
  timeoutMs: 60_000,
});

// A v1 client validates structuredContent against the output schema it was shown: list the tools first.
beforeAll(async () => {
  await users.alice.listTools();
  await users.bob.listTools();
});

describe('what one user pastes (item 1)', () => {
  it("is no secret for another user: Bob's client still accepts his results, nothing blanked", async () => {
    for (const pasted of ['access_token_sha256', hostile.issuer, 'client_credentials', 'access_token']) {
      await users.alice.callTool('oauth_inspect_token', { token: pasted });
    }
    const made = await users.bob.callTool('oauth_client_credentials', { force_new: true });
    expect(made.isError).toBeFalsy();
    expect(JSON.stringify(made.structuredContent)).not.toContain('[redacted]');
    expect(made.structuredContent).toMatchObject({
      session: { access_token_sha256: expect.stringMatching(/^[0-9a-f]{16}$/), provider: 'machine' },
    });
  });

  it("never breaks the paster's own results either: keys and enum values are kept", async () => {
    // Alice's own pasted value equals an enum value of the result: it is the schema's, so it stays.
    const inspected = await users.alice.callTool('oauth_inspect_token', { token: 'access_token' });
    expect(inspected.structuredContent).toMatchObject({ token_type: 'access_token' });
    expect(JSON.stringify(inspected.structuredContent)).not.toMatch(/"\[redacted\]":/);
    const made = await users.alice.callTool('oauth_client_credentials', { force_new: true });
    expect(made.isError).toBeFalsy();
    expect(made.structuredContent).toMatchObject({
      session: { access_token_sha256: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
  });
});

describe('a call in flight (item 2)', () => {
  it(`keeps Bob's token redacted while Alice pastes ${FLOOD} tokens before his API answers`, async () => {
    expect((await users.bob.callTool('oauth_client_credentials', { force_new: true })).isError).toBeFalsy();
    const bobsToken = issued.at(-1) as string;
    const reached = new Promise<void>((resolve) => {
      slowReached = resolve;
    });
    const call = callWaiting('bob', 'oauth_call_api', { url: `${api.origin}/slow` });
    await reached;
    const pending = Array.from({ length: FLOOD }, (_, i) => `flood-${i}-${randomBytes(12).toString('hex')}`);
    const workers = Array.from({ length: 16 }, async () => {
      for (let token = pending.pop(); token; token = pending.pop()) {
        await users.alice.callTool('oauth_inspect_token', { token });
      }
    });
    await Promise.all(workers);
    releaseSlow();
    const result = await call;
    expect(result.content[0]?.text).toContain('your token: [redacted]');
    expect(leakedFragments(everything(result), bobsToken)).toEqual([]);
  }, 300_000);
});

describe('redaction as an oracle (item 3)', () => {
  it('echoes a guess back the same whether or not it is the config client secret', async () => {
    for (const guess of [CONFIG_SECRET, `cfg-${randomBytes(24).toString('base64url')}`]) {
      const result = await users.alice.callTool('oauth_call_api', {
        url: `${api.origin}/echo`,
        method: 'POST',
        body: guess,
      });
      expect(result.isError).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain(`you sent: ${guess}`);
    }
  });

  it('still hides the config secret from a user who did not send it, and from the log', async () => {
    const result = await users.bob.callTool('oauth_call_api', { url: `${api.origin}/leak` });
    expect(result.isError).toBeFalsy();
    expect(everything(result)).toContain('[redacted]');
    expect(leakedFragments(everything(result, users.server.stderr()), CONFIG_SECRET)).toEqual([]);
  });
});

describe("the deployment's initial access token (item 4)", () => {
  it('is refused to users unless the provider opts in, and the refusal says how', async () => {
    const before = hostile.requests.filter((r) => r.path === '/register').length;
    const refused = await users.bob.callTool('oauth_register_client', { provider: 'dcr', redirect_uris: [] });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect(refused.content[0]?.text).toContain('"sharedClientCredentials": true');
    expect(refused.content[0]?.text).toContain('initial_access_token');
    expect(hostile.requests.filter((r) => r.path === '/register').length).toBe(before);

    const own = await users.bob.callTool('oauth_register_client', {
      provider: 'dcr',
      redirect_uris: [],
      initial_access_token: 'bobs-own-initial-token',
    });
    expect(own.content[0]?.text).toContain('client_id');
    expect(hostile.requests.at(-1)?.authorization).toBe('Bearer bobs-own-initial-token');

    const shared = await users.bob.callTool('oauth_register_client', {
      provider: 'dcr-shared',
      redirect_uris: [],
    });
    expect(shared.isError).toBeFalsy();
    expect(hostile.requests.at(-1)?.authorization).toBe(`Bearer ${DEPLOYMENT_IAT}`);
  });
});

describe('the start link in the log (item 14)', () => {
  it("logs the flow id, never the start link's handle", async () => {
    const started = await users.alice.callTool('oauth_authenticate_user', {
      provider: 'demo',
      wait_seconds: 0,
    });
    expect(started.isError).toBeFalsy();
    const { authorization_url, flow_id } = started.structuredContent as {
      authorization_url: string;
      flow_id: string;
    };
    const handle = /\/oauth\/start\/([\w-]{43})$/.exec(authorization_url)?.[1] as string;
    expect(handle).toBeDefined();
    expect(users.server.stderr()).toContain(flow_id);
    expect(users.server.stderr()).not.toContain(handle);
  });
});
