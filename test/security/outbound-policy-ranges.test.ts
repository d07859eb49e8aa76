// The outbound policy's tables, address by address: each range at its edges, every IPv6 form that carries
// an IPv4 address, metadata names, and the exact advice of each refused URL (mutation testing found each
// of these decisions unobserved).

import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  hostRange,
  isPublicAddress,
  managementUrlProblem,
  needsInsecureTransport,
  OutboundPolicy,
  urlProblem,
} from '../../src/net/outbound-policy.js';

describe('IPv4 ranges, at their edges', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['1.0.0.0', 'public'],
    ['9.255.255.255', 'public'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['128.0.0.0', 'public'],
    ['169.254.169.254', 'link-local'],
    ['169.255.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.0.0.0', 'reserved'],
    ['192.0.0.255', 'reserved'],
    ['192.0.1.0', 'public'],
    ['192.0.2.0', 'reserved'],
    ['192.0.2.255', 'reserved'],
    ['192.0.3.0', 'public'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', 'public'],
    ['198.17.255.255', 'public'],
    ['198.18.0.0', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', 'public'],
    ['198.51.99.255', 'public'],
    ['198.51.100.0', 'reserved'],
    ['198.51.100.255', 'reserved'],
    ['198.51.101.0', 'public'],
    ['203.0.112.255', 'public'],
    ['203.0.113.0', 'reserved'],
    ['203.0.113.255', 'reserved'],
    ['203.0.114.0', 'public'],
    ['223.255.255.255', 'public'],
    ['224.0.0.0', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
    expect(isPublicAddress(address)).toBe(range === 'public');
  });
});

describe('IPv6 ranges and the IPv4 addresses they carry', () => {
  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'unspecified'], // IPv4-compatible 0.0.0.2
    ['::a00:1', 'private'], // IPv4-compatible 10.0.0.1
    ['::8.8.8.8', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
    ['::FFFF:A9FE:A9FE', 'link-local'],
    ['::ffff:0:10.0.0.1', 'private'], // IPv4-translated
    ['::ffff:0:8.8.8.8', 'public'],
    ['::1:0:0:a00:1', 'reserved'], // not a form that carries IPv4
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:0:0:1::a00:1', 'reserved'],
    ['64:ff9b:1::8.8.8.8', 'private'],
    ['64:ff9c:1::1', 'reserved'],
    ['65:ff9b::10.0.0.1', 'reserved'],
    ['2002:a00:1::1', 'private'], // 6to4 of 10.0.0.1
    ['2002:808:808::1', 'public'],
    ['2001::1', 'reserved'],
    ['2001:1::1', 'public'],
    ['2001:db8::1', 'reserved'],
    ['2001:db9::1', 'public'],
    ['100::1', 'reserved'],
    ['100:0:0:1::1', 'reserved'],
    ['100:1::1', 'reserved'],
    ['fc00::1', 'unique-local'],
    ['fdff::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['feff::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2606:4700::1111', 'public'],
    ['3fff::1', 'public'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it('reads brackets and zone ids, and only as a whole', () => {
    expect(classifyAddress('[fe80::1%eth0]')).toBe('link-local');
    expect(classifyAddress('[::1]')).toBe('loopback');
    expect(classifyAddress('fe80::1%25eth0')).toBe('link-local');
    expect(classifyAddress('::1]')).toBe('loopback');
    expect(classifyAddress('[::1')).toBe('loopback');
    expect(classifyAddress('1.2.3.4]x')).toBeUndefined();
    expect(classifyAddress('x[::1')).toBeUndefined();
    expect(classifyAddress('::1%a%b')).toBe('loopback');
    expect(classifyAddress('example.com')).toBeUndefined();
  });

  it('does not take a dotted quad inside a longer string for the embedded IPv4', () => {
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('::ffff:10.0.0.1x')).toBeUndefined();
  });
});

describe('host names before DNS', () => {
  it.each([
    ['metadata', 'metadata'],
    ['metadata.google.internal', 'metadata'],
    ['METADATA.GOOG', 'metadata'],
    ['instance-data', 'metadata'],
    ['instance-data.ec2.internal', 'metadata'],
    ['metadata.google.internal..', 'metadata'],
    ['localhost', 'loopback'],
    ['app.localhost', 'loopback'],
    ['localhost.', 'loopback'],
    ['[::1]', 'loopback'],
    ['[fe80::1]', 'link-local'],
    ['10.0.0.1', 'private'],
  ])('%s is %s', (host, range) => {
    expect(hostRange(host)).toBe(range);
  });

  it.each(['example.com', 'metadata.example.com', 'notlocalhost', 'instance-data.example', ''])(
    '%s is left to DNS',
    (host) => {
      expect(hostRange(host)).toBeUndefined();
    },
  );
});

describe('URL rules', () => {
  it('says why a URL is refused, and what to send instead', () => {
    expect(urlProblem('not a url')).toBe(
      '"not a url" is not a URL; give an absolute https:// URL such as https://auth.example.com',
    );
    expect(urlProblem('ftp://files.example/x')).toBe(
      'unsupported scheme "ftp:" in ftp://files.example; use https://',
    );
    expect(urlProblem('http://as.example/')).toBe(
      'http is allowed only on loopback addresses (127.0.0.1, localhost, [::1]); use https://as.example',
    );
    expect(urlProblem('http://as.example:8080/realms/x')).toBe(
      'http is allowed only on loopback addresses (127.0.0.1, localhost, [::1]); use https://as.example:8080/realms/x',
    );
    expect(urlProblem('https://user:pw@as.example/')).toBe(
      'a URL must not contain a user name or password ("user:pass@"); remove them from https://as.example',
    );
    expect(urlProblem('http://[::1]:9/')).toBeUndefined();
    expect(urlProblem('https://as.example')).toBeUndefined();
  });

  it('needs insecure transport only for http on loopback', () => {
    expect(needsInsecureTransport(new URL('http://127.0.0.1/'))).toBe(true);
    expect(needsInsecureTransport(new URL('https://127.0.0.1/'))).toBe(false);
    expect(needsInsecureTransport(new URL('http://as.example/'))).toBe(false);
  });

  it('keeps RFC 7592 management URLs on the issuer or registration origin, saying which origins', () => {
    const allowed = [
      'https://as.example/realm',
      undefined,
      'https://reg.example/register',
      'https://as.example/x',
    ];
    expect(managementUrlProblem('https://as.example/clients/1', allowed)).toBeUndefined();
    expect(managementUrlProblem('https://reg.example/clients/1', allowed)).toBeUndefined();
    expect(managementUrlProblem('https://evil.example/clients/1', allowed)).toBe(
      'it is on https://evil.example, not on the origin of the issuer or registration endpoint (https://as.example, https://reg.example)',
    );
    expect(managementUrlProblem('http://as.example/clients/1', allowed)).toMatch(
      /^http is allowed only on loopback/,
    );
  });
});

describe('the outbound policy', () => {
  it('trusts the origins of configured URLs only, and every origin with allowPrivate', () => {
    const policy = new OutboundPolicy({
      configuredUrls: ['https://as.internal:8443/realm', 'http://10.0.0.5/not-allowed', 'not a url'],
    });
    expect(policy.allowPrivate).toBe(false);
    expect(policy.trusts(new URL('https://as.internal:8443/other'))).toBe(true);
    expect(policy.trusts(new URL('https://as.internal/'))).toBe(false);
    // A configured URL the URL rules refuse (plain http off loopback) gives no trust.
    expect(policy.trusts(new URL('http://10.0.0.5/'))).toBe(false);
    const open = new OutboundPolicy({ configuredUrls: [], allowPrivate: true });
    expect(open.trusts(new URL('https://10.0.0.1/'))).toBe(true);
    expect(open.allowPrivate).toBe(true);
  });
});
