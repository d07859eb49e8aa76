// A protected resource on loopback that accepts only DPoP (RFC 9449 7): the access token is a JWT
// verified against the AS's keys, the proof is verified with jose (typ, signature by its embedded key,
// htm, htu, iat, ath, jkt against the token's cnf), it demands its own nonce, and a jti is used once.

import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify } from 'jose';

export interface DPoPSeen {
  authorization: string | undefined;
  dpop: string | undefined;
  status: number;
  reason?: string;
}

export interface DPoPApi {
  origin: string;
  requests: DPoPSeen[];
  close(): Promise<void>;
}

export async function startDPoPApi(issuer: string, audience: string): Promise<DPoPApi> {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const usedJti = new Set<string>();
  const nonce = randomBytes(16).toString('base64url');
  const requests: DPoPSeen[] = [];
  let origin = '';

  const check = async (method: string, path: string, authorization?: string, proof?: string) => {
    const token = authorization?.match(/^DPoP (.+)$/)?.[1];
    if (!token || !proof) return { status: 401, error: 'invalid_token', reason: 'no DPoP token and proof' };
    const { payload: claims } = await jwtVerify(token, keys, { issuer, audience });
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      maxTokenAge: '60s',
    });
    if (payload.htm !== method || payload.htu !== `${origin}${path}`)
      return { status: 401, error: 'invalid_dpop_proof', reason: 'htm/htu' };
    const ath = createHash('sha256').update(token).digest('base64url');
    if (payload.ath !== ath) return { status: 401, error: 'invalid_dpop_proof', reason: 'ath' };
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk ?? {});
    if ((claims.cnf as { jkt?: string } | undefined)?.jkt !== jkt)
      return { status: 401, error: 'invalid_token', reason: 'key is not the one the token is bound to' };
    if (payload.nonce !== nonce) return { status: 401, error: 'use_dpop_nonce', reason: 'nonce' };
    if (typeof payload.jti !== 'string' || usedJti.has(payload.jti))
      return { status: 401, error: 'invalid_dpop_proof', reason: 'replayed jti' };
    usedJti.add(payload.jti);
    return { status: 200, sub: claims.sub, client_id: claims.client_id, jkt };
  };

  const server = createServer(async (req, res) => {
    for await (const _chunk of req) {
      // drain
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const seen: DPoPSeen = {
      authorization: req.headers.authorization,
      dpop: req.headers.dpop as string,
      status: 0,
    };
    requests.push(seen);
    let result: Awaited<ReturnType<typeof check>>;
    try {
      result = await check(req.method ?? 'GET', path, seen.authorization, seen.dpop);
    } catch (error) {
      result = { status: 401, error: 'invalid_token', reason: (error as Error).message };
    }
    seen.status = result.status;
    if (result.status === 200) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      return;
    }
    seen.reason = result.reason;
    res
      .writeHead(401, {
        'www-authenticate': `DPoP error="${result.error}", algs="ES256"`,
        ...(result.error === 'use_dpop_nonce' ? { 'dpop-nonce': nonce } : {}),
      })
      .end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
