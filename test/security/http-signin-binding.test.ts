// HTTP mode: a sign-in is completed by the user who asked for it. The built server hands out
// `/oauth/start/<handle>`, binds the flow to the browser that continues there, refuses callbacks from any
// other browser, and refuses an account other than the caller's where the provider is the http.auth issuer.
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import type { ConnectedClient } from '../helpers/http-server-process.js';
import { useTwoHttpUsers } from '../helpers/two-http-users.js';
import { approveDevice, CookieJar, continueAtStartPage, signIn, visit } from '../helpers/user-agent.js';

const TEAM = { clientId: 'mcp-team', clientSecret: 'mcp-team-secret-NOT-A-REAL-SECRET' };
const teamClient = {
  client_id: TEAM.clientId,
  client_secret: TEAM.clientSecret,
  application_type: 'native',
  // Loopback redirect URIs match on any port (RFC 8252 section 7.3): the path is what counts.
  redirect_uris: ['http://127.0.0.1/oauth/callback'],
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile email offline_access',
};

/** Provider "other": a foreign issuer, where no subject can be compared and only the browser binding holds. */
const foreign = useAuthorizationServer({ clients: [teamClient] });

const provider = (issuer: string) => ({ issuer, ...TEAM, scopes: ['openid', 'profile'] });
const users = useTwoHttpUsers({
  authorizationServer: { clients: [teamClient] },
  config: (issuer) => ({
    providers: { team: provider(issuer), other: provider(foreign.issuer) },
    defaultProvider: 'team',
  }),
  // The server's own origin is its public URL: start links point at it and its cookie is not Secure.
  args: [],
  clients: { alice: 'v2-modern', bob: 'v2-modern' },
});
/** The http.auth issuer, and provider "team": the same accounts sign in to the server and to the provider. */
const home = users.as;

async function startSignIn(client: ConnectedClient, provider: string) {
  const started = await client.callTool('oauth_authenticate_user', {
    provider,
    flow: 'authorization_code',
    wait_seconds: 0,
  });
  expect(started.isError, started.content[0]?.text).toBeFalsy();
  return started.structuredContent as { flow_id: string; authorization_url: string };
}

const finish = (client: ConnectedClient, flowId: string) =>
  client.callTool('oauth_authenticate_user', { flow_id: flowId, wait_seconds: 0 });

async function sessionsOf(client: ConnectedClient) {
  const listed = await client.callTool('oauth_list_sessions');
  return (listed.structuredContent as { sessions: Record<string, unknown>[] }).sessions;
}

describe('a sign-in is completed by the user who asked for it', () => {
  it('hands out /oauth/start, which names the requester and binds the sign-in to the browser that continues', async () => {
    const { flow_id, authorization_url } = await startSignIn(users.alice, 'team');
    expect(authorization_url.startsWith(`${users.server.origin}/oauth/start/`)).toBe(true);

    // A cross-site page auto-submitting the form carries neither the page's value nor its cookie.
    const forged = await visit(authorization_url, new CookieJar(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirm=guessed',
    });
    expect(forged.status).toBe(400);

    const jar = new CookieJar();
    const { page, answer } = await continueAtStartPage(authorization_url, jar);
    expect(page.status).toBe(200);
    expect(page.text).toContain('"alice"');
    expect(page.text).toContain('"team"');
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/oauth\//);
    expect(cookie).not.toMatch(/Secure/); // the public URL is http on loopback here
    expect(answer.status).toBe(303);
    expect(answer.location?.startsWith(`${home.issuer}/`)).toBe(true);

    const { finalUrl } = await signIn(answer.location as string, { login: 'alice', jar });
    const callback = await visit(finalUrl, jar);
    expect(callback.status).toBe(200);
    expect(callback.text).toContain('Signed in');

    const done = await finish(users.alice, flow_id);
    expect(done.structuredContent).toMatchObject({
      status: 'authenticated',
      session: { provider: 'team', subject: 'alice', completed_by: 'alice' },
    });
    const [session] = await sessionsOf(users.alice);
    expect(session).toMatchObject({ completed_by: 'alice' });
    expect(Date.parse(session?.completed_at as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses another user completing the sign-in through the handed link: the requester gets no one's account", async () => {
    const { flow_id, authorization_url } = await startSignIn(users.alice, 'team');
    const bobsBrowser = new CookieJar();
    const { page, answer } = await continueAtStartPage(authorization_url, bobsBrowser);
    expect(page.text).toContain('Continue only if you are that user');
    expect(page.text).toContain('"alice"');
    // Bob presses Continue anyway and signs in as himself.
    const { finalUrl } = await signIn(answer.location as string, { login: 'bob', jar: bobsBrowser });
    const callback = await visit(finalUrl, bobsBrowser);
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('A different account completed this sign-in');

    const done = await finish(users.alice, flow_id);
    expect(done.isError).toBe(true);
    expect(done.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect((await sessionsOf(users.alice)).filter((s) => s.subject === 'bob')).toEqual([]);
    expect(await sessionsOf(users.bob)).toEqual([]);
  });

  it('spends a code that came back in the wrong browser: that browser is told, the requester learns why, and the same callback in their own browser signs no one in', async () => {
    const { flow_id, authorization_url } = await startSignIn(users.alice, 'other');
    const alicesBrowser = new CookieJar();
    const { answer } = await continueAtStartPage(authorization_url, alicesBrowser);
    const relayed = answer.location as string;
    // The start link works once: a second browser cannot take the sign-in over.
    const bobsBrowser = new CookieJar();
    const again = await continueAtStartPage(authorization_url, bobsBrowser);
    expect(again.page.text).toContain('already continued in a browser');

    // The authorization server's URL, copied out of Alice's browser and sent to Bob, who signs in as himself.
    const bobs = await signIn(relayed, { login: 'bob', jar: bobsBrowser });
    const refused = await visit(bobs.finalUrl, bobsBrowser);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('not started in this browser');
    expect(refused.text).toContain('cancelled');

    // Bob's callback URL (his code) reaches Alice's browser, which carries the binding: it must not sign her in as Bob.
    const replayed = await visit(bobs.finalUrl, alicesBrowser);
    expect(replayed.status).toBe(400);
    expect(replayed.text).not.toContain('Signed in');

    const done = await finish(users.alice, flow_id);
    expect(done.isError).toBe(true);
    expect(done.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect(done.content[0]?.text).toContain('came back in another browser');
    expect(done.content[0]?.text).toContain('oauth_authenticate_user');
    expect((await sessionsOf(users.alice)).filter((s) => s.provider === 'other')).toEqual([]);
    expect(await sessionsOf(users.bob)).toEqual([]);
  });

  it("lets the requester's own browser complete a sign-in that no other browser brought back", async () => {
    const { flow_id, authorization_url } = await startSignIn(users.alice, 'other');
    const alicesBrowser = new CookieJar();
    const { answer } = await continueAtStartPage(authorization_url, alicesBrowser);
    const alices = await signIn(answer.location as string, { login: 'alice', jar: alicesBrowser });
    expect((await visit(alices.finalUrl, alicesBrowser)).status).toBe(200);
    expect((await finish(users.alice, flow_id)).structuredContent).toMatchObject({
      status: 'authenticated',
      session: { provider: 'other', subject: 'alice', completed_by: 'alice' },
    });
    expect(await sessionsOf(users.bob)).toEqual([]);
  });

  it("refuses a step-up completed by another account: the requester's session stays as it was, and no session is added", async () => {
    const first = await startSignIn(users.alice, 'other');
    const alicesBrowser = new CookieJar();
    const { answer } = await continueAtStartPage(first.authorization_url, alicesBrowser);
    const signedIn = await signIn(answer.location as string, { login: 'alice', jar: alicesBrowser });
    expect((await visit(signedIn.finalUrl, alicesBrowser)).status).toBe(200);
    const { session } = (await finish(users.alice, first.flow_id)).structuredContent as {
      session: { session_id: string; scope: string };
    };

    const stepUp = await users.alice.callTool('oauth_authenticate_user', {
      session_id: session.session_id,
      scopes: ['email'],
      flow: 'authorization_code',
      wait_seconds: 0,
    });
    const { flow_id, authorization_url } = stepUp.structuredContent as {
      flow_id: string;
      authorization_url: string;
    };
    // Alice forwards the step-up link; Bob continues it in his own browser and signs in as himself.
    const bobsBrowser = new CookieJar();
    const bobs = await continueAtStartPage(authorization_url, bobsBrowser);
    const bobSignedIn = await signIn(bobs.answer.location as string, { login: 'bob', jar: bobsBrowser });
    const callback = await visit(bobSignedIn.finalUrl, bobsBrowser);
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('A different account than the session');

    const done = await finish(users.alice, flow_id);
    expect(done.isError).toBe(true);
    expect(done.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect(done.content[0]?.text).toContain('the session was left as it was');
    const others = (await sessionsOf(users.alice)).filter((s) => s.provider === 'other');
    expect(others).toEqual([
      expect.objectContaining({ session_id: session.session_id, subject: 'alice', scope: session.scope }),
    ]);
  });

  it('completes a sign-in with a client the user registered (the callback finds it in their namespace)', async () => {
    const registered = await users.alice.callTool('oauth_register_client', {
      provider: 'team',
      name: 'mine',
    });
    expect(registered.isError, registered.content[0]?.text).toBeFalsy();
    expect(registered.structuredContent?.redirect_uris).toEqual([`${users.server.origin}/oauth/callback`]);

    const { flow_id, authorization_url } = await startSignIn(users.alice, 'mine');
    const jar = new CookieJar();
    const { answer } = await continueAtStartPage(authorization_url, jar);
    const { finalUrl } = await signIn(answer.location as string, { login: 'alice', jar });
    const callback = await visit(finalUrl, jar);
    expect(callback.text).toContain('Signed in');
    expect((await finish(users.alice, flow_id)).structuredContent).toMatchObject({
      status: 'authenticated',
      session: { provider: 'mine', subject: 'alice' },
    });
  });

  it("refuses another user approving the requester's device sign-in at the same issuer", async () => {
    const started = await users.alice.callTool('oauth_authenticate_user', {
      provider: 'team',
      flow: 'device_code',
      wait_seconds: 0,
    });
    const { flow_id, verification_uri_complete } = started.structuredContent as {
      flow_id: string;
      verification_uri_complete: string;
    };
    await approveDevice(verification_uri_complete, { login: 'bob' });
    const done = await users.alice.callTool('oauth_authenticate_user', { flow_id, wait_seconds: 10 });
    expect(done.isError).toBe(true);
    expect(done.content[0]?.text).toContain('A different account completed this sign-in');
    expect((await sessionsOf(users.alice)).filter((s) => s.subject === 'bob')).toEqual([]);
  });
});
