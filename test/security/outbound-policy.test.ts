// The outbound policy's decision as a unit: every non-public range, every spelling of an address a URL
// or a resolver can produce, trusted (configured) origins, credentials in URLs and RFC 7592 URL origins.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import {
  classifyAddress,
  hostRange,
  managementUrlProblem,
  OutboundPolicy,
  urlProblem,
} from '../../src/net/outbound-policy.js';

/** The range of a URL's host as the policy sees it before DNS (WHATWG URL normalises the spelling). */
const rangeOfUrl = (url: string) => hostRange(new URL(url).hostname);

describe('the address decision', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.100.100.200', 'private'],
    ['100.127.255.255', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['1::', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['[::1]', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
  ])('sees through IPv6 forms that carry an IPv4 address: %s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '169.255.0.1',
    '192.169.0.1',
    '11.0.0.1',
    '2606:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  it.each([
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://127.0.0.1./', 'loopback'],
    ['https://0/', 'unspecified'],
    ['https://[::]/', 'unspecified'],
    ['https://[::ffff:127.0.0.1]/', 'loopback'],
    ['https://[::ffff:a9fe:a9fe]/', 'link-local'],
    ['https://2852039166/', 'link-local'],
    ['https://0xa9.0xfe.0xa9.0xfe/', 'link-local'],
    ['https://0251.0376.0251.0376/', 'link-local'],
    ['https://167772161/', 'private'],
    ['https://localhost/', 'loopback'],
    ['https://LOCALHOST./', 'loopback'],
    ['https://api.localhost/', 'loopback'],
    ['https://metadata.google.internal/', 'metadata'],
    ['https://metadata.google.internal./', 'metadata'],
    ['https://METADATA/', 'metadata'],
    ['https://instance-data.ec2.internal/', 'metadata'],
  ])('knows %s is %s before any DNS lookup', (url, range) => {
    expect(rangeOfUrl(url)).toBe(range);
  });

  it('leaves other names to the check after DNS resolution', () => {
    expect(rangeOfUrl('https://auth.example.com/')).toBeUndefined();
    expect(rangeOfUrl('https://localhost.example.com/')).toBeUndefined();
  });
});

describe('trusted destinations', () => {
  const policy = new OutboundPolicy({
    configuredUrls: ['http://127.0.0.1:4000', 'https://idp.corp.example/realms/x', 'not a url'],
  });

  it('trusts exactly the origins the operator configured', () => {
    expect(policy.trusts(new URL('http://127.0.0.1:4000/token'))).toBe(true);
    expect(policy.trusts(new URL('https://idp.corp.example/other/path'))).toBe(true);
    expect(policy.trusts(new URL('http://127.0.0.1:4001/token'))).toBe(false);
    expect(policy.trusts(new URL('http://localhost:4000/token'))).toBe(false);
    expect(policy.trusts(new URL('https://127.0.0.1:4000/'))).toBe(false);
    expect(policy.trusts(new URL('https://idp.corp.example:8443/'))).toBe(false);
  });

  it('trusts everything with network.allowPrivate', () => {
    const open = new OutboundPolicy({ configuredUrls: [], allowPrivate: true });
    expect(open.trusts(new URL('https://10.0.0.1/'))).toBe(true);
  });

  it('adds network.allowPrivate to the config, default false', () => {
    expect(parseConfig({}, {}).network.allowPrivate).toBe(false);
    expect(parseConfig({ network: { allowPrivate: true } }, {}).network.allowPrivate).toBe(true);
  });
});

describe('URLs', () => {
  it.each([
    'https://user:s3cret@auth.example.com',
    'https://user@auth.example.com',
    'https://:s3cret@auth.example.com',
    'http://user:s3cret@127.0.0.1:4000',
  ])('refuses credentials in %s, without repeating them', (url) => {
    expect(urlProblem(url)).toMatch(/must not contain a user name or password/);
    expect(urlProblem(url)).not.toMatch(/s3cret|user@/);
  });

  it('refuses a config whose issuer or API origin carries credentials', () => {
    expect(() =>
      parseConfig({ providers: { a: { issuer: 'https://u:p@auth.example.com', clientId: 'x' } } }, {}),
    ).toThrow(/providers\.a\.issuer: a URL must not contain a user name or password/);
    expect(() => parseConfig({ api: { allowedOrigins: ['https://u:p@api.example.com'] } }, {})).toThrow(
      /user name or password/,
    );
  });

  it('keeps RFC 7592 management URLs on the issuer or registration endpoint origin', () => {
    const allowed = ['https://as.example.com', 'https://reg.example.com/register'];
    expect(managementUrlProblem('https://as.example.com/clients/1', allowed)).toBeUndefined();
    expect(managementUrlProblem('https://reg.example.com/clients/1', allowed)).toBeUndefined();
    expect(managementUrlProblem('https://as.example.com:8443/clients/1', allowed)).toMatch(
      /not on the origin/,
    );
    expect(managementUrlProblem('http://127.0.0.1:6379/', allowed)).toMatch(/not on the origin/);
    expect(managementUrlProblem('https://169.254.169.254/latest/meta-data/', allowed)).toMatch(
      /not on the origin/,
    );
  });
});
