// A real browser never takes the stdio server down: after the callback page Chromium keeps its connection
// alive and may ask for /favicon.ico on it after the loopback listener was released; a second sign-in on a
// fixed redirectUri port comes back through the same browser. The server answers a tool call after each.

import { connect } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { useChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/http-server-process.js';
import { signIn } from '../helpers/user-agent.js';
import { data, type SignInClient, startSignInClient } from '../sign-in/harness.js';

const as = useAuthorizationServer();
const browser = useChromium();

/** Starts a sign-in, lets `browse` play the user, and returns the finished tool result. */
async function signInWith(
  mcp: SignInClient,
  browse: (authorizationUrl: string) => Promise<void>,
): Promise<Record<string, any>> {
  const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
  const waiting = mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 50 });
  await browse(started.authorization_url as string);
  return data(await waiting);
}

/** Logs in and consents where oidc-provider asks (a second sign-in in the same browser may skip both). */
async function throughChromium(page: Page, authorizationUrl: string): Promise<void> {
  await page.goto(authorizationUrl);
  const outcome = page.locator('#outcome');
  for (let step = 0; step < 4 && !(await outcome.isVisible()); step++) {
    const login = page.locator('input[name="login"]');
    if (await login.isVisible()) {
      await login.fill('chromium-user');
      await page.locator('input[name="password"]').fill('any-password');
    }
    const submit = page.locator('button[type="submit"]');
    if (await submit.isVisible()) await Promise.all([page.waitForLoadState(), submit.click()]);
    await Promise.race([outcome.waitFor({ timeout: 5_000 }), page.waitForLoadState()]).catch(() => {});
  }
  expect(await outcome.getAttribute('data-outcome')).toBe('success');
}

async function answersToolCalls(mcp: SignInClient): Promise<void> {
  const listed = data(await mcp.call('oauth_list_sessions'));
  expect(JSON.stringify(listed)).toContain('chromium-user');
}

describe('the loopback redirect listener and a real browser', () => {
  it('survives Chromium keeping the callback connection alive, and a second sign-in on a fixed port', async () => {
    const port = await freePort();
    const mcp = await startSignInClient(as(), {
      provider: { redirectUri: `http://127.0.0.1:${port}/callback` },
    });
    try {
      // One browser profile (its cookies and its pool of keep-alive connections) for both sign-ins.
      const context = await browser().newContext();
      const page = await context.newPage();
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      const first = await signInWith(mcp, (url) => throughChromium(page, url));
      expect(first.status).toBe('authenticated');
      // Our page names its own (empty) icon, so the browser has no reason to ask for /favicon.ico.
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('data:,');
      expect(blocked).toEqual([]);
      // The tab stays open on our page, as a user leaves it: whatever Chromium asks next must not end us.
      await page.reload().catch(() => {});
      await answersToolCalls(mcp);

      // The second sign-in in another tab of the same browser: the first tab may still be showing
      // Chromium's own error page for the reload, and its navigations would race ours.
      const tab = await context.newPage();
      const second = await signInWith(mcp, (url) => throughChromium(tab, url));
      expect(second.status).toBe('authenticated');
      expect(new URL(tab.url()).port).toBe(String(port));
      await tab.goto(`http://127.0.0.1:${port}/favicon.ico`).catch(() => {});
      await answersToolCalls(mcp);
      expect(mcp.stderr()).not.toMatch(/uncaught|TypeError/i);
    } finally {
      await mcp.close();
    }
  });

  it('answers a request sent on the callback connection after the flow ended, then closes it', async () => {
    const mcp = await startSignInClient(as());
    try {
      const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
      const callback = new URL(
        (await signIn(started.authorization_url as string, { login: 'chromium-user' })).finalUrl,
      );
      // A browser's keep-alive connection: the callback page, then (after the flow ended) /favicon.ico.
      const connection = keepAliveConnection(callback);
      const page = await connection.get(`${callback.pathname}${callback.search}`);
      expect(page).toMatch(/^HTTP\/1\.1 200 /);
      expect(page).toContain('data-outcome="success"');
      expect(page).toMatch(/\r\nConnection: close\r\n/i);

      const done = data(await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id }));
      expect(done.status).toBe('authenticated');
      if (!connection.ended()) await connection.get('/favicon.ico').catch(() => '');
      expect(connection.ended()).toBe(true);
      await answersToolCalls(mcp);
    } finally {
      await mcp.close();
    }
  });
});

/** One TCP connection that asks for keep-alive, as a browser's does; `get` resolves with one whole answer. */
function keepAliveConnection(target: URL) {
  const socket = connect(Number(target.port), target.hostname);
  let received = '';
  let ended = false;
  let waiter: (() => void) | undefined;
  socket.on('data', (chunk) => {
    received += chunk.toString('utf8');
    waiter?.();
  });
  socket.on('close', () => {
    ended = true;
    waiter?.();
  });
  socket.on('error', () => {});
  return {
    ended: () => ended,
    get(path: string): Promise<string> {
      received = '';
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\n\r\n`);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no whole answer to ${path}:\n${received}`)), 10_000);
        waiter = () => {
          // a chunked body ends with the zero-length chunk; a closed socket ends any answer
          if (!ended && !received.endsWith('\r\n0\r\n\r\n')) return;
          clearTimeout(timer);
          resolve(received);
        };
      });
    },
  };
}
