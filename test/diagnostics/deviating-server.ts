// A badly configured authorization server on 127.0.0.1 for the audit and JWKS tests: metadata that offers
// what RFC 9700 forbids, and a JWKS with every kind of bad key. It records every request it gets.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DeviatingServer {
  issuer: string;
  /** "METHOD path" of every request received. */
  requests: string[];
  close(): Promise<void>;
}

/** A self-signed RSA certificate valid for `days`, as the public JWK with its x5c chain. */
function certifiedKey(days: number): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=signing.test',
        '-days',
        String(days),
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const jwk = createPrivateKey(readFileSync(join(dir, 'key.pem'))).export({ format: 'jwk' });
    const der = readFileSync(join(dir, 'cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
    return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: 'with-cert', alg: 'RS256', use: 'sig', x5c: [der] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function publicRsa(modulusLength: number, extra: Record<string, unknown>): Record<string, unknown> {
  const jwk = generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' });
  return { ...jwk, alg: 'RS256', use: 'sig', ...extra };
}

export function badKeySet(): Record<string, unknown>[] {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const leaky = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return [
    certifiedKey(10),
    publicRsa(1024, { kid: 'weak' }),
    { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'hmac', alg: 'HS256' },
    { ...ec, alg: 'ES256', use: 'sig' },
    publicRsa(2048, { kid: 'dup' }),
    publicRsa(2048, { kid: 'dup' }),
    { ...leaky, kid: 'leaky', alg: 'RS256', use: 'sig' },
  ];
}

/** `jwksAnswers: false` makes the documented jwks_uri answer 404. */
export async function startDeviatingServer(
  options: { jwksAnswers?: boolean } = {},
): Promise<DeviatingServer> {
  const requests: string[] = [];
  const keys = badKeySet();
  let issuer = '';
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: 'http://tokens.example.test/token',
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code', 'token', 'id_token token'],
        grant_types_supported: ['authorization_code', 'implicit', 'password', 'refresh_token'],
        code_challenge_methods_supported: ['plain'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
        id_token_signing_alg_values_supported: ['RS256', 'none'],
        subject_types_supported: ['public'],
        scopes_supported: ['openid', 'profile'],
      });
    }
    if (req.method === 'GET' && req.url === '/jwks' && options.jwksAnswers !== false) return json({ keys });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
