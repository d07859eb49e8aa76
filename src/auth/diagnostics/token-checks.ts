// The checks of the token doctor, each a sentence a person can act on: expiry and not-before in words,
// issuer, audience, azp, typ (RFC 9068) and sender binding (cnf). Pure functions of claims and expectations.

import { fingerprint } from '../fingerprint.js';
import { timeInWords } from './time-words.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'info';

export interface TokenCheck {
  check: string;
  status: CheckStatus;
  message: string;
}

export type TokenKind = 'access_token' | 'refresh_token' | 'id_token';

interface ClaimExpectations {
  kind: TokenKind;
  /** The issuer of the provider's metadata. */
  issuer: string;
  /** The audience the API (or, for an ID token, the client) expects; unknown when undefined. */
  audience?: string | undefined;
  /** The provider's client id: an ID token's azp must name it. */
  clientId?: string | undefined;
  now?: number;
}

/** Claims whose values are secrets or derived from one: shown only as fingerprints. */
const SECRET_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash'];

/** The claims as they may be shown: secret ones replaced by `sha256:<first 16 hex>`. */
export function showableClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) =>
      SECRET_CLAIMS.includes(name) ? [name, `sha256:${fingerprint(String(value))}`] : [name, value],
    ),
  );
}

/**
 * Checks the registered claims of a JWT or an introspection response (RFC 7662 uses the same names).
 * Without clock tolerance: a token expired a second ago is expired.
 */
export function checkClaims(claims: Record<string, unknown>, expect: ClaimExpectations): TokenCheck[] {
  const now = expect.now ?? Date.now();
  const checks: TokenCheck[] = [];
  const at = (seconds: number) => seconds * 1000;
  const exp = numeric(claims.exp);
  if (exp === undefined) {
    checks.push({
      check: 'exp',
      status: expect.kind === 'refresh_token' ? 'info' : 'warn',
      message: 'The token carries no expiry (exp): it is valid until revoked.',
    });
  } else if (at(exp) <= now) {
    checks.push({
      check: 'exp',
      status: 'fail',
      message: `The token expired ${timeInWords(at(exp), now)} (${iso(exp)}). Refresh it or sign in again.`,
    });
  } else {
    checks.push({
      check: 'exp',
      status: 'pass',
      message: `The token expires ${timeInWords(at(exp), now)} (${iso(exp)}).`,
    });
  }
  const nbf = numeric(claims.nbf);
  if (nbf !== undefined && at(nbf) > now) {
    checks.push({
      check: 'nbf',
      status: 'fail',
      message: `The token is not valid yet: not before ${iso(nbf)} (${timeInWords(at(nbf), now)}). Check the clocks of the server and of the API.`,
    });
  }
  const iat = numeric(claims.iat);
  if (iat !== undefined && at(iat) > now + 60_000) {
    checks.push({
      check: 'iat',
      status: 'warn',
      message: `The token says it was issued in the future (${iso(iat)}, ${timeInWords(at(iat), now)}): a clock is wrong.`,
    });
  }
  if (typeof claims.iss === 'string') {
    checks.push(
      claims.iss === expect.issuer
        ? { check: 'iss', status: 'pass', message: `Issued by ${expect.issuer}, the provider's issuer.` }
        : {
            check: 'iss',
            status: 'fail',
            message: `The issuer is ${claims.iss}, but the provider's issuer is ${expect.issuer}: the token comes from another server.`,
          },
    );
  }
  checks.push(audienceCheck(claims, expect));
  if (expect.kind === 'id_token' && expect.clientId && typeof claims.azp === 'string') {
    if (claims.azp !== expect.clientId)
      checks.push({
        check: 'azp',
        status: 'fail',
        message: `azp is ${claims.azp}, but this client is ${expect.clientId}: the ID token was issued to another client (OIDC Core 3.1.3.7).`,
      });
  }
  checks.push(...bindingChecks(claims));
  return checks;
}

function audienceCheck(claims: Record<string, unknown>, expect: ClaimExpectations): TokenCheck {
  const audiences =
    typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const shown = audiences.length === 0 ? 'none' : audiences.join(', ');
  if (!expect.audience) {
    if (expect.kind === 'refresh_token')
      return {
        check: 'aud',
        status: 'info',
        message: `The audience is ${shown}; a refresh token is only ever sent back to its issuer.`,
      };
    return {
      check: 'aud',
      status: 'info',
      message: `The audience is ${shown}. No expected audience is known (pass expected_audience, or set the provider's "resource"), so it was not compared.`,
    };
  }
  if (audiences.includes(expect.audience)) {
    return {
      check: 'aud',
      status: 'pass',
      message: `The audience includes ${expect.audience}, as expected.`,
    };
  }
  const whoExpects = expect.kind === 'id_token' ? 'the client id is' : 'the API expects';
  return {
    check: 'aud',
    status: 'fail',
    message: `The audience is ${shown}, ${whoExpects} ${expect.audience}: the token was issued for something else (RFC 8707 resource, RFC 9068 4).`,
  };
}

/** RFC 9068 2.1: access tokens are typed `at+jwt`, which keeps ID tokens from passing as access tokens. */
export function typeCheck(typ: unknown, kind: TokenKind): TokenCheck | undefined {
  const type = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (kind === 'access_token') {
    if (type === 'at+jwt')
      return { check: 'typ', status: 'pass', message: 'typ is at+jwt: an RFC 9068 JWT access token.' };
    return {
      check: 'typ',
      status: 'warn',
      message: `typ is ${typ === undefined ? 'absent' : String(typ)}, not at+jwt: not an RFC 9068 access token. APIs that require RFC 9068 refuse it, and nothing tells it apart from an ID token.`,
    };
  }
  if (kind === 'id_token' && type === 'at+jwt') {
    return {
      check: 'typ',
      status: 'fail',
      message: 'typ is at+jwt: this is an access token, not an ID token.',
    };
  }
  return undefined;
}

/** Sender-constrained tokens (RFC 9449 DPoP, RFC 8705 mTLS): presented as plain Bearer they are refused. */
function bindingChecks(claims: Record<string, unknown>): TokenCheck[] {
  const cnf = claims.cnf;
  if (!cnf || typeof cnf !== 'object') return [];
  const checks: TokenCheck[] = [];
  const binding = cnf as Record<string, unknown>;
  if (typeof binding.jkt === 'string') {
    checks.push({
      check: 'cnf',
      status: 'warn',
      message: `The token is DPoP-bound (cnf.jkt ${binding.jkt}, RFC 9449): every request needs a DPoP proof signed by that key, and the API refuses it as a plain Bearer token.`,
    });
  }
  if (typeof binding['x5t#S256'] === 'string') {
    checks.push({
      check: 'cnf',
      status: 'warn',
      message: `The token is bound to a client certificate (cnf x5t#S256, RFC 8705): it works only over mutual TLS with that certificate.`,
    });
  }
  return checks;
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
