// HTTP mode: a sign-in is completed by the person who started it. Its URL is `<public-url>/oauth/start/<handle>`
// (a page naming the requester, which binds the flow to the browser that continues, checked at the
// callback), and where the provider is the http.auth issuer the signed-in `sub` must be the requester's.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { type Initiator, initiatorOf } from '../principal.js';

/** Handles come from `randomBytes(32)` (base64url); anything else is refused unread. */
export const START_HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The fields an HTTP-mode flow carries: who asked, and the start page that hands it to their browser. */
export function initiatorFields(
  ctx: EngineContext,
  withStartPage: boolean,
): { initiator?: Initiator; start_handle?: string; start_url?: string } {
  if (!ctx.httpMode) return {};
  const initiator = initiatorOf(ctx.principal);
  const fields = initiator ? { initiator } : {};
  if (!withStartPage || !ctx.callbackUrl) return fields;
  const handle = randomBytes(32).toString('base64url');
  // The callback is `<public-url>/oauth/callback`: the start page sits next to it.
  return { ...fields, start_handle: handle, start_url: new URL(`start/${handle}`, ctx.callbackUrl).href };
}

/**
 * Where the provider is the issuer of the caller's own bearer token, the account signed in must be the
 * caller's: a sign-in link forwarded to someone else then cannot give the caller their account.
 */
export function assertCompletedByInitiator(
  initiator: Initiator | undefined,
  issuer: string,
  subject: string | undefined,
): void {
  if (!initiator || stripSlash(initiator.iss) !== stripSlash(issuer) || subject === initiator.sub) return;
  throw new OAuthToolError(
    'forbidden',
    subject === undefined
      ? 'The sign-in returned no ID token, so it cannot show that the user who signed in is the user who asked for it; nothing was signed in. Ask for the "openid" scope.'
      : 'A different account completed this sign-in than the user who asked for it, so nothing was signed in. Each user must open their own sign-in link and sign in as themselves.',
  );
}

// --- the browser binding: a cookie set by the start page, its hash kept in the flow

/**
 * A code that reached us in a browser other than the one bound to its flow is spent, and its flow fails:
 * kept redeemable, the same callback opened later in the requester's browser would sign the requester in
 * as whoever approved in the wrong one. What that browser is shown, and what the requester is told.
 */
export const WRONG_BROWSER_PAGE =
  'This sign-in was not started in this browser, so nothing was signed in, and the sign-in is now cancelled: its answer from the authorization server has been used up here. If someone sent you this link, close this tab. Only the person who asked for the sign-in can complete one, by opening their own sign-in link in their own browser.';

export function wrongBrowserError(): OAuthToolError {
  return new OAuthToolError(
    'forbidden',
    "The sign-in's answer from the authorization server came back in another browser than the one that continued on its start page, so it was refused and this sign-in was cancelled; nothing was signed in. Start a new sign-in and open its link only in the user's own browser, without forwarding the pages it leads to.",
    { next: { action: 'sign_in' } },
  );
}

export function newBrowserSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function bindingOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

function browserCookieName(flowId: string): string {
  return `oauth_mcp_${flowId}`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the browser's cookie is the one the start page set for this flow (constant-time compare). */
export function carriesBinding(cookieHeader: string | undefined, flowId: string, binding?: string): boolean {
  const secret = readCookie(cookieHeader, browserCookieName(flowId));
  if (!secret || !binding) return false;
  const actual = Buffer.from(bindingOf(secret));
  const expected = Buffer.from(binding);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** HttpOnly, SameSite=Lax (sent on the AS's top-level redirect back), Secure on an https public URL. */
export function browserCookie(
  callbackUrl: string,
  flowId: string,
  value: string,
  maxAgeSeconds: number,
): string {
  const url = new URL(callbackUrl);
  const path = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
  return [
    `${browserCookieName(flowId)}=${value}`,
    `Path=${path}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(url.protocol === 'https:' ? ['Secure'] : []),
  ].join('; ');
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
