// oauth_authenticate_user, device authorization grant (RFC 8628), end to end over stdio against oidc-provider:
// approval, denial, expiry, progress notifications while waiting, and cancellation that stops polling.

import { afterEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { approveDevice } from '../helpers/user-agent.js';
import { data, type SignInClient, startSignInClient } from './harness.js';

const DEVICE_GRANT = 'grant:urn:ietf:params:oauth:grant-type:device_code';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let mcp: SignInClient | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe('device flow', () => {
  const as = useAuthorizationServer();

  it('returns verification_uri, verification_uri_complete and user_code at once, then authenticated after approval', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    expect(started).toMatchObject({ status: 'pending', flow: 'device_code', provider: 'work' });
    expect(started.verification_uri).toBe(`${as.issuer}/device`);
    expect(started.verification_uri_complete).toContain('user_code=');
    expect(started.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(started).not.toHaveProperty('device_code');

    await approveDevice(started.verification_uri_complete as string, { login: 'frank' });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 10 }),
    );
    expect(done.status).toBe('authenticated');
    expect(done.session).toMatchObject({ grant: 'device_code', subject: 'frank', has_refresh_token: true });
  });

  it('ends denied when the user aborts on the verification page', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    await approveDevice(started.verification_uri_complete as string, { login: 'grace', approve: false });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 10 }),
    );
    expect(done.status).toBe('denied');
    expect(data(await mcp.call('oauth_list_sessions')).sessions).toEqual([]);
  });

  it('sends progress notifications while it waits for the user', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const waiting = mcp.call(
      'oauth_authenticate_user',
      { flow_id: started.flow_id, wait_seconds: 20 },
      { onprogress: (p) => progress.push(p) },
    );
    await sleep(1500);
    await approveDevice(started.verification_uri_complete as string, { login: 'heidi' });
    expect(data(await waiting).status).toBe('authenticated');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]).toMatchObject({ total: 20 });
    expect(progress[0]?.message).toContain(started.user_code as string);
  });

  it('stops polling the token endpoint when the call is cancelled, and the flow stays pending', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    const cancel = new AbortController();
    const waiting = mcp.call(
      'oauth_authenticate_user',
      { flow_id: started.flow_id, wait_seconds: 50 },
      { signal: cancel.signal },
    );
    await sleep(2500);
    const polledBefore = as().counts()[DEVICE_GRANT] ?? 0;
    expect(polledBefore).toBeGreaterThanOrEqual(1);
    cancel.abort();
    await expect(waiting).rejects.toThrow();
    await sleep(300);
    const polledAtCancel = as().counts()[DEVICE_GRANT] ?? 0;
    await sleep(3000);
    expect(as().counts()[DEVICE_GRANT] ?? 0).toBe(polledAtCancel);

    const still = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 0 }),
    );
    expect(still.status).toBe('pending');
  });
});

describe('device flow with a short device code lifetime', () => {
  const as = useAuthorizationServer({ ttl: { deviceCode: 3 } });

  it('ends expired when the user never approves', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 15 }),
    );
    expect(done.status).toBe('expired');
    const again = await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 0 });
    expect(again.isError).toBe(true);
  });
});
