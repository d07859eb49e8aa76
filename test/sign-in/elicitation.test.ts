// URL-mode elicitation of the sign-in page, written once for both protocol eras: a 2025-era client (SDK v1,
// a real elicitation/create) and a 2026-era client (SDK v2, input_required and retry) each get the URL.

import { afterEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { approveDevice, signIn } from '../helpers/user-agent.js';
import { data, type ElicitedUrl, type SignInClient, startSignInClient } from './harness.js';

const as = useAuthorizationServer();
let mcp: SignInClient | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe.each(['v1', 'v2'] as const)('URL elicitation with a %s client', (era) => {
  it('asks the user to open the authorization URL, then returns authenticated', async () => {
    const asked: ElicitedUrl[] = [];
    mcp = await startSignInClient(as(), {
      era,
      onElicitUrl: async (request) => {
        asked.push(request);
        await signIn(request.url, { login: `${era}-user`, followCallback: true });
        return 'accept';
      },
    });
    const done = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 10 }));
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toContain('Sign in to work');
    expect(new URL(asked[0]?.url as string).searchParams.get('code_challenge_method')).toBe('S256');
    expect(done.status).toBe('authenticated');
    expect(done.session).toMatchObject({ subject: `${era}-user` });
  });

  it('offers the device verification page the same way', async () => {
    mcp = await startSignInClient(as(), {
      era,
      onElicitUrl: async (request) => {
        expect(request.message).toMatch(/confirm the code [A-Z]{4}-[A-Z]{4}/);
        await approveDevice(request.url, { login: `${era}-device` });
        return 'accept';
      },
    });
    const done = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 10 }));
    expect(done).toMatchObject({ status: 'authenticated', flow: 'device_code' });
  });

  it('ends denied when the user declines to open the page', async () => {
    mcp = await startSignInClient(as(), { era, onElicitUrl: async () => 'decline' });
    const done = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 10 }));
    expect(done.status).toBe('denied');
    expect(data(await mcp.call('oauth_list_sessions')).sessions).toEqual([]);
  });
});

it('returns the URL in the result for a client without URL elicitation', async () => {
  mcp = await startSignInClient(as(), { era: 'v1' });
  const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 1 }));
  expect(started.status).toBe('pending');
  expect(started.authorization_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
});
