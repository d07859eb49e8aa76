// A small authorization server on loopback that accepts Client ID Metadata Documents the way the draft describes:
// the client_id is a URL, fetched at the authorization request; its document must name that same URL and the
// redirect URI (any port for a loopback one, RFC 8252 7.3). Auto-approves; PKCE S256; records every fetch.
// (oidc-provider implements the draft too, but fetches only https URLs outside special-use addresses.)

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CimdServer {
  issuer: string;
  /** Every client document URL the server fetched, in order. */
  fetched: string[];
  /** The client ids the token endpoint issued tokens to. */
  issuedTo: string[];
  close(): Promise<void>;
}

interface Code {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
}

export async function startCimdServer(options: { advertise?: boolean } = {}): Promise<CimdServer> {
  const fetched: string[] = [];
  const issuedTo: string[] = [];
  const codes = new Map<string, Code>();
  let issuer = '';

  const fail = (res: ServerResponse, status: number, error: string, description: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error, error_description: description }));
  };

  const authorize = async (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    fetched.push(clientId);
    const response = await fetch(clientId, { redirect: 'manual' }).catch(() => undefined);
    const document = response?.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
    if (!document || document.client_id !== clientId) {
      return fail(res, 400, 'invalid_client', 'client metadata document missing or naming another client');
    }
    const registered = Array.isArray(document.redirect_uris) ? (document.redirect_uris as string[]) : [];
    if (!registered.some((uri) => sameRedirect(uri, redirectUri))) {
      return fail(res, 400, 'invalid_request', 'redirect_uri is not in the client metadata document');
    }
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return fail(res, 400, 'invalid_request', 'PKCE S256 is required');
    }
    const code = randomBytes(16).toString('base64url');
    codes.set(code, {
      clientId,
      redirectUri,
      challenge: q.get('code_challenge') ?? '',
      scope: q.get('scope') ?? '',
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('iss', issuer);
    const state = q.get('state');
    if (state) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.href }).end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString('utf8');
    const form = new URLSearchParams(body);
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (
      form.get('grant_type') !== 'authorization_code' ||
      !code ||
      code.clientId !== form.get('client_id') ||
      code.redirectUri !== form.get('redirect_uri') ||
      code.challenge !== challenge
    ) {
      return fail(res, 400, 'invalid_grant', 'code, client, redirect_uri or verifier do not match');
    }
    issuedTo.push(code.clientId);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(
      JSON.stringify({
        access_token: randomBytes(24).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: code.scope,
      }),
    );
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          authorization_response_iss_parameter_supported: true,
          ...(options.advertise === false ? {} : { client_id_metadata_document_supported: true }),
        }),
      );
    }
    if (route === 'GET /authorize') return void authorize(url, res);
    if (route === 'POST /token') return void token(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    fetched,
    issuedTo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** RFC 8252 7.3: a registered loopback redirect URI matches on any port. */
function sameRedirect(registered: string, given: string): boolean {
  const parse = (url: string) => {
    try {
      return new URL(url);
    } catch {
      return undefined;
    }
  };
  const a = parse(registered);
  const b = parse(given);
  if (!a || !b) return false;
  if (a.hostname === '127.0.0.1' && b.hostname === '127.0.0.1') {
    return a.protocol === b.protocol && a.pathname === b.pathname;
  }
  return a.href === b.href;
}
