// Fault suite, authorization server side: answers of 500, non-JSON, too slow, unreachable, wrong issuer
// in metadata, JWKS rotation. Every tool must answer a clear error within its timeout, the server must
// keep serving, and nothing stored may be lost.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import {
  type AuthorizationServerOptions,
  type InjectedResponse,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '../../src/demo/authorization-server.js';
import type { ErrorCode } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type InProcessServer,
  startInProcess,
  type ToolResult,
  toolError,
} from '../helpers/in-process-server.js';
import { signedInSession } from '../helpers/signed-in-session.js';

const TIMEOUT_MS = 1_000;
/** openid-client counts its timeout in whole seconds; the rest is margin for a loaded 2-core machine. */
const ANSWER_WITHIN_MS = 1_000 + 1_500;
const WELL_KNOWN = '/.well-known/openid-configuration';

function providerConfig(as: RunningAuthorizationServer, extra: Record<string, unknown> = {}) {
  const { clientId, clientSecret } = as.clients.confidential;
  return {
    providers: { demo: { issuer: as.issuer, clientId, clientSecret, ...extra } },
    defaultProvider: 'demo',
    timeoutMs: TIMEOUT_MS,
  };
}

/** One call, timed; `expectCode` checks it failed with that code and a message saying what to do. */
async function timedCall(server: InProcessServer, name: string, args: Record<string, unknown> = {}) {
  const start = performance.now();
  const result = await server.call(name, args);
  return { result, ms: performance.now() - start };
}

function expectClearError(call: { result: ToolResult; ms: number }, code: ErrorCode) {
  const error = toolError(call.result);
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(30);
  expect(call.result.content[0]?.text).toContain(code);
  expect(call.ms).toBeLessThan(ANSWER_WITHIN_MS);
}

/** The calls every fault is checked against: each contacts the authorization server. */
function remoteCalls(seeded: Seeded): [string, Record<string, unknown>][] {
  const calls: [string, Record<string, unknown>][] = [
    ['oauth_discover', {}],
    ['oauth_client_credentials', { force_new: true }],
    ['oauth_introspect_token', { session_id: seeded.sessionId }],
    ['oauth_revoke_access', { session_id: seeded.sessionId }],
    ['oauth_register_client', { client_name: 'fault suite' }],
  ];
  if (seeded.user) {
    calls.push(
      ['oauth_refresh_token', { session_id: seeded.user.session_id }],
      ['oauth_userinfo', { session_id: seeded.user.session_id }],
    );
  }
  return calls;
}

interface Seeded {
  store: MemoryStore;
  /** A machine token (client credentials). */
  sessionId: string;
  fingerprint: string;
  /** A signed-in user with a refresh token (code flow + PKCE through the AS's login pages). */
  user?: StoredSession;
}

/** Sessions obtained before the fault, in a store the server under test shares. */
async function seed(as: RunningAuthorizationServer): Promise<Seeded> {
  const store = new MemoryStore({ reason: 'fault suite' });
  const seeder = await startInProcess(providerConfig(as), { store });
  const result = await seeder.call('oauth_client_credentials', { force_new: true });
  await seeder.close();
  const session = (
    result.structuredContent as { session: { session_id: string; access_token_sha256: string } }
  ).session;
  const user = await signedInSession(as, store, { login: 'alice' });
  return { store, sessionId: session.session_id, fingerprint: session.access_token_sha256, user };
}

async function expectSessionKept(server: InProcessServer, seeded: Seeded) {
  const listed = await server.call('oauth_list_sessions');
  expect(listed.isError).toBeFalsy();
  const sessions = (
    listed.structuredContent as { sessions: { session_id: string; access_token_sha256: string }[] }
  ).sessions;
  expect(sessions).toContainEqual(
    expect.objectContaining({ session_id: seeded.sessionId, access_token_sha256: seeded.fingerprint }),
  );
  if (seeded.user) {
    // untouched: a refresh that failed must neither lose the tokens nor ask the user to sign in again
    const stored = await new Vault(seeded.store).getSession(seeded.user.session_id);
    expect(stored).toMatchObject({
      access_token: seeded.user.access_token,
      refresh_token: seeded.user.refresh_token,
    });
    expect(stored?.needs_reauth).toBeUndefined();
  }
}

/** The kept sessions work again, and a new token can be had (it supersedes the old machine session). */
async function expectServing(server: InProcessServer, seeded: Seeded) {
  const introspected = await server.call('oauth_introspect_token', { session_id: seeded.sessionId });
  expect(introspected.structuredContent).not.toHaveProperty('error');
  await expectSessionKept(server, seeded);
  if (seeded.user) {
    const refreshed = await server.call('oauth_refresh_token', { session_id: seeded.user.session_id });
    expect(refreshed.structuredContent).not.toHaveProperty('error');
  }
  const fresh = await server.call('oauth_client_credentials', { force_new: true });
  expect(fresh.structuredContent).not.toHaveProperty('error');
}

interface Fault {
  name: string;
  code: ErrorCode;
  apply(as: RunningAuthorizationServer, path: string): void;
  /** RFC 7009 section 2.2: a revocation answered 200 succeeded, whatever the body says. */
  revocationSucceeds?: boolean;
}

const queue = (response: InjectedResponse) => (as: RunningAuthorizationServer, path: string) => {
  for (let i = 0; i < 20; i++) as.failNext(path, response);
};

const FAULTS: Fault[] = [
  {
    name: 'answers 500 with an HTML page',
    code: 'invalid_response',
    apply: queue({
      status: 500,
      body: '<html><h1>Internal Server Error</h1></html>',
      contentType: 'text/html',
    }),
  },
  {
    name: 'answers 200 with a body that is not JSON',
    code: 'invalid_response',
    apply: queue({ status: 200, body: 'hello, this is not JSON', contentType: 'text/plain' }),
    revocationSucceeds: true,
  },
  {
    name: 'answers slower than timeoutMs',
    code: 'timeout',
    apply: (as, path) => as.delay(path, 3 * TIMEOUT_MS),
  },
];

describe('an authorization server that fails', () => {
  const as = useAuthorizationServer();
  let seeded: Seeded;
  let server: InProcessServer;

  beforeEach(async () => {
    seeded = await seed(as());
    server = await startInProcess(providerConfig(as()), { store: seeded.store });
  });
  afterEach(async () => {
    as().clearFaults();
    await server.close();
    await seeded.store.close();
  });

  describe.each(FAULTS)('when discovery $name', (fault) => {
    it('every tool answers a clear error in time, keeps serving and loses nothing', async () => {
      fault.apply(as(), WELL_KNOWN);
      for (const [name, args] of remoteCalls(seeded)) {
        expectClearError(await timedCall(server, name, args), fault.code);
      }
      await expectSessionKept(server, seeded);
      as().clearFaults();
      await expectServing(server, seeded);
    });
  });

  describe.each(FAULTS)('when every endpoint but discovery $name', (fault) => {
    it('every tool answers a clear error in time, keeps serving and loses nothing', async () => {
      const discovered = await server.call('oauth_discover');
      const metadata = (discovered.structuredContent as { metadata: Record<string, string> }).metadata;
      for (const endpoint of [
        'token_endpoint',
        'introspection_endpoint',
        'revocation_endpoint',
        'userinfo_endpoint',
        'registration_endpoint',
      ]) {
        fault.apply(as(), new URL(metadata[endpoint] as string).pathname);
      }
      const calls = remoteCalls(seeded)
        .slice(1)
        .filter(([name]) => !(fault.revocationSucceeds && name === 'oauth_revoke_access'));
      for (const [name, args] of calls) {
        expectClearError(await timedCall(server, name, args), fault.code);
      }
      await expectSessionKept(server, seeded);
      as().clearFaults();
      await expectServing(server, seeded);
    });
  });

  it('refuses metadata whose issuer is not the one asked for, on every tool', async () => {
    const response = await fetch(`${as.issuer}${WELL_KNOWN}`);
    const forged = { ...((await response.json()) as object), issuer: 'https://attacker.example' };
    queue({ status: 200, body: JSON.stringify(forged) })(as(), WELL_KNOWN);
    for (const [name, args] of remoteCalls(seeded)) {
      const call = await timedCall(server, name, args);
      expectClearError(call, 'invalid_response');
      expect(toolError(call.result).message).not.toContain('attacker.example/token');
    }
    await expectSessionKept(server, seeded);
    as().clearFaults();
    await expectServing(server, seeded);
  });
});

/** An authorization server that can be stopped and started again on the same port (new signing keys). */
function restartable(options: AuthorizationServerOptions = {}) {
  let current: RunningAuthorizationServer | undefined;
  let port = 0;
  const handle = {
    get: () => {
      if (!current) throw new Error('the authorization server is stopped');
      return current;
    },
    start: async () => {
      current = await startAuthorizationServer({ ...options, port, onServerError: () => undefined });
      port = current.port;
      return current;
    },
    stop: async () => {
      await current?.close();
    },
  };
  beforeAll(handle.start);
  afterAll(handle.stop);
  return handle;
}

describe('an authorization server that goes away', () => {
  const as = restartable();

  it('while the server is running: every tool answers network_error, and it recovers when the AS is back', async () => {
    const seeded = await seed(as.get());
    const server = await startInProcess(providerConfig(as.get()), { store: seeded.store });
    try {
      await as.stop(); // before this server ever discovered it
      for (const [name, args] of remoteCalls(seeded)) {
        expectClearError(await timedCall(server, name, args), 'network_error');
      }
      await expectSessionKept(server, seeded);

      await as.start();
      expect((await server.call('oauth_discover')).isError).toBeFalsy();
      await as.stop(); // after discovery: the token endpoints are gone
      for (const [name, args] of remoteCalls(seeded).slice(1)) {
        expectClearError(await timedCall(server, name, args), 'network_error');
      }
      await expectSessionKept(server, seeded);

      await as.start();
      // the restarted AS (in-memory adapter) has forgotten the user's grant; the machine token is re-issued
      await expectServing(server, { ...seeded, user: undefined });
    } finally {
      await server.close();
      await seeded.store.close();
    }
  });
});

describe('JWKS rotation mid-run (the AS restarts with new signing keys)', () => {
  const JWT_RESOURCE = 'http://127.0.0.1/jwt-api';
  const as = restartable({
    resourceServers: { [JWT_RESOURCE]: { scope: 'api:read', accessTokenFormat: 'jwt' } },
  });

  it('verifies tokens signed with the new key locally, rejects the old ones, and never errors', async () => {
    // Without an introspection endpoint in the metadata, JWT access tokens are checked against the JWKS.
    const metadata = (await (await fetch(`${as.get().issuer}${WELL_KNOWN}`)).json()) as Record<
      string,
      unknown
    >;
    delete metadata.introspection_endpoint;
    // oidc-provider publishes the same document as RFC 8414 metadata too; discovery reads and merges both
    for (const document of [WELL_KNOWN, '/.well-known/oauth-authorization-server']) {
      as.get().failNext(document, { status: 200, body: JSON.stringify(metadata) });
    }
    const server = await startInProcess({
      ...providerConfig(as.get(), { resource: JWT_RESOURCE, scopes: ['api:read'] }),
      exposeTokens: true,
    });
    const newToken = async () => {
      const result = await server.call('oauth_client_credentials', { force_new: true });
      return (result.structuredContent as { session: { access_token: string } }).session.access_token;
    };
    const check = async (token: string) => {
      const result = await server.call('oauth_introspect_token', { token });
      expect(result.structuredContent).not.toHaveProperty('error');
      return result.structuredContent as { active: boolean; method: string; reason?: string };
    };
    try {
      const before = await newToken();
      expect(await check(before)).toMatchObject({ active: true, method: 'local_jwt' });

      await as.stop();
      await as.start();
      const after = await newToken();
      const rotatedAt = performance.now();
      // jose refetches a JWKS on an unknown `kid` only after its cooldown (src/auth/provider/jwks.ts)
      let verdict = await check(after);
      while (!verdict.active && performance.now() - rotatedAt < 40_000) {
        expect(verdict.reason).toBeTruthy();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        verdict = await check(after);
      }
      expect(verdict).toMatchObject({ active: true, method: 'local_jwt' });
      console.info(
        `new signing key accepted ${((performance.now() - rotatedAt) / 1000).toFixed(1)} s after rotation`,
      );
      expect(await check(before)).toMatchObject({ active: false, method: 'local_jwt' });
    } finally {
      await server.close();
    }
  });
});
