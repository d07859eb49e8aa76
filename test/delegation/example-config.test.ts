// Delegation in the config: the README's example (examples/delegation-http-config.json) is valid and means what the
// README says (on-behalf-of by RFC 8693 for "orders", the served metadata document's URL as "partner"'s client id),
// and onBehalfOf is refused where it could never work.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

const example = JSON.parse(
  readFileSync(new URL('../../examples/delegation-http-config.json', import.meta.url), 'utf8'),
);

describe('examples/delegation-http-config.json', () => {
  it('parses, with on-behalf-of exchange for orders and a Client ID Metadata Document for partner', () => {
    const config = parseConfig(example, { WORK_CLIENT_SECRET: 'x'.repeat(20) });
    expect(config.providers.orders).toMatchObject({
      onBehalfOf: 'exchange',
      audience: 'https://orders.example.com',
    });
    expect(config.providers.partner?.clientId).toBe('https://mcp.example.com/oauth/client-metadata/partner');
    expect(config.http.auth?.issuer).toBe(config.providers.orders?.issuer);
  });
});

describe('onBehalfOf in the config', () => {
  it('is refused on a provider of another server than the one that issues callers their tokens', () => {
    expect(() =>
      parseConfig({
        providers: { other: { issuer: 'https://other.example.com', clientId: 'c', onBehalfOf: 'exchange' } },
        http: { auth: { issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp' } },
      }),
    ).toThrow(/providers\.other\.onBehalfOf.*http\.auth's issuer \(https:\/\/auth\.example\.com\)/s);
  });
});
