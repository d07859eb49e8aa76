// The delegation claims of an issued JWT (RFC 8693 section 4: act, may_act; with sub, aud, scope and client_id),
// read back for the caller to see who acts for whom. Decoded, not verified: the token doctor verifies signatures.

import * as jose from 'jose';

/** What an exchanged JWT says about delegation; each value bounded, since the server's JSON is not trusted. */
export interface DelegationClaims {
  sub?: string;
  aud?: string | string[];
  scope?: string;
  client_id?: string;
  act?: Record<string, unknown>;
  may_act?: Record<string, unknown>;
}

/** A claim object larger than this (serialised) is left out: a nested `act` chain is small. */
const MAX_CLAIM_BYTES = 4096;
const MAX_STRING = 2048;

/** The claims of a JWT, or undefined when the token is not a decodable JWT (an opaque token). */
export function delegationClaims(token: string): DelegationClaims | undefined {
  let payload: jose.JWTPayload;
  try {
    payload = jose.decodeJwt(token);
  } catch {
    return undefined;
  }
  const claims: DelegationClaims = {};
  if (isShortString(payload.sub)) claims.sub = payload.sub;
  if (isShortString(payload.aud)) claims.aud = payload.aud;
  else if (Array.isArray(payload.aud) && payload.aud.length <= 32 && payload.aud.every(isShortString))
    claims.aud = payload.aud;
  if (isShortString(payload.scope)) claims.scope = payload.scope;
  if (isShortString(payload.client_id)) claims.client_id = payload.client_id;
  const act = boundedObject(payload.act);
  if (act) claims.act = act;
  const mayAct = boundedObject(payload.may_act);
  if (mayAct) claims.may_act = mayAct;
  return claims;
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_STRING;
}

function boundedObject(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return JSON.stringify(value).length <= MAX_CLAIM_BYTES
    ? { ...(value as Record<string, unknown>) }
    : undefined;
}
