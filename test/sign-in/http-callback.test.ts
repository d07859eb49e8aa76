// HTTP mode's side of sign-in, in process: a fixed redirect URI instead of a loopback listener, the callback
// found by `state` alone (it carries no bearer token), and a flow started on one instance finished on another.

import { describe, expect, it } from 'vitest';
import { OAuthEngine } from '../../src/auth/engine.js';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { listSessions } from '../../src/auth/sessions/sessions.js';
import { completeAuthorizationCallback } from '../../src/auth/sign-in/authorization-code.js';
import { loopbackRedirects } from '../../src/auth/sign-in/loopback-redirect.js';
import { continueSignIn, startSignIn } from '../../src/auth/sign-in/sign-in.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer();
const CALLBACK = 'http://127.0.0.1:8123/callback';
const never = { signal: new AbortController().signal };

/** One server instance: its own registry and engine, on a store shared with the other instances. */
function instance(store: MemoryStore) {
  const registry = new ProviderRegistry({
    providers: {
      work: { issuer: as.issuer, ...as().clients.confidential, scopes: ['openid', 'profile'] },
    },
    defaultProvider: 'work',
    timeoutMs: 5000,
  });
  const logger = createLogger({ level: 'error' });
  return new OAuthEngine({
    registry,
    vault: new Vault(store),
    logger,
    exposeTokens: false,
    callbackUrl: CALLBACK,
  });
}

describe('sign-in in HTTP mode', () => {
  it("redirects to the fixed callback URL and finishes the flow in the starting principal's store", async () => {
    const store = new MemoryStore();
    const first = instance(store);
    const second = instance(store);
    const alice = first.forPrincipal('https://idp.example|alice');

    const started = await startSignIn(alice.ctx, {}, { openBrowser: false });
    const query = new URL(started.authorization_url as string).searchParams;
    expect(query.get('redirect_uri')).toBe(CALLBACK);
    expect(loopbackRedirects.openPorts()).toEqual([]);

    const result = await signIn(started.authorization_url as string, {
      login: 'alice',
      stopAt: (url) => url.href.startsWith(CALLBACK),
    });
    // The /oauth/callback route has no principal: it hands the request to the root engine of any instance.
    const page = await completeAuthorizationCallback(second.ctx, new URL(result.finalUrl));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");

    const done = await continueSignIn(
      second.forPrincipal('https://idp.example|alice').ctx,
      started.flow_id,
      5,
      never,
    );
    expect(done.status).toBe('authenticated');
    expect(done.session?.subject).toBe('alice');
    expect(await listSessions(first.ctx, {})).toEqual([]);
    expect(await listSessions(first.forPrincipal('https://idp.example|bob').ctx, {})).toEqual([]);
    expect(await listSessions(alice.ctx, {})).toHaveLength(1);
  });

  it("does not let another principal continue someone else's flow", async () => {
    const store = new MemoryStore();
    const engine = instance(store);
    const started = await startSignIn(engine.forPrincipal('alice').ctx, {}, { openBrowser: false });
    await expect(
      continueSignIn(engine.forPrincipal('mallory').ctx, started.flow_id, 0, never),
    ).rejects.toThrow(/No pending sign-in/);
  });
});
