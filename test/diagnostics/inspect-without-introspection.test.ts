// The token doctor at an oidc-provider with introspection switched off: an opaque session token cannot be
// confirmed, and what the token response said about its expiry is all there is to go on.

import { describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { useInProcessServer } from '../helpers/in-process-server.js';
import { demoConfig, signedInSession } from '../helpers/signed-in-session.js';

const as = useAuthorizationServer({ features: { introspection: false } });
const mcp = useInProcessServer(() => demoConfig(as()));

async function inspect(sessionId: string) {
  return (await mcp.server.call('oauth_inspect_token', { session_id: sessionId }))
    .structuredContent as Record<string, any>;
}

describe('an opaque token where the server offers no introspection', () => {
  it('is unverified, with the reason and the expiry the token response gave', async () => {
    const session = await signedInSession(as(), mcp.store);
    const report = await inspect(session.session_id);
    expect(report).toMatchObject({ format: 'opaque', verdict: 'unverified' });
    expect(report.reasons).toEqual([expect.stringMatching(/offers no introspection endpoint \(RFC 7662\)/)]);
    expect(report.checks).toContainEqual(
      expect.objectContaining({
        check: 'exp',
        status: 'info',
        message: expect.stringMatching(/expires in (59|60) minutes/),
      }),
    );
    expect(JSON.stringify(report)).not.toContain(session.access_token);
  });

  it('is invalid once the expiry the token response gave has passed', async () => {
    const session = await signedInSession(as(), mcp.store, { login: 'bob' });
    await new Vault(mcp.store).putSession({
      ...session,
      expires_at: new Date(Date.now() - 120_000).toISOString(),
    });
    const report = await inspect(session.session_id);
    expect(report.verdict).toBe('invalid');
    expect(report.reasons).toEqual([expect.stringMatching(/^The token expired 2 minutes ago/)]);
  });
});
