// Step-up in process, on the loopback redirect (stdio mode): the new tokens replace the session only when the
// session's own account signs in; another account is refused and leaves the store as it was.

import { describe, expect, it } from 'vitest';
import { OAuthEngine } from '../../src/auth/engine.js';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { listSessions } from '../../src/auth/sessions/sessions.js';
import { continueSignIn, startSignIn } from '../../src/auth/sign-in/sign-in.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer();
const never = { signal: new AbortController().signal };

function engine(): OAuthEngine {
  const registry = new ProviderRegistry({
    providers: {
      work: { issuer: as.issuer, ...as().clients.confidential, scopes: ['openid', 'profile'] },
    },
    defaultProvider: 'work',
    timeoutMs: 5000,
  });
  return new OAuthEngine({
    registry,
    vault: new Vault(new MemoryStore()),
    logger: createLogger({ level: 'error' }),
    exposeTokens: false,
  });
}

/** Starts a sign-in (a step-up with `sessionId`), signs in as `login` in a browser, and waits for the outcome. */
async function signInAs(oauth: OAuthEngine, login: string, sessionId?: string) {
  const started = await startSignIn(
    oauth.ctx,
    { flow: 'authorization_code', ...(sessionId ? { sessionId, scopes: ['email'] } : {}) },
    { openBrowser: false },
  );
  const browser = await signIn(started.authorization_url as string, { login, followCallback: true });
  return { browser, done: continueSignIn(oauth.ctx, started.flow_id, 5, never) };
}

describe('step-up', () => {
  it("replaces the session's tokens in place when the session's own account signs in", async () => {
    const oauth = engine();
    const session = (await (await signInAs(oauth, 'alice')).done).session;
    const stepped = await (await signInAs(oauth, 'alice', session?.session_id)).done;
    expect(stepped.status).toBe('authenticated');
    expect(stepped.session?.session_id).toBe(session?.session_id);
    expect(stepped.session?.scope.split(' ')).toContain('email');
    expect(await listSessions(oauth.ctx, {})).toHaveLength(1);
  });

  it('refuses a step-up completed by another account, and leaves the session as it was', async () => {
    const oauth = engine();
    const session = (await (await signInAs(oauth, 'alice')).done).session;
    const before = await listSessions(oauth.ctx, {});

    const { browser, done } = await signInAs(oauth, 'bob', session?.session_id);
    expect(browser.status).toBe(400);
    expect(browser.body).toContain('A different account than the session');
    await expect(done).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('the session was left as it was'),
    });
    expect(await listSessions(oauth.ctx, {})).toEqual(before);
  });
});
