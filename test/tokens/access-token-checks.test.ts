// HTTP mode's bearer check against an authorization server written for this test on loopback, whose
// metadata, keys and introspection answers each test chooses: what is refused and why (invalid_token or
// server_error), which claims make the principal, and what is remembered between requests.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { AccessTokenRefused, AccessTokenVerifier } from '../../src/auth/tokens/access-token.js';
import { createLogger } from '../../src/log.js';
import { guardedFetch } from '../../src/net/guarded-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';

const AUDIENCE = 'https://mcp.example.test/mcp';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = randomUUID();
/** A second key, for the set at /jwks-rotating, which publishes only one of the two at a time. */
const next = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }), kid: randomUUID() };
let rotated = false;
let server: Server;
let issuer = '';
/** What the server publishes and answers; reset before each test. */
let metadata: Record<string, unknown>;
let introspectionStatus = 200;
const answers = new Map<string, Record<string, unknown>>();
const requests: string[] = [];

beforeAll(async () => {
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const nextJwk = { ...(await exportJWK(next.publicKey)), kid: next.kid, alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') return void res.end(JSON.stringify(metadata));
    if (req.url === '/jwks') return void res.end(JSON.stringify({ keys: [jwk] }));
    if (req.url === '/not-a-key-set') return void res.end(JSON.stringify({ issuer }));
    if (req.url === '/jwks-rotating')
      return void res.end(JSON.stringify({ keys: [rotated ? nextJwk : jwk] }));
    if (req.url === '/introspect') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token') ?? '';
        res.writeHead(introspectionStatus).end(JSON.stringify(answers.get(token) ?? { active: false }));
      });
      return;
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  metadata = {
    issuer,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
  };
  introspectionStatus = 200;
  requests.length = 0;
});

function verifier(
  options: { introspection?: boolean; issuer?: string; jwtTypes?: string[] } = {},
): AccessTokenVerifier {
  const at = options.issuer ?? issuer;
  const fetch = guardedFetch(new OutboundPolicy({ configuredUrls: [issuer] }));
  return new AccessTokenVerifier({
    auth: {
      issuer: at,
      audience: AUDIENCE,
      ...(options.introspection === false
        ? {}
        : { introspection: { clientId: 'mcp', clientSecret: 'mcp-secret' } }),
      ...(options.jwtTypes ? { jwtTypes: options.jwtTypes } : {}),
    },
    registry: new ProviderRegistry({ providers: {}, timeoutMs: 2_000, fetch }),
    logger: createLogger({ write: () => undefined }),
    timeoutMs: 2_000,
  });
}

function jwt(
  claims: JWTPayload = {},
  header: { typ?: string } = { typ: 'at+jwt' },
  key: { privateKey: typeof privateKey; kid: string } = { privateKey, kid },
): Promise<string> {
  const token = new SignJWT({ scope: 'a b', client_id: 'host', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt();
  if (!('sub' in claims)) token.setSubject('alice');
  if (!('exp' in claims)) token.setExpirationTime('5m');
  return token.sign(key.privateKey);
}

function opaque(claims: Record<string, unknown>): string {
  const token = `opaque-${randomUUID()}`;
  const exp = Math.floor(Date.now() / 1000) + 300;
  answers.set(token, { active: true, iss: issuer, sub: 'alice', aud: AUDIENCE, exp, ...claims });
  return token;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; name: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccessTokenRefused);
  const { code, message, name } = error as AccessTokenRefused;
  return { code, message, name };
}

const count = (path: string) => requests.filter((url) => url === path).length;

describe('JWT access tokens', () => {
  it('names the principal, scopes, client and expiry from the claims', async () => {
    const info = await verifier().verify(await jwt({ scope: ' a  b ', azp: 'ignored' }));
    expect(info).toMatchObject({ sub: 'alice', iss: issuer, clientId: 'host', scopes: ['a', 'b'] });
    expect(info.principal).toContain('alice');
    expect(info.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const scp = await verifier().verify(
      await jwt({ scope: undefined, scp: ['x', 3, 'y'], client_id: undefined, azp: 'app' }),
    );
    expect(scp).toMatchObject({ scopes: ['x', 'y'], clientId: 'app' });
    const none = await verifier().verify(await jwt({ scope: undefined, client_id: undefined }));
    expect(none).toMatchObject({ scopes: [], clientId: '' });
  });

  it('refuses a JWT without exp or sub, or with an empty sub', async () => {
    expect(await refusal(verifier().verify(await jwt({ exp: undefined })))).toMatchObject({
      code: 'invalid_token',
      message: expect.stringContaining('"exp" claim'),
    });
    expect(await refusal(verifier().verify(await jwt({ sub: undefined })))).toMatchObject({
      code: 'invalid_token',
      message: expect.stringContaining('"sub" claim'),
    });
    expect(await refusal(verifier().verify(await jwt({ sub: '' })))).toMatchObject({
      code: 'invalid_token',
      name: 'AccessTokenRefused',
    });
  });

  it('says the type is missing, and which types it accepts', async () => {
    expect((await refusal(verifier().verify(await jwt({}, {})))).message).toBe(
      `The access token's JWT type is missing, not "at+jwt" (RFC 9068). If your authorization server issues such access tokens, list the type in http.auth.jwtTypes.`,
    );
  });

  it('cannot check a JWT when the server publishes no jwks_uri (server_error)', async () => {
    delete metadata.jwks_uri;
    expect(await refusal(verifier().verify(await jwt()))).toEqual({
      code: 'server_error',
      name: 'AccessTokenRefused',
      message: `${issuer} publishes no jwks_uri to check JWTs with`,
    });
  });

  it('lists every accepted type in its advice', async () => {
    const { message } = await refusal(
      verifier({ jwtTypes: ['at+jwt', 'secevent+jwt'] }).verify(await jwt({}, { typ: 'JWT' })),
    );
    expect(message).toContain('is "JWT", not "at+jwt" or "secevent+jwt" (RFC 9068)');
  });

  it('says keys it cannot reach are a server_error, not a bad token', async () => {
    metadata.jwks_uri = 'http://127.0.0.1:1/jwks';
    const { code, message } = await refusal(verifier().verify(await jwt()));
    expect(code).toBe('server_error');
    expect(message).toMatch(/^cannot check the token against http:\/\/127\.0\.0\.1:1\/jwks: .+/);
  });

  it('says a key set answering 404, or something that is not a key set, is a server_error, not a bad token', async () => {
    for (const path of ['/no-such-jwks', '/not-a-key-set']) {
      metadata.jwks_uri = `${issuer}${path}`;
      const { code, message } = await refusal(verifier().verify(await jwt()));
      expect(code).toBe('server_error');
      expect(message).toContain(`cannot check the token against ${issuer}${path}: `);
    }
  });

  it('stops remembering a JWT when it expires', async () => {
    const v = verifier();
    const token = await jwt({ exp: Math.floor(Date.now() / 1000) + 60 });
    await v.verify(token);
    expect(v.remembered(token)).toMatchObject({ sub: 'alice' });
    // past exp and jose's 5 s clock tolerance
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 70_000 });
    try {
      expect(v.remembered(token)).toBeUndefined();
      expect(await refusal(v.verify(token))).toMatchObject({ code: 'invalid_token' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('checks a remembered JWT again once the keys were refetched (a rotation), and refuses it when its key is gone', async () => {
    metadata.jwks_uri = `${issuer}/jwks-rotating`;
    const v = verifier();
    const old = await jwt();
    await v.verify(old);
    await v.verify(old);
    rotated = true;
    // jose refetches a set for an unknown kid at most every 5 s.
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    await expect(
      v.verify(await jwt({}, undefined, { privateKey: next.privateKey, kid: next.kid })),
    ).resolves.toMatchObject({
      sub: 'alice',
    });
    expect(await refusal(v.verify(old))).toMatchObject({ code: 'invalid_token' });
  }, 15_000);

  it('remembers a verified JWT: the second request fetches no keys again', async () => {
    const v = verifier();
    const token = await jwt();
    await v.verify(token);
    const fetched = count('/jwks');
    expect(await v.verify(token)).toMatchObject({ sub: 'alice' });
    expect(count('/jwks')).toBe(fetched);
  });
});

describe('opaque access tokens', () => {
  it('refuses one when the server has no introspection credentials, saying so', async () => {
    expect(await refusal(verifier({ introspection: false }).verify('opaque-token'))).toEqual({
      code: 'invalid_token',
      name: 'AccessTokenRefused',
      message: 'The access token is not a JWT and this server has no introspection credentials to check it.',
    });
  });

  it('says an inactive token is not active', async () => {
    expect((await refusal(verifier().verify('opaque-never-issued'))).message).toBe(
      'The access token is not active (expired, revoked or unknown).',
    );
  });

  it('accepts an answer without iss as the configured issuer, and reads scp and azp', async () => {
    const info = await verifier().verify(
      opaque({ iss: undefined, scope: undefined, scp: ['s1'], azp: 'app' }),
    );
    expect(info).toMatchObject({ iss: issuer, sub: 'alice', scopes: ['s1'], clientId: 'app' });
  });

  it('compares a string aud whole, never as a substring', async () => {
    const { message } = await refusal(verifier().verify(opaque({ aud: `${AUDIENCE}-other` })));
    expect(message).toBe(`The access token was issued for another audience, not ${AUDIENCE}.`);
  });

  it('refuses a subject that is not a string', async () => {
    expect((await refusal(verifier().verify(opaque({ sub: 42 })))).message).toBe(
      'The access token names no subject (sub).',
    );
  });

  it('refuses an answer without a subject', async () => {
    expect((await refusal(verifier().verify(opaque({ sub: '' })))).message).toBe(
      'The access token names no subject (sub).',
    );
  });

  it('reports a failed introspection as a server_error naming the issuer', async () => {
    introspectionStatus = 500;
    const { code, message } = await refusal(verifier().verify(opaque({})));
    expect(code).toBe('server_error');
    expect(message).toMatch(new RegExp(`^token introspection at ${issuer} failed: .+`));
  });

  it('reports a server without an introspection endpoint as a server_error', async () => {
    delete metadata.introspection_endpoint;
    const v = verifier();
    const { code, message } = await refusal(v.verify(opaque({})));
    expect(code).toBe('server_error');
    expect(message).toBe(
      `token introspection at ${issuer} failed: ${issuer} publishes no introspection_endpoint`,
    );
  });

  it('remembers an accepted token until it expires, at most five minutes', async () => {
    const v = verifier();
    const token = opaque({});
    await v.verify(token);
    await v.verify(token);
    expect(count('/introspect')).toBe(1);
    // An answer whose exp has passed is not remembered.
    const expired = opaque({ exp: Math.floor(Date.now() / 1000) - 1 });
    await v.verify(expired);
    await v.verify(expired);
    expect(count('/introspect')).toBe(3);
  });

  it('reports an issuer it cannot discover as a server_error', async () => {
    const { code, message } = await refusal(verifier({ issuer: `${issuer}/nowhere` }).verify(await jwt()));
    expect(code).toBe('server_error');
    expect(message).toMatch(new RegExp(`^cannot discover ${issuer}/nowhere: .+`));
  });
});
