// The token doctor: what is in a session's or a pasted token and why an API may refuse it. A JWT is
// decoded and its signature checked against the issuer's JWKS; an opaque token is introspected (RFC 7662).

import { OAuthToolError } from '../../errors.js';
import { learnPastedSecret } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { fingerprint } from '../fingerprint.js';
import type { ServerMetadata } from '../provider/registry.js';
import type { StoredSession } from '../repository/records.js';
import { findSession } from '../sessions/sessions.js';
import { introspect } from '../tokens/introspection.js';
import { timeInWords } from './time-words.js';
import {
  type CheckStatus,
  checkClaims,
  showableClaims,
  type TokenCheck,
  type TokenKind,
  typeCheck,
} from './token-checks.js';
import { verifySignature } from './token-signature.js';

/** A token to inspect: a session's (tokenType default access_token) or a pasted one. */
export interface InspectionRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  /** Which of the session's tokens, or what a pasted token is; default access_token. */
  tokenType?: TokenKind | undefined;
  /** A pasted token instead of a session's: a secret from the moment it arrives. */
  token?: string | undefined;
  expectedAudience?: string | undefined;
}

type Verdict = 'valid' | 'invalid' | 'unverified';

/** The decoded token (secrets fingerprinted) and a verdict on its signature, issuer, audience and times. */
export interface TokenInspection {
  verdict: Verdict;
  /** The verdict in sentences: what is wrong, or why the token looks fine. */
  reasons: string[];
  provider: string;
  token_type: TokenKind;
  format: 'jwt' | 'opaque';
  token_sha256: string;
  session_id?: string;
  header?: Record<string, unknown>;
  /** Decoded claims; nonce and the *_hash claims only as `sha256:` fingerprints. */
  claims?: Record<string, unknown>;
  signature?: { verified: boolean; kid?: string; alg?: string; key_type?: string; message: string };
  /** The AS's introspection answer for an opaque token (RFC 7662), as it returned it. */
  introspection?: Record<string, unknown>;
  checks: TokenCheck[];
}

interface Subject {
  token: string;
  kind: TokenKind;
  providerName?: string | undefined;
  session?: StoredSession;
}

/**
 * Decodes and checks a token locally: JWT signature against the server's JWKS, claims, expiry.
 *
 * @example
 * const report = await inspectToken(engine.ctx, { sessionId: 'ses_...' });
 * console.log(report.verdict);
 * @see https://www.rfc-editor.org/rfc/rfc9068 (JWT access tokens)
 */
export async function inspectToken(ctx: EngineContext, request: InspectionRequest): Promise<TokenInspection> {
  const subject = await subjectOf(ctx, request);
  const { name, settings } = await ctx.registry.settings(subject.providerName);
  const { metadata } = await ctx.registry.serverMetadata(settings);
  const clientId = subject.session?.client_id ?? settings.clientId;
  const expectations = {
    kind: subject.kind,
    issuer: metadata.issuer,
    audience: request.expectedAudience ?? expectedAudience(subject, clientId, settings.resource),
    clientId,
  };
  const base = {
    provider: name,
    token_type: subject.kind,
    token_sha256: fingerprint(subject.token),
    ...(subject.session ? { session_id: subject.session.session_id } : {}),
  };
  const decoded = await decodeJwt(subject.token);
  if (!decoded) {
    const checks: TokenCheck[] = [];
    const introspection = await introspectOpaque(ctx, name, subject, metadata, checks);
    if (introspection?.active === true) checks.push(...checkClaims(introspection, expectations));
    else if (!introspection && subject.session?.expires_at)
      checks.push(storedExpiry(subject.session.expires_at));
    return {
      ...conclude(checks, introspection?.active === true),
      ...base,
      format: 'opaque',
      checks,
      ...(introspection ? { introspection } : {}),
    };
  }
  const signature = await verifySignature(
    subject.token,
    decoded.header,
    metadata,
    ctx.timeoutMs,
    ctx.registry.fetch,
  );
  const checks: TokenCheck[] = [
    { check: 'signature', status: signature.status, message: signature.message },
    ...[typeCheck(decoded.header.typ, subject.kind)].filter((c): c is TokenCheck => c !== undefined),
    ...checkClaims(decoded.claims, expectations),
  ];
  const { status: _status, ...shownSignature } = signature;
  return {
    ...conclude(checks, signature.verified),
    ...base,
    format: 'jwt',
    header: decoded.header,
    claims: showableClaims(decoded.claims),
    signature: shownSignature,
    checks,
  };
}

/** What the store recorded from the token response: no proof of validity, but proof of expiry. */
function storedExpiry(expiresAt: string): TokenCheck {
  const at = Date.parse(expiresAt);
  return at <= Date.now()
    ? {
        check: 'exp',
        status: 'fail',
        message: `The token expired ${timeInWords(at)} (${expiresAt}, from the token response).`,
      }
    : {
        check: 'exp',
        status: 'info',
        message: `The token response said it expires ${timeInWords(at)} (${expiresAt}).`,
      };
}

/** An ID token is for the client, an access token for the API; a refresh token only goes back to its issuer. */
function expectedAudience(subject: Subject, clientId: string | undefined, resource: string | undefined) {
  if (subject.kind === 'id_token') return clientId;
  return subject.kind === 'access_token' ? (subject.session?.resource ?? resource) : undefined;
}

async function subjectOf(ctx: EngineContext, request: InspectionRequest): Promise<Subject> {
  const kind = request.tokenType ?? 'access_token';
  if (request.token) {
    // a secret of this process from the moment it arrives (bounded: pasted tokens are not pinned)
    learnPastedSecret(request.token);
    return { token: request.token, kind, providerName: request.provider };
  }
  const session = await findSession(ctx, request);
  const token =
    kind === 'access_token'
      ? session.access_token
      : kind === 'refresh_token'
        ? session.refresh_token
        : session.id_token;
  if (!token) {
    throw new OAuthToolError(
      'invalid_input',
      `Session "${session.session_id}" holds no ${kind.replace('_', ' ')}. Inspect its access_token instead${kind === 'refresh_token' ? ', or see why no refresh token was issued in the sign-in result (refresh_token_note)' : ''}.`,
    );
  }
  return { token, kind, providerName: session.provider, session };
}

async function decodeJwt(token: string) {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return undefined;
  const jose = await import('jose');
  try {
    return { header: { ...jose.decodeProtectedHeader(token) }, claims: { ...jose.decodeJwt(token) } };
  } catch {
    return undefined;
  }
}

async function introspectOpaque(
  ctx: EngineContext,
  providerName: string,
  subject: Subject,
  metadata: ServerMetadata,
  checks: TokenCheck[],
): Promise<Record<string, unknown> | undefined> {
  if (subject.kind === 'id_token') {
    checks.push({ check: 'format', status: 'fail', message: 'An ID token must be a JWT; this is not one.' });
    return undefined;
  }
  if (!metadata.introspection_endpoint) {
    checks.push({
      check: 'introspection',
      status: 'info',
      message:
        'The token is opaque (not a JWT) and the server offers no introspection endpoint (RFC 7662): only the server that issued it can tell whether it is valid.',
    });
    return undefined;
  }
  try {
    const {
      token_sha256: _fingerprint,
      method: _method,
      session_id: _session,
      ...answer
    } = await introspect(ctx, {
      provider: providerName,
      token: subject.token,
      tokenTypeHint: subject.kind === 'refresh_token' ? 'refresh_token' : 'access_token',
    });
    checks.push(
      answer.active
        ? {
            check: 'introspection',
            status: 'pass',
            message: 'The authorization server says the token is active (RFC 7662 introspection).',
          }
        : {
            check: 'introspection',
            status: 'fail',
            message:
              'The authorization server says the token is not active: it expired, was revoked, or was never issued to this client.',
          },
    );
    return answer;
  } catch (error) {
    const reason = error instanceof OAuthToolError ? error.message : 'the introspection request failed';
    checks.push({
      check: 'introspection',
      status: 'warn',
      message: `Could not introspect the token: ${reason}`,
    });
    return undefined;
  }
}

const CONFIRMING_CHECKS = ['signature', 'introspection'];

function conclude(checks: TokenCheck[], confirmed: boolean): { verdict: Verdict; reasons: string[] } {
  const having = (status: CheckStatus) => checks.filter((c) => c.status === status).map((c) => c.message);
  const failures = having('fail');
  if (failures.length > 0) return { verdict: 'invalid', reasons: failures };
  if (!confirmed) {
    // only the signature or the server's answer can confirm a token: say why neither did
    const doubts = checks.filter((c) => CONFIRMING_CHECKS.includes(c.check)).map((c) => c.message);
    return {
      verdict: 'unverified',
      reasons: doubts.length > 0 ? doubts : ['Nothing could confirm the token.'],
    };
  }
  return { verdict: 'valid', reasons: [...having('pass'), ...having('warn')] };
}
