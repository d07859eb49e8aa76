// Which proxy a request goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY as the process got them:
// NO_PROXY's hosts, subdomains, ports and `*`; loopback never proxied; lower case first; a proxy URL
// that cannot be used is an error naming the variable, never a silent direct connection. And what the
// guarded fetch says when a proxy refuses (407: where the proxy's credentials go).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch, OutboundError } from '../../src/net/guarded-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';
import { proxyFor, proxyLabel, proxySettingsFromEnv } from '../../src/net/proxy.js';
import { redactSecrets } from '../../src/secrets/index.js';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';

const through = (url: string, env: Record<string, string>) => {
  const choice = proxyFor(new URL(url), proxySettingsFromEnv(env));
  return choice?.problem ?? choice?.url?.href;
};

const PROXY = 'http://proxy.corp.example:3128/';

describe('the proxy of a request', () => {
  it('sends https through HTTPS_PROXY, and through HTTP_PROXY when only that is set (as undici does)', () => {
    expect(through('https://auth.example.com/token', { HTTPS_PROXY: PROXY })).toBe(PROXY);
    expect(through('https://auth.example.com/token', { HTTP_PROXY: PROXY })).toBe(PROXY);
    expect(through('https://auth.example.com/token', {})).toBeUndefined();
  });

  it('reads the lower-case variable first', () => {
    expect(
      through('https://auth.example.com', { https_proxy: PROXY, HTTPS_PROXY: 'http://other.example:1/' }),
    ).toBe(PROXY);
  });

  it('takes host:port without a scheme as an http proxy', () => {
    expect(through('https://auth.example.com', { HTTPS_PROXY: 'proxy.corp.example:3128' })).toBe(PROXY);
  });

  it.each([
    'http://127.0.0.1:8080/x',
    'https://localhost:8443',
    'https://[::1]:8443',
    'https://app.localhost',
  ])('never proxies loopback: %s', (url) => {
    expect(through(url, { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY })).toBeUndefined();
  });

  it.each([
    ['auth.corp.example', 'https://auth.corp.example/token', undefined],
    ['corp.example', 'https://auth.corp.example/token', undefined],
    ['.corp.example', 'https://auth.corp.example/token', undefined],
    ['*.corp.example', 'https://auth.corp.example/token', undefined],
    ['corp.example', 'https://notcorp.example/token', PROXY],
    ['auth.corp.example:443', 'https://auth.corp.example/token', undefined],
    ['auth.corp.example:8443', 'https://auth.corp.example/token', PROXY],
    ['other.example, AUTH.CORP.EXAMPLE', 'https://auth.corp.example/token', undefined],
    ['10.1.2.3', 'https://10.1.2.3/token', undefined],
    ['[2001:db8::1]:443', 'https://[2001:db8::1]/token', undefined],
    ['2001:db8::1', 'https://[2001:db8::1]/token', undefined],
    ['*', 'https://anything.example/token', undefined],
  ])('NO_PROXY=%s: %s goes %s', (noProxy, url, expected) => {
    expect(through(url, { HTTPS_PROXY: PROXY, NO_PROXY: noProxy })).toBe(expected);
  });

  it.each([
    ['socks5://127.0.0.1:1080', /HTTPS_PROXY names a socks5 proxy/],
    ['http://', /HTTPS_PROXY is not a URL/],
  ])('refuses a proxy it cannot use (%s) instead of connecting directly', (value, problem) => {
    expect(through('https://auth.example.com', { HTTPS_PROXY: value })).toMatch(problem);
  });

  it('takes a proxy password with a malformed percent escape without failing', () => {
    expect(
      through('https://auth.example.com', { HTTPS_PROXY: 'http://u:50%zz@proxy.corp.example:3128' }),
    ).toBe('http://u:50%zz@proxy.corp.example:3128/');
  });

  it("learns the proxy's password as a secret, so no output can carry it", () => {
    proxySettingsFromEnv({ HTTPS_PROXY: 'http://user:pr0xy-Pa%24%24-Kq2@proxy.corp.example:3128' });
    expect(redactSecrets('failed with pr0xy-Pa$$-Kq2 and pr0xy-Pa%24%24-Kq2')).not.toContain('pr0xy-Pa');
  });

  it('names the proxy without its credentials', () => {
    const choice = proxyFor(
      new URL('https://auth.example.com'),
      proxySettingsFromEnv({ HTTPS_PROXY: 'http://user:s3cret-proxy@proxy.corp.example:3128' }),
    );
    expect(choice && proxyLabel(choice)).toBe('http://proxy.corp.example:3128 (HTTPS_PROXY)');
  });
});

describe('the guarded fetch through a proxy that refuses', () => {
  let proxy: ForwardProxy;
  const target = 'https://auth.test:8443/.well-known/openid-configuration';
  const fetchThrough = (proxyUrl: string) =>
    guardedFetch(new OutboundPolicy({ configuredUrls: [target] }), {
      proxy: proxySettingsFromEnv({ HTTPS_PROXY: proxyUrl }),
    });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error as OutboundError,
    );

  beforeAll(async () => {
    proxy = await startForwardProxy('connect', { requireAuth: 'Basic dTpw' });
  });
  afterAll(() => proxy?.close());

  it('says that the proxy wants credentials in its URL on 407, without sending any of the request', async () => {
    const error = await failure(
      fetchThrough(proxy.url)(target, { headers: { authorization: 'Bearer at-Zq8vN3' } }),
    );
    expect(error).toBeInstanceOf(OutboundError);
    expect(error.message).toContain(`through the proxy ${proxy.url} (HTTPS_PROXY)`);
    expect(error.message).toContain('give them in the proxy URL, as http://user:password@host:port');
    expect(proxy.tunnels.map((tunnel) => tunnel.headers.authorization)).toEqual([undefined]);
  });

  it('refuses a request when the proxy variable cannot be used, without connecting anywhere', async () => {
    const before = proxy.connections;
    const error = await failure(fetchThrough('socks5://127.0.0.1:1080')(target));
    expect(error.code).toBe('OUTBOUND_URL_REFUSED');
    expect(error.message).toMatch(/HTTPS_PROXY names a socks5 proxy/);
    expect(proxy.connections).toBe(before);
  });
});
