// The whole browser sign-in in real headless Chromium (Debian `chromium`): authorization URL, the AS's login
// and consent pages, our callback page (screenshot in test/artifacts/), and the tool returning authenticated.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { useChromium } from '../helpers/chromium.js';
import { data, startSignInClient } from '../sign-in/harness.js';

const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

const as = useAuthorizationServer();
const browser = useChromium();

describe('sign-in in a real browser', () => {
  it('logs in and consents in Chromium, shows our success page, and the tool returns authenticated', async () => {
    const mcp = await startSignInClient(as());
    try {
      const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
      const waiting = mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 50 });

      const page = await browser().newPage();
      await page.goto(started.authorization_url as string);
      await page.locator('input[name="login"]').fill('chromium-user');
      await page.locator('input[name="password"]').fill('any-password');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(
        (url) => url.pathname.includes('/interaction/') && !url.pathname.endsWith('/login'),
      );
      await page.locator('button[type="submit"]').click();

      const outcome = page.locator('#outcome');
      await outcome.waitFor({ timeout: 15_000 });
      expect(new URL(page.url()).hostname).toBe('127.0.0.1');
      expect(new URL(page.url()).pathname).toBe('/callback');
      expect(await outcome.getAttribute('data-outcome')).toBe('success');
      expect(await page.locator('main').textContent()).toContain('You can close this tab');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'chromium-signin-success.png'), fullPage: true });

      const done = data(await waiting);
      expect(done.status).toBe('authenticated');
      expect(done.session).toMatchObject({ subject: 'chromium-user', grant: 'authorization_code' });
    } finally {
      await mcp.close();
    }
  });
});
