// The callback page escapes everything it shows and loads nothing; the browser is opened only where a desktop is plausible.

import { describe, expect, it } from 'vitest';
import { browserLauncher } from '../../src/auth/sign-in/browser.js';
import { renderCallbackPage } from '../../src/auth/sign-in/pages.js';

describe('callback page', () => {
  it('escapes the reason it shows, so an error description cannot inject markup', () => {
    const page = renderCallbackPage('error', '<script>alert(1)</script> & "quoted"');
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('says success, denial and failure in plain words', () => {
    expect(renderCallbackPage('success', '', 'work').body).toContain('You can close this tab');
    expect(renderCallbackPage('denied', '').status).toBe(403);
    expect(renderCallbackPage('denied', '').body).toContain('no access was granted');
    expect(renderCallbackPage('error', 'why').body).toContain('could not be completed');
  });
});

describe('browser launcher', () => {
  const url = 'https://as.example/auth?a=1&b=2';

  it('uses xdg-open only when a Linux desktop session is present', () => {
    expect(browserLauncher(url, 'linux', {})).toBeUndefined();
    expect(browserLauncher(url, 'linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserLauncher(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })?.command).toBe('xdg-open');
  });

  it('passes the URL as one argument on macOS and Windows (no shell splitting at &)', () => {
    expect(browserLauncher(url, 'darwin', {})).toEqual({ command: 'open', args: [url] });
    expect(browserLauncher(url, 'win32', {})).toEqual({
      command: 'rundll32',
      args: ['url.dll,FileProtocolHandler', url],
    });
  });
});
