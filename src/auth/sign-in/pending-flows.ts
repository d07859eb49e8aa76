// What both sign-in flows share around their pending records: the cap on pending sign-ins, the provider a
// flow is finished with, and turning its tokens into the user's session (one per provider and subject).

import type * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { ResolvedProvider } from '../provider/registry.js';
import type { PendingSignIn } from '../repository/flow-records.js';
import type { DPoPKey, StoredSession } from '../repository/records.js';
import { bindingMismatch, resolveBound, type StaleAdvice } from '../sessions/issuer-binding.js';
import { sessionFromTokens } from '../sessions/sessions.js';
import { assertCompletedByInitiator } from './initiator-binding.js';
import { steppedUpSession } from './step-up.js';

/** How long a browser sign-in may take before the flow expires (device flows use the AS's expires_in). */
export const CODE_FLOW_TTL_SECONDS = 600;

/** HTTP mode: pending sign-ins one user may hold at once (each is a store record and an index entry). */
const MAX_PENDING_SIGN_INS = 10;

/** The provider a pending flow is finished with: only the server and client it was started with. */
export function resolveFlowProvider(ctx: EngineContext, flow: PendingSignIn): Promise<ResolvedProvider> {
  return resolveBound(ctx, flow, `The pending sign-in "${flow.flow_id}"`, STALE_FLOW_ADVICE);
}

export const STALE_FLOW_ADVICE: StaleAdvice = { text: 'Nothing was signed in.', next: { action: 'sign_in' } };

/** HTTP mode: one user cannot fill the shared store with sign-ins nobody finishes. */
export async function assertPendingQuota(ctx: EngineContext): Promise<void> {
  if (!ctx.httpMode || (await ctx.vault.countFlows()) < MAX_PENDING_SIGN_INS) return;
  throw new OAuthToolError(
    'forbidden',
    `You already have ${MAX_PENDING_SIGN_INS} sign-ins waiting. Finish one or let them expire (${CODE_FLOW_TTL_SECONDS / 60} minutes) before starting another.`,
    { next: { action: 'continue_sign_in' } },
  );
}

/**
 * Stores the tokens of a finished sign-in as the session of (provider, subject): signing in again as
 * the same user replaces that session in place (same session_id), another user gets a session of their own.
 * Refused when the account is not the requester's (initiator-binding.ts) or, for a step-up, not the
 * session's (step-up.ts); records who completed it and when. `provider` is the one the flow was redeemed
 * with (resolveFlowProvider), so it is resolved and checked once per redemption.
 */
export async function storeSignedInSession(
  ctx: EngineContext,
  provider: ResolvedProvider,
  flow: PendingSignIn,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  dpopKey?: DPoPKey,
): Promise<StoredSession> {
  const subject = tokens.id_token ? tokens.claims()?.sub : undefined;
  assertCompletedByInitiator(flow.data.initiator, provider.metadata.issuer, subject);
  const steppedUp = flow.data.step_up_session_id
    ? await steppedUpSession(ctx, flow.data.step_up_session_id, subject)
    : undefined;
  const fresh: StoredSession = {
    ...sessionFromTokens({
      provider: flow.provider,
      issuer: provider.metadata.issuer,
      clientId: provider.configuration.clientMetadata().client_id,
      grant: flow.kind,
      requestedScope: flow.data.scope,
      resource: flow.data.resource,
      tokens,
      dpopKey,
    }),
    ...(subject ? { completed_by: subject } : {}),
    completed_at: new Date().toISOString(),
  };
  const previous = steppedUp ?? (await sameAccountSession(ctx, fresh));
  const session = previous
    ? { ...fresh, session_id: previous.session_id, created_at: previous.created_at }
    : fresh;
  await ctx.vault.putSession(session);
  return session;
}

/** The user session of the same provider, account, server and client, which a new sign-in replaces. */
async function sameAccountSession(
  ctx: EngineContext,
  fresh: StoredSession,
): Promise<StoredSession | undefined> {
  if (!fresh.subject) return undefined;
  return (await ctx.vault.listSessions({ provider: fresh.provider })).find(
    (s) =>
      s.grant !== 'client_credentials' &&
      s.subject === fresh.subject &&
      !bindingMismatch(s, fresh.issuer, fresh.client_id),
  );
}
