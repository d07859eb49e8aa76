// What a resource server's 401/403 says about our token (RFC 6750 3, RFC 9449 7.1), and the one
// refresh-once-on-401 policy of every tool that presents a session's token (API calls, userinfo).

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { StoredSession } from '../repository/records.js';
import { secondsLeft } from '../sessions/sessions.js';
import { ensureFreshSession, refreshAfterRejection } from '../tokens/refresh.js';

interface Challenge {
  /** Lower-cased auth-scheme, e.g. `bearer`, `dpop`. */
  scheme: string;
  parameters: Record<string, string>;
}

/**
 * A 401 that names no error is taken as expiry only this close to `expires_at`: clocks of the API and
 * ours may differ by this much. Otherwise it is not about the token, and a refresh (which rotates
 * the refresh token) would be spent for nothing on every call.
 */
const EXPIRY_SKEW_SECONDS = 300;

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PART = new RegExp(`\\s*(${TOKEN})(?:\\s*=\\s*("(?:[^"\\\\]|\\\\.)*"|[^,\\s]*))?\\s*,?`, 'gy');

/** RFC 9110 11.6.1 challenges of a WWW-Authenticate value; token68 credentials are ignored. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const challenges: Challenge[] = [];
  if (!header) return challenges;
  PART.lastIndex = 0;
  for (let match = PART.exec(header); match && match[0] !== ''; match = PART.exec(header)) {
    const [, name = '', raw] = match;
    const current = challenges.at(-1);
    if (raw === undefined) challenges.push({ scheme: name.toLowerCase(), parameters: {} });
    else if (current)
      current.parameters[name.toLowerCase()] = raw.startsWith('"')
        ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
        : raw;
  }
  return challenges;
}

/** Refresh after a 401 only when the API says the token is invalid or expired, or it nearly is. */
export function rejectionWantsRefresh(session: StoredSession, challenges: Challenge[]): boolean {
  if (challenges.some((c) => c.parameters.error === 'invalid_token')) return true;
  return secondsLeft(session) <= EXPIRY_SKEW_SECONDS;
}

/**
 * Presents a session's token through `attempt` (refreshed first when about to expire); when
 * `rejection` reports a 401 with its challenges and the policy above agrees, renews the token once
 * (a refresh, or for an on-behalf-of session a new exchange of the caller's token) and tries again.
 */
export async function withSessionToken<T>(
  ctx: EngineContext,
  found: StoredSession,
  attempt: (session: StoredSession) => Promise<T>,
  rejection: (result: T, session: StoredSession) => Challenge[] | undefined,
  discard: (result: T) => Promise<void> = async () => undefined,
): Promise<{ result: T; session: StoredSession; refreshed: boolean }> {
  let { session, refreshed } = await ensureFreshSession(ctx, found);
  let result = await attempt(session);
  const challenges = rejection(result, session);
  const renew =
    challenges && !refreshed && rejectionWantsRefresh(session, challenges) && (await renewal(ctx, session));
  if (renew) {
    await discard(result);
    session = await renew();
    refreshed = true;
    result = await attempt(session);
  }
  return { result, session, refreshed };
}

/**
 * How a rejected token is replaced: refreshed, or, for an on-behalf-of session of this caller (HTTP mode,
 * a provider marked `onBehalfOf`), exchanged again from the caller's token. Undefined: it cannot be.
 */
async function renewal(
  ctx: EngineContext,
  session: StoredSession,
): Promise<(() => Promise<StoredSession>) | undefined> {
  if (session.refresh_token) return () => refreshAfterRejection(ctx, session);
  const exchange = ctx.onBehalfOf;
  if (!exchange || session.exchanged_from !== 'caller') return undefined;
  const { settings } = await ctx.registry.settings(session.provider);
  return settings.onBehalfOf ? () => exchange(session.provider) : undefined;
}

/** Step-up (RFC 6750 3.1 insufficient_scope): an error naming the scopes and how to get them. */
export function insufficientScopeError(
  session: StoredSession,
  challenges: Challenge[],
  origin: string,
): OAuthToolError | undefined {
  const challenge = challenges.find((c) => c.parameters.error === 'insufficient_scope');
  if (!challenge) return undefined;
  const granted = new Set(session.scope.split(' '));
  const wanted = (challenge.parameters.scope ?? '').split(' ').filter(Boolean);
  const missing = wanted.filter((s) => !granted.has(s));
  const named = missing.length > 0 ? missing : wanted;
  const scopes = named.length > 0 ? `the scope(s) ${named.map((s) => `"${s}"`).join(', ')}` : 'more scopes';
  const machine = session.grant === 'client_credentials';
  const asked = named.length > 0 ? { scopes: named } : {};
  const advice = machine
    ? 'Get a machine token that has them (the client must be allowed them).'
    : "Ask the user to approve them; they are added to the session's scopes.";
  const description = challenge.parameters.error_description;
  return new OAuthToolError(
    'forbidden',
    `The API at ${origin} needs ${scopes}, which session "${session.session_id}" was not granted (insufficient_scope). ${advice}`,
    {
      oauthError: 'insufficient_scope',
      ...(description ? { oauthErrorDescription: description } : {}),
      next: machine
        ? { action: 'client_credentials', provider: session.provider, ...asked, force_new: true }
        : { action: 'sign_in', session_id: session.session_id, ...asked },
    },
  );
}
