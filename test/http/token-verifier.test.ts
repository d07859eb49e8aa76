// Bearer JWTs presented to /mcp, checked against a real JWKS served on loopback: RFC 9068 `typ` by
// default, other types only where the config lists them, and audience, issuer and signature always.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { createResourceServer } from '../../src/http/resource-server.js';
import { TokenVerifier } from '../../src/http/token-verifier.js';
import { createLogger } from '../../src/log.js';
import { guardedFetch } from '../../src/net/guarded-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';

const AUDIENCE = 'https://mcp.example.test/mcp';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
let server: Server;
let issuer = '';

beforeAll(async () => {
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` }));
    } else if (req.url === '/jwks') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function token(
  typ: string,
  audience = AUDIENCE,
  scope = 'mcp:tools:read mcp:tools:execute',
): Promise<string> {
  return new SignJWT({ scope, client_id: 'host' })
    .setProtectedHeader({ alg: 'RS256', kid, typ })
    .setIssuer(issuer)
    .setSubject('alice')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

function registry(): ProviderRegistry {
  // In the runtime the http.auth issuer is a configured URL, so it may be on loopback.
  const fetch = guardedFetch(new OutboundPolicy({ configuredUrls: [issuer] }));
  return new ProviderRegistry({ providers: {}, timeoutMs: 2_000, fetch });
}

function verifier(jwtTypes?: string[]): TokenVerifier {
  return new TokenVerifier({
    auth: { issuer, audience: AUDIENCE, ...(jwtTypes ? { jwtTypes } : {}) },
    registry: registry(),
    logger: createLogger({ write: () => undefined }),
    timeoutMs: 2_000,
  });
}

describe('bearer JWT verification', () => {
  it('accepts an RFC 9068 access token and names its principal and scopes', async () => {
    const info = await verifier().verifyAccessToken(await token('at+jwt'));
    expect(info).toMatchObject({ clientId: 'host', scopes: ['mcp:tools:read', 'mcp:tools:execute'] });
    expect(info.extra).toMatchObject({ iss: issuer, sub: 'alice' });
  });

  it('refuses a JWT of another type by default, saying how to accept it', async () => {
    await expect(verifier().verifyAccessToken(await token('JWT'))).rejects.toThrow(
      /JWT type is "JWT", not "at\+jwt" \(RFC 9068\).*http\.auth\.jwtTypes/,
    );
  });

  it('accepts the types the config lists, in either media type spelling', async () => {
    const relaxed = verifier(['at+jwt', 'JWT']);
    await expect(relaxed.verifyAccessToken(await token('JWT'))).resolves.toMatchObject({ clientId: 'host' });
    await expect(relaxed.verifyAccessToken(await token('application/at+jwt'))).resolves.toMatchObject({
      clientId: 'host',
    });
  });

  it('still refuses a token for another audience when other types are accepted', async () => {
    await expect(
      verifier(['JWT']).verifyAccessToken(await token('JWT', 'https://other.example.test/mcp')),
    ).rejects.toThrow(/aud/);
  });
});

describe('the bearer gate, for a token it verified before', () => {
  const gate = () =>
    createResourceServer({
      auth: { issuer, audience: AUDIENCE },
      mcpUrl: new URL(AUDIENCE),
      registry: registry(),
      logger: createLogger({ write: () => undefined }),
      timeoutMs: 2_000,
    }).gate;
  const request = (authorization: string) => new Request(AUDIENCE, { headers: { authorization } });

  it('answers it at once with the same principal and the resource metadata URL', async () => {
    const check = gate();
    const bearer = `Bearer ${await token('at+jwt')}`;
    const first = (await check(request(bearer))) as AuthInfo;
    const again = check(request(bearer));
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toEqual(first);
    expect(again).toMatchObject({
      extra: { iss: issuer, sub: 'alice' },
      resourceMetadataUrl: 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp',
    });
  });

  it('refuses it once it has expired', async () => {
    const check = gate();
    const bearer = `Bearer ${await token('at+jwt')}`;
    expect(await check(request(bearer))).not.toBeInstanceOf(Response);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 });
    try {
      const refused = (await check(request(bearer))) as Response;
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      vi.useRealTimers();
    }
  });

  it('still answers 403 to one without the scopes, and 401 to it under another scheme', async () => {
    const check = gate();
    const narrow = await token('at+jwt', AUDIENCE, 'mcp:tools:execute');
    for (let i = 0; i < 2; i++)
      expect(((await check(request(`Bearer ${narrow}`))) as Response).status).toBe(403);
    const full = await token('at+jwt');
    expect(await check(request(`bearer ${full}`))).not.toBeInstanceOf(Response);
    expect(((await check(request(`Basic ${full}`))) as Response).status).toBe(401);
  });
});
