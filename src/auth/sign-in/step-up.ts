// Step-up: a sign-in for an existing session that asks for its scopes plus more (after an API answered
// insufficient_scope), at the same provider and resource; the new tokens replace the session's, and only
// the session's own account may complete it.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { StoredSession } from '../repository/records.js';
import { findSession } from '../sessions/sessions.js';

interface StepUpRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  scopes?: string[] | undefined;
  resource?: string | undefined;
  stepUpSessionId?: string | undefined;
}

/** The request with the session's provider, resource and scopes joined with the requested ones. */
export async function withSessionScopes<T extends StepUpRequest>(ctx: EngineContext, request: T): Promise<T> {
  if (!request.sessionId) return request;
  const session = await findSession(ctx, { sessionId: request.sessionId, provider: request.provider });
  if (session.grant === 'client_credentials') {
    throw new OAuthToolError(
      'invalid_input',
      `Session "${session.session_id}" is a client-credentials token, which no user signs in for: get a new one with more scopes.`,
      { next: { action: 'client_credentials', provider: session.provider, force_new: true } },
    );
  }
  const held = [session.scope, session.requested_scope ?? ''].flatMap((s) => s.split(' ')).filter(Boolean);
  return {
    ...request,
    provider: session.provider,
    scopes: [...new Set([...held, ...(request.scopes ?? [])])],
    resource: request.resource ?? session.resource,
    stepUpSessionId: session.session_id,
  };
}

/** The field a step-up's pending flow carries: the session its account must match and its tokens replace. */
export function stepUpFields(request: { stepUpSessionId?: string | undefined }): {
  step_up_session_id?: string;
} {
  return request.stepUpSessionId ? { step_up_session_id: request.stepUpSessionId } : {};
}

/**
 * The session a finished step-up replaces, checked: another account's tokens never replace it, and never
 * become a session beside it either (the caller asked for more access as this session's user). Undefined
 * when the session is gone meanwhile or records no subject to compare (a provider without ID tokens):
 * then the sign-in is stored as any other is.
 */
export async function steppedUpSession(
  ctx: EngineContext,
  sessionId: string,
  subject: string | undefined,
): Promise<StoredSession | undefined> {
  const session = await ctx.vault.getSession(sessionId);
  if (session?.subject === undefined) return undefined;
  if (session.subject === subject) return session;
  throw new OAuthToolError(
    'forbidden',
    subject === undefined
      ? `The step-up sign-in for session "${sessionId}" returned no ID token, so it cannot show that the account that signed in is the session's; the session was left as it was. Ask for the "openid" scope.`
      : `A different account than the session's own completed the step-up sign-in for session "${sessionId}", so it was refused and the session was left as it was. The session's user must open their sign-in link and sign in with the same account as before.`,
    { next: { action: 'sign_in', session_id: sessionId } },
  );
}
