// Opaque bearer tokens presented to HTTP mode's /mcp are checked by RFC 7662 introspection at a loopback
// authorization server written for this test: active, for this server's audience (RFC 8707), from the
// configured issuer, with an expiry. A token the AS vouches for but issued to another resource is refused.

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { AccessTokenVerifier } from '../../src/auth/tokens/access-token.js';
import { createLogger } from '../../src/log.js';
import { guardedFetch } from '../../src/net/guarded-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';

const AUDIENCE = 'https://mcp.example.test/mcp';
let server: Server;
let issuer = '';
/** What the introspection endpoint answers for each token. */
const answers = new Map<string, Record<string, unknown>>();
const introspected: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({
          issuer,
          token_endpoint: `${issuer}/token`,
          introspection_endpoint: `${issuer}/introspect`,
        }),
      );
      return;
    }
    if (req.url === '/introspect' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token') ?? '';
        introspected.push(token);
        res.end(JSON.stringify(answers.get(token) ?? { active: false }));
      });
      return;
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function verifier(): AccessTokenVerifier {
  const fetch = guardedFetch(new OutboundPolicy({ configuredUrls: [issuer] }));
  return new AccessTokenVerifier({
    auth: {
      issuer,
      audience: AUDIENCE,
      introspection: { clientId: 'mcp', clientSecret: 'mcp-secret-value' },
    },
    registry: new ProviderRegistry({ providers: {}, timeoutMs: 2_000, fetch }),
    logger: createLogger({ write: () => undefined }),
    timeoutMs: 2_000,
  });
}

function opaque(name: string, claims: Record<string, unknown>): string {
  const token = `opaque-${name}-${Math.random().toString(36).slice(2)}`;
  const exp = Math.floor(Date.now() / 1000) + 300;
  answers.set(token, {
    active: true,
    iss: issuer,
    sub: 'alice',
    client_id: 'host',
    scope: 'mcp:tools:read',
    exp,
    ...claims,
  });
  return token;
}

describe('opaque bearer tokens, by introspection', () => {
  it.each([
    ['a string', AUDIENCE],
    ['a list', ['https://other.example/api', AUDIENCE]],
  ])('accepts an active token whose aud names this server (%s)', async (_shape, aud) => {
    const token = opaque('ok', { aud });
    await expect(verifier().verify(token)).resolves.toMatchObject({
      sub: 'alice',
      iss: issuer,
      clientId: 'host',
      scopes: ['mcp:tools:read'],
    });
    expect(introspected).toContain(token);
  });

  it.each([
    ['another audience', { aud: 'https://other.example/api' }],
    ['a list without this server', { aud: ['https://other.example/api', `${AUDIENCE}/x`] }],
    ['no audience', { aud: undefined }],
  ])('refuses an active token issued for %s', async (_name, claims) => {
    await expect(verifier().verify(opaque('aud', claims))).rejects.toMatchObject({
      code: 'invalid_token',
      message: `The access token was issued for another audience, not ${AUDIENCE}.`,
    });
  });

  it('refuses an inactive token, one from another issuer and one without an expiry', async () => {
    await expect(verifier().verify('opaque-unknown')).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(
      verifier().verify(opaque('iss', { aud: AUDIENCE, iss: 'https://elsewhere.example' })),
    ).rejects.toMatchObject({ code: 'invalid_token', message: 'The access token has another issuer.' });
    await expect(verifier().verify(opaque('exp', { aud: AUDIENCE, exp: undefined }))).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'The introspection answer has no exp.',
    });
  });

  it('does not remember a refused token as verified', async () => {
    const v = verifier();
    const token = opaque('later', { aud: 'https://other.example/api' });
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(introspected.filter((t) => t === token)).toHaveLength(2);
  });
});
