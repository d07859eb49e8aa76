// The signing keys an authorization server publishes (its JWKS), described key by key with warnings:
// weak RSA sizes, keys without kid, duplicate kids, symmetric or private key material, expiring certificates.

import { X509Certificate } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { OAuthToolError } from '../../errors.js';
import type { OutboundFetch } from '../../net/guarded-fetch.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import type { DiscoveryRequest } from '../provider/discovery.js';
import { discover } from '../provider/discovery.js';
import type { ServerMetadata } from '../provider/registry.js';
import { timeInWords } from './time-words.js';

interface KeyCertificate {
  subject: string;
  issuer: string;
  not_before: string;
  not_after: string;
  expired: boolean;
  /** "expires in 3 months" / "expired 2 days ago". */
  expiry_in_words: string;
}

interface KeyReport {
  kid?: string;
  kty: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  /** RSA modulus or symmetric key length in bits. */
  size_bits?: number;
  /** EC / OKP curve name. */
  curve?: string;
  /** RFC 7638 JWK thumbprint (SHA-256): the value a DPoP `cnf.jkt` names. */
  thumbprint?: string;
  certificate?: KeyCertificate;
  warnings: string[];
}

/** The server's published signing keys, one report per key, and the warnings about the set. */
export interface JwksReport {
  issuer: string;
  provider?: string;
  jwks_uri: string;
  fetched_at: string;
  keys: KeyReport[];
  /** Problems with the set as a whole, or with what the metadata advertises. */
  warnings: string[];
}

const CERT_WARNING_DAYS = 30;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/**
 * Fetches the server's JWKS and describes each key (algorithm, size, certificate expiry).
 *
 * @example
 * const report = await jwksReport(engine.ctx, { provider: 'work' });
 * for (const key of report.keys) console.log(key.kid, key.warnings);
 * @see https://www.rfc-editor.org/rfc/rfc7517 (JSON Web Key sets)
 */
export async function jwksReport(ctx: EngineContext, request: DiscoveryRequest): Promise<JwksReport> {
  const found = await discover(ctx, request);
  const uri = found.metadata.jwks_uri;
  if (!uri) {
    throw new OAuthToolError(
      'not_configured',
      `${found.issuer} publishes no jwks_uri in its metadata, so it has no signing keys to show (it cannot issue verifiable JWTs).`,
    );
  }
  const { jwks, fetchedAt } = await loadJwks(uri, ctx.timeoutMs, ctx.registry.fetch);
  const { keys, warnings } = await describeKeySet(jwks);
  return {
    issuer: found.issuer,
    ...(found.provider ? { provider: found.provider } : {}),
    jwks_uri: uri,
    fetched_at: new Date(fetchedAt).toISOString(),
    keys,
    warnings: [...warnings, ...algNoneWarnings(found.metadata)],
  };
}

/** Fetches a JWKS through the one key-set cache (jwks.ts); jose is loaded on first use, not at start-up. */
export async function loadJwks(uri: string, timeoutMs: number, fetch: OutboundFetch) {
  const { fetchJwks } = await import('../provider/jwks.js');
  try {
    return await fetchJwks(uri, timeoutMs, fetch);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWKS_TIMEOUT') {
      throw new OAuthToolError('timeout', `The JWKS at ${uri} did not answer in time.`, { cause: error });
    }
    if (code?.startsWith('ERR_J')) {
      throw new OAuthToolError(
        'invalid_response',
        `The JWKS at ${uri} did not answer with a key set: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    throw toToolError(error, `fetching the JWKS at ${uri}`);
  }
}

export async function describeKeySet(
  jwks: JSONWebKeySet,
  now = Date.now(),
): Promise<{ keys: KeyReport[]; warnings: string[] }> {
  const keys = await Promise.all(jwks.keys.map((jwk, index) => describeKey(jwk, index, now)));
  const warnings: string[] = [];
  if (keys.length === 0)
    warnings.push('The key set is empty: no token signed by this server can be verified.');
  const seen = new Map<string, number>();
  for (const key of keys) if (key.kid) seen.set(key.kid, (seen.get(key.kid) ?? 0) + 1);
  for (const [kid, count] of seen) {
    if (count > 1)
      warnings.push(
        `kid "${kid}" is used by ${count} keys: verifiers cannot tell which one signed a token (RFC 7517 4.5).`,
      );
  }
  return { keys, warnings };
}

/** One warning per metadata field `*_alg_values_supported` that lists "none". */
export function algNoneWarnings(metadata: ServerMetadata): string[] {
  return Object.entries(metadata)
    .filter(([field, value]) => field.endsWith('_alg_values_supported') && Array.isArray(value))
    .filter(([, value]) => (value as unknown[]).some((alg) => String(alg).toLowerCase() === 'none'))
    .map(
      ([field]) =>
        `The metadata advertises alg "none" in ${field}: unsigned tokens would be accepted or issued there (RFC 9700 / OIDC Core 16.14).`,
    );
}

async function describeKey(jwk: JWK, index: number, now: number): Promise<KeyReport> {
  const name = jwk.kid ? `key "${jwk.kid}"` : `key #${index + 1}`;
  const warnings: string[] = [];
  const report: KeyReport = {
    ...(jwk.kid ? { kid: jwk.kid } : {}),
    kty: String(jwk.kty),
    ...(jwk.alg ? { alg: jwk.alg } : {}),
    ...(jwk.use ? { use: jwk.use } : {}),
    ...(jwk.key_ops ? { key_ops: jwk.key_ops } : {}),
    warnings,
  };
  if (!jwk.kid) warnings.push(`${name} has no kid: verifiers must try it against every token.`);
  if (jwk.kty === 'RSA' && jwk.n) {
    report.size_bits = bitLength(jwk.n);
    if (report.size_bits < 2048)
      warnings.push(
        `${name} is RSA ${report.size_bits} bits: RFC 7518 3.3 requires at least 2048, and most verifiers refuse it.`,
      );
  } else if ((jwk.kty === 'EC' || jwk.kty === 'OKP') && jwk.crv) {
    report.curve = jwk.crv;
  } else if (jwk.kty === 'oct') {
    if (jwk.k) report.size_bits = Buffer.from(jwk.k, 'base64url').length * 8;
    warnings.push(
      `${name} is a symmetric (oct) key published in the JWKS: anyone who reads it can forge tokens. Remove it.`,
    );
  }
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
    warnings.push(`${name} includes private key material: rotate this key now and publish only public keys.`);
  }
  if (jwk.alg && /^(none|HS\d+)$/i.test(jwk.alg)) {
    warnings.push(`${name} advertises alg "${jwk.alg}", which is not a public-key signature.`);
  }
  if (jwk.kty !== 'oct' && !PRIVATE_MEMBERS.some((member) => member in jwk)) {
    report.thumbprint = await thumbprint(jwk);
  }
  const certificate = jwk.x5c?.[0] ? describeCertificate(jwk.x5c[0], now) : undefined;
  if (certificate === null) warnings.push(`${name} has an x5c certificate that cannot be parsed.`);
  else if (certificate) {
    report.certificate = certificate;
    const daysLeft = (Date.parse(certificate.not_after) - now) / 86_400_000;
    if (certificate.expired) warnings.push(`${name}: its certificate ${certificate.expiry_in_words}.`);
    else if (daysLeft < CERT_WARNING_DAYS)
      warnings.push(`${name}: its certificate ${certificate.expiry_in_words}; renew it.`);
  }
  return report;
}

function bitLength(base64url: string): number {
  const bytes = Buffer.from(base64url, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const first = bytes[start];
  return first === undefined ? 0 : (bytes.length - start - 1) * 8 + (32 - Math.clz32(first));
}

async function thumbprint(jwk: JWK): Promise<string | undefined> {
  const { calculateJwkThumbprint } = await import('jose');
  return calculateJwkThumbprint(jwk, 'sha256').catch(() => undefined);
}

function describeCertificate(der: string, now: number): KeyCertificate | null {
  try {
    const certificate = new X509Certificate(Buffer.from(der, 'base64'));
    const notAfter = Date.parse(certificate.validTo);
    const expired = notAfter <= now;
    return {
      subject: certificate.subject,
      issuer: certificate.issuer,
      not_before: new Date(certificate.validFrom).toISOString(),
      not_after: new Date(notAfter).toISOString(),
      expired,
      expiry_in_words: `${expired ? 'expired' : 'expires'} ${timeInWords(notAfter, now)}`,
    };
  } catch {
    return null;
  }
}
