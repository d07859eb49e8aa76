// Headless sign-in: no desktop here picks the device flow; a code flow finishes from the redirect URL
// the user pastes (the browser was elsewhere), with its redirect URI and state checked first.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineContext } from '../../src/auth/engine-context.js';
import { browserLauncher, desktopAvailable } from '../../src/auth/sign-in/browser.js';
import { completePastedCallback } from '../../src/auth/sign-in/pasted-callback.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { demoConfig } from '../helpers/signed-in-session.js';
import { signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer();

describe('desktop detection', () => {
  it('sees no desktop without a display, or over SSH without a forwarded X display, and opens nothing there', () => {
    expect(desktopAvailable('linux', {})).toBe(false);
    expect(desktopAvailable('linux', { DISPLAY: ':0' })).toBe(true);
    expect(
      desktopAvailable('linux', { DISPLAY: 'localhost:10.0', SSH_CONNECTION: '10.0.0.2 5 10.0.0.1 22' }),
    ).toBe(true);
    expect(desktopAvailable('darwin', {})).toBe(true);
    expect(desktopAvailable('darwin', { SSH_TTY: '/dev/ttys001' })).toBe(false);
    expect(desktopAvailable('win32', { SSH_CLIENT: '10.0.0.2 5 22' })).toBe(false);
    expect(desktopAvailable('darwin', { SSH_TTY: '/dev/ttys001', DISPLAY: 'localhost:10.0' })).toBe(false);
    expect(browserLauncher('https://a.example/', 'darwin', { SSH_TTY: '/dev/ttys001' })).toBeUndefined();
  });
});

describe('pasted callback in HTTP mode', () => {
  it('is refused: there the sign-in is bound to the browser that started it', async () => {
    const ctx = { callbackUrl: 'https://mcp.example.com/oauth/callback' } as EngineContext;
    await expect(
      completePastedCallback(ctx, 'flw_abcdefghij', 'https://mcp.example.com/oauth/callback?code=c&state=s'),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('HTTP mode') });
  });
});

describe('headless sign-in', () => {
  let headless: InProcessServer;
  let server: InProcessServer;

  beforeAll(async () => {
    // A browser would be opened (no CI, no --no-browser), but this is an SSH session without a display.
    headless = await startInProcess(demoConfig(as()), {
      env: { OAUTH_MCP_NO_BROWSER: '', SSH_CONNECTION: '10.0.0.2 5 10.0.0.1 22' },
    });
    server = await startInProcess(demoConfig(as()));
  });
  afterAll(async () => {
    await headless.close();
    await server.close();
  });

  it('uses the device flow by default when no desktop can show a page', async () => {
    const started = await headless.call('oauth_authenticate_user', { wait_seconds: 0 });
    expect(started.structuredContent).toMatchObject({ status: 'pending', flow: 'device_code' });
    expect(started.structuredContent?.user_code).toBeTruthy();
  });

  it('finishes a code flow from the pasted redirect URL', async () => {
    const started = await server.call('oauth_authenticate_user', { wait_seconds: 0 });
    expect(started.structuredContent).toMatchObject({ status: 'pending', flow: 'authorization_code' });
    expect(started.structuredContent?.message).toContain('callback_url');
    // The browser stops at the redirect (it could not reach this machine); the user copies the address.
    const { finalUrl } = await signIn(started.structuredContent?.authorization_url, { login: 'alice' });
    const flowId = started.structuredContent?.flow_id;

    const wrongPath = new URL(finalUrl);
    wrongPath.pathname = '/elsewhere';
    const refusedPath = await server.call('oauth_authenticate_user', {
      flow_id: flowId,
      callback_url: wrongPath.href,
    });
    expect(toolError(refusedPath).message).toContain('redirect URI');
    const wrongState = new URL(finalUrl);
    wrongState.searchParams.set('state', 'A'.repeat(43));
    const refusedState = await server.call('oauth_authenticate_user', {
      flow_id: flowId,
      callback_url: wrongState.href,
    });
    expect(toolError(refusedState).message).toContain('another sign-in');
    const noFlow = await server.call('oauth_authenticate_user', { callback_url: finalUrl });
    expect(toolError(noFlow).message).toContain('flow_id');

    const done = await server.call('oauth_authenticate_user', { flow_id: flowId, callback_url: finalUrl });
    expect(done.structuredContent).toMatchObject({ status: 'authenticated', session: { subject: 'alice' } });
    const again = await server.call('oauth_authenticate_user', { flow_id: flowId, callback_url: finalUrl });
    expect(toolError(again).code).toBe('invalid_input');
  });

  it('reports a pasted response whose code the server refuses as a failed sign-in', async () => {
    const started = await server.call('oauth_authenticate_user', { wait_seconds: 0 });
    const { finalUrl } = await signIn(started.structuredContent?.authorization_url, { login: 'bob' });
    const forged = new URL(finalUrl);
    forged.searchParams.set('code', 'not-the-code');
    const result = await server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent?.flow_id,
      callback_url: forged.href,
    });
    expect(toolError(result).code).toBe('oauth_error');
    expect(JSON.stringify(result)).not.toContain(new URL(finalUrl).searchParams.get('code'));
  });
});
